"""R38: when a child on a child protection or child in need plan, or a looked-after child, leaves the school or has
an unexplained absence, recording it on the child's file sets an "inform the social worker immediately" task
(policy Section 6). The task is about the child, with no concern behind it: it is on the queue's overdue list, in
"Tasks for you", reminded by email, and done through the usual action pages."""

import html
import io
import re
from datetime import date, datetime, timedelta

import pypdf
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import (
    Action,
    ActionKind,
    ChronologyEntry,
    ChronologyKind,
    KeyPerson,
    PupilEvent,
    PupilFlag,
)
from concerns.services import actions, leaving
from concerns.tasks import remind_action_due
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern
from .helpers import jobs

DETAILS = "Moved with her mother to Leeds; the new school is Hawthorn Primary, Leeds, according to the aunt."
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term: the tasks are due at once


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_first_name="Esme", legal_last_name="Varga-Thornbury")


def flag(pupil, kind, *, starts_on=None, ends_on=None):
    return PupilFlag.objects.create(
        school=pupil.school,
        pupil=pupil,
        kind=kind,
        starts_on=starts_on or date(2024, 1, 8),
        ends_on=ends_on,
        source="Derby Initial Response Team",
        recorded_by=pupil_recorder(pupil),
        recorded_by_name="Helen Marsh",
        recorded_by_role="Designated Safeguarding Lead",
    )


def pupil_recorder(pupil):
    from safeguarding.models import User

    return User.objects.filter(memberships__school=pupil.school).first()


def social_worker(pupil, name="Sam Ortiz", team="Locality 2, Derby City Council", phone="01332 640000"):
    return KeyPerson.objects.create(
        school=pupil.school,
        pupil=pupil,
        kind="social_worker",
        name=name,
        relationship_or_team=team,
        phone=phone,
        recorded_by=pupil_recorder(pupil),
        recorded_by_name="Helen Marsh",
        recorded_by_role="Designated Safeguarding Lead",
    )


def event_url(pupil):
    return reverse("concerns:add_profile", kwargs={"public_id": pupil.public_id, "record": "event"})


def file_url(pupil):
    return reverse("concerns:pupil_file", kwargs={"public_id": pupil.public_id})


def text(response) -> str:
    return html.unescape(response.content.decode())


def record(client, pupil, kind="left", on=None, details=DETAILS, follow=False):
    on = timezone.localdate().isoformat() if on is None else on
    data = {"kind": kind, "on": on, "details": details, "destination": "school" if kind == "left" else ""}
    return client.post(event_url(pupil), data, follow=follow)


def tasks_for(pupil):
    return Action.objects.filter(pupil=pupil, kind=ActionKind.INFORM_SOCIAL_WORKER)


@pytest.fixture
def on_cp_plan(pupil, dsl):
    flag(pupil, "child_protection")
    social_worker(pupil)
    return pupil


@pytest.fixture
def task(client, dsl, on_cp_plan):
    """The task set when the DSL records that the child on a CP plan left."""
    sign_in(client, dsl)
    record(client, on_cp_plan)
    return tasks_for(on_cp_plan).get()


# --- Recording sets the task ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_leaving_for_a_child_on_a_cp_plan_sets_a_task_due_now_naming_the_social_worker(client, school, dsl, on_cp_plan):
    """The recorder owns the task, due at once, and its notes say whom to call: name, team and phone."""
    sign_in(client, dsl)
    response = record(client, on_cp_plan)
    assert response.status_code == 302 and response["Location"] == file_url(on_cp_plan)
    task = tasks_for(on_cp_plan).get()
    assert task.concern is None and task.pupil == on_cp_plan and task.school == school
    assert task.owner == dsl and task.created_by == dsl and task.is_open
    assert task.due_at == NOW
    assert "Sam Ortiz (Locality 2, Derby City Council, 01332 640000)" in task.notes
    assert "on a child protection plan" in task.notes
    # The reminder is queued for the due time, like any other action's.
    assert [job.run_after for job in jobs(remind_action_due, task.pk)] == [task.due_at]


@pytest.mark.django_db
def test_leaving_takes_the_child_off_roll_and_keeps_the_event(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    record(client, on_cp_plan, on="2026-03-02")
    on_cp_plan.refresh_from_db()
    assert on_cp_plan.on_roll is False and on_cp_plan.left_on == date(2026, 3, 2)
    event = PupilEvent.objects.get(pupil=on_cp_plan)
    assert event.kind == "left" and event.details == DETAILS and event.recorded_by == dsl
    assert event.recorded_by_name == "Helen Marsh" and event.recorded_by_role == "Designated Safeguarding Lead"


@pytest.mark.django_db
def test_the_success_message_says_the_task_was_set_and_whom_to_call(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    page = text(record(client, on_cp_plan, follow=True))
    assert "A task is set for you, due now: inform the child's social worker immediately." in page
    assert "Call Sam Ortiz (Locality 2, Derby City Council, 01332 640000)." in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("flag_kind", "reason"),
    [("child_in_need", "on a child in need plan"), ("looked_after", "looked after")],
    ids=["CIN", "LAC"],
)
def test_an_unexplained_absence_for_a_child_in_need_or_looked_after_sets_the_task(
    client, dsl, pupil, flag_kind, reason
):
    """An absence sets the task too, and leaves the child on roll."""
    flag(pupil, flag_kind)
    social_worker(pupil, name="Amara Lindqvist", team="Children in Care Team, Derby City Council")
    sign_in(client, dsl)
    response = record(client, pupil, kind="absent", details="Not in school since Monday; phone unanswered.")
    assert response.status_code == 302
    task = tasks_for(pupil).get()
    assert task.owner == dsl and task.concern is None
    assert reason in task.notes and "Amara Lindqvist" in task.notes
    assert "unexplained absence or is missing" in task.notes
    pupil.refresh_from_db()
    assert pupil.on_roll is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    "flags",
    [
        [("child_protection", date(2023, 9, 4), date(2024, 7, 19))],  # the plan ended
        [("send", date(2023, 9, 4), None)],
        [("previously_looked_after", date(2023, 9, 4), None)],
        [],
    ],
    ids=["plan-ended", "send-only", "previously-looked-after", "no-flags"],
)
@pytest.mark.parametrize("kind", ["left", "absent"])
def test_no_task_without_a_current_plan_or_looked_after_flag(client, dsl, pupil, flags, kind):
    """Only a current CP or CIN plan, or being looked after, brings the task; the event is still recorded."""
    for flag_kind, starts_on, ends_on in flags:
        flag(pupil, flag_kind, starts_on=starts_on, ends_on=ends_on)
    social_worker(pupil)
    sign_in(client, dsl)
    page = text(record(client, pupil, kind=kind, follow=True))
    # (A current SEND flag means the child has a CP file to send on: that task is R55's, tested elsewhere.)
    assert not tasks_for(pupil).exists()
    assert PupilEvent.objects.filter(pupil=pupil, kind=kind).exists()
    assert "task" not in page.split("Recorded:")[1].split("</div>")[0]


@pytest.mark.django_db
def test_a_flag_starting_later_does_not_count(client, dsl, pupil):
    """A plan that starts after both the day it happened and today is not current."""
    flag(pupil, "child_protection", starts_on=timezone.localdate() + timedelta(days=7))
    sign_in(client, dsl)
    record(client, pupil, kind="absent")
    assert not tasks_for(pupil).exists()


@pytest.mark.django_db
def test_no_second_open_task_for_the_same_child(client, dsl, deputy, on_cp_plan):
    """While one is open, a later absence or leaving adds to its notes and says it is already open."""
    sign_in(client, dsl)
    record(client, on_cp_plan, kind="absent", details="Not in school today; no call from home.")
    sign_in(client, deputy)
    page = text(record(client, on_cp_plan, kind="left", follow=True))
    task = tasks_for(on_cp_plan).get()
    assert task.owner == dsl
    assert "Later recorded: the child left the school on" in task.notes
    assert "A task to inform the child's social worker is already open, for Helen Marsh." in page
    assert PupilEvent.objects.filter(pupil=on_cp_plan).count() == 2


@pytest.mark.django_db
def test_a_new_task_once_the_earlier_one_is_done(client, dsl, task, on_cp_plan):
    actions.action_complete(user=dsl, action=task, outcome="Told Sam Ortiz by phone at 09:40.")
    record(client, on_cp_plan, kind="absent")
    assert tasks_for(on_cp_plan).filter(status="open").count() == 1
    assert tasks_for(on_cp_plan).count() == 2


@pytest.mark.django_db
def test_with_no_social_worker_on_file_the_task_says_so(client, dsl, pupil):
    flag(pupil, "looked_after")
    sign_in(client, dsl)
    page = text(record(client, pupil, follow=True))
    task = tasks_for(pupil).get()
    assert "No social worker is recorded on the child's file" in task.notes
    assert "No social worker is recorded on the file: ask children's social care who it is." in page


# --- The chronology -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_chronology_line_is_plain_english_with_names_and_roles(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    record(client, on_cp_plan, on="2026-03-02")
    entry = ChronologyEntry.objects.get(pupil=on_cp_plan, kind=ChronologyKind.LEFT)
    assert entry.concern is None
    assert entry.author == dsl and entry.author_name == "Helen Marsh"
    assert entry.summary == (
        f"Left the school on 2 March 2026. Destination and circumstances: {DETAILS} Where to: another school in "
        "England. The record goes on with the child; this school keeps a record "
        "of where it went and applies the retention policy to its own copy. Recorded by Helen Marsh "
        "(Designated Safeguarding Lead). The child is on a child protection plan, so a task was set for Helen Marsh "
        "(Designated Safeguarding Lead) to inform the child's social worker immediately. A task was also set for "
        "Helen Marsh (Designated Safeguarding Lead) to share what the new school needs, now that the child has left."
    )
    page = text(client.get(file_url(on_cp_plan)))
    assert "Left the school on 2 March 2026" in page
    assert "Leaving and absence" in page and DETAILS in page


@pytest.mark.django_db
def test_an_absence_line_without_a_task(client, dsl, pupil):
    sign_in(client, dsl)
    record(client, pupil, kind="absent", on="2026-03-02", details="Believed to be at her grandmother's in Derby")
    entry = ChronologyEntry.objects.get(pupil=pupil)
    assert entry.kind == ChronologyKind.ABSENT
    assert entry.summary == (
        "Unexplained absence or missing, from 2 March 2026. Where the child is believed to be, and the "
        "circumstances: Believed to be at her grandmother's in Derby. Recorded by Helen Marsh "
        "(Designated Safeguarding Lead)."
    )


@pytest.mark.django_db
def test_the_pdf_holds_the_event_and_the_task(client, dsl, task, on_cp_plan):
    response = client.get(reverse("concerns:pupil_file_pdf", kwargs={"public_id": on_cp_plan.public_id}))
    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    words = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    words = re.sub(r"Page \d+ of \d+ ?", "", words)
    assert "Leaving and absence" in words
    assert "Hawthorn Primary" in words
    assert "Task: Inform the child's social worker, for Helen Marsh" in words


# --- Who may record -------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER, Role.PASTORAL, Role.DESIGNATED_TEACHER_LAC])
def test_only_those_who_may_open_the_file_record_an_event(client, school, make_person, on_cp_plan, role):
    """A teacher (and anyone else without the file) gets 404 and nothing is saved."""
    sign_in(client, make_person(role, school=school))
    assert record(client, on_cp_plan).status_code == 404
    assert not PupilEvent.objects.exists() and not Action.objects.exists()
    on_cp_plan.refresh_from_db()
    assert on_cp_plan.on_roll is True


@pytest.mark.django_db
def test_another_schools_dsl_cannot_record(client, other_school, make_person, on_cp_plan):
    sign_in(client, make_person(Role.DSL, school=other_school))
    assert record(client, on_cp_plan).status_code == 404
    assert not PupilEvent.objects.exists()


@pytest.mark.django_db
def test_the_service_refuses_someone_without_the_file(teacher, on_cp_plan):
    from django.core.exceptions import PermissionDenied

    event = PupilEvent(kind="left", on=timezone.localdate(), details=DETAILS)
    with pytest.raises(PermissionDenied):
        leaving.pupil_event_record(user=teacher, pupil=on_cp_plan, event=event)


# --- Bad input ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_future_date_is_refused_and_what_was_typed_stays(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = record(client, on_cp_plan, on=tomorrow)
    assert response.status_code == 400
    page = text(response)
    assert "This date is in the future. Give the date it happened, or record that the child is due to leave." in page
    assert DETAILS in page and f'value="{tomorrow}"' in page
    assert re.search(r"<details open>\s*<summary>Record that the child left", page)
    assert not PupilEvent.objects.exists() and not Action.objects.exists()
    on_cp_plan.refresh_from_db()
    assert on_cp_plan.on_roll is True


@pytest.mark.django_db
def test_a_missing_date_is_refused_and_what_was_typed_stays(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    response = record(client, on_cp_plan, on="")
    assert response.status_code == 400
    page = text(response)
    assert "Give the date." in page and DETAILS in page
    assert not PupilEvent.objects.exists()


@pytest.mark.django_db
def test_missing_details_and_kind_are_explained(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    response = client.post(event_url(on_cp_plan), {"on": "2026-03-02", "details": ""})
    assert response.status_code == 400
    page = text(response)
    assert "Choose whether the child left the school, is due to leave, or is absent without explanation." in page
    assert "Say where the child has gone or is believed to be" in page
    assert 'value="2026-03-02"' in page


@pytest.mark.django_db
def test_the_form_warns_that_a_task_will_be_set(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    page = text(client.get(file_url(on_cp_plan)))
    assert "Current: Child protection plan. Recording that the child left or is missing sets you a task" in page


# --- The task where people look for it ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_heads_the_queues_overdue_list_linking_to_the_file(client, clock, task, on_cp_plan):
    clock.shift(timedelta(minutes=5))  # due at once, so overdue by the time the DSL looks
    page = text(client.get(reverse("concerns:queue")))
    assert "Overdue actions (2)" in page  # and R56's: consider sharing with the new school
    assert (
        f'<a href="{file_url(on_cp_plan)}">Inform the child\'s social worker</a> about {on_cp_plan.full_name}: '
        "Helen Marsh, due"
    ) in page


@pytest.mark.django_db
def test_the_queue_costs_the_same_with_1_or_20_overdue_tasks(client, clock, school, dsl, teacher):
    """The overdue list (tasks on concerns and about children) makes no query per row."""
    sign_in(client, dsl)

    def add_overdue(count):
        for _ in range(count):
            child = PupilFactory(school=school)
            flag(child, "child_protection")
            event = PupilEvent(kind="absent", on=timezone.localdate(), details="Not in school.")
            leaving.pupil_event_record(user=dsl, pupil=child, event=event)
            concern = raise_concern(author=teacher, school=school)
            actions.action_add(
                user=dsl, concern=concern, kind=ActionKind.PASTORAL_SUPPORT, due_at=timezone.now() - timedelta(hours=1)
            )

    def queries():
        clock.shift(timedelta(minutes=5))  # the tasks due at once are overdue by the time the DSL looks
        client.get(reverse("concerns:queue"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("concerns:queue"))
        assert response.status_code == 200
        return len(captured), text(response)

    add_overdue(1)
    few, page = queries()
    assert "Overdue actions (2)" in page
    add_overdue(19)
    many, page = queries()
    assert "Overdue actions (40)" in page
    assert many == few


@pytest.mark.django_db
def test_the_task_is_in_tasks_for_you_with_whom_to_call(client, task, on_cp_plan):
    page = text(client.get(reverse("concerns:my_concerns")))
    assert "Tasks for you" in page
    assert f"Inform the child's social worker</strong>, about {on_cp_plan.full_name}, due" in page
    assert "Sam Ortiz (Locality 2, Derby City Council, 01332 640000)" in page
    assert f'href="{file_url(on_cp_plan)}"' in page
    assert reverse("concerns:complete_action", kwargs={"action_id": task.public_id}) in page


@pytest.mark.django_db
def test_the_open_task_is_on_the_childs_file(client, task, on_cp_plan):
    page = text(client.get(file_url(on_cp_plan)))
    assert "Open tasks about this child" in page
    assert reverse("concerns:complete_action", kwargs={"action_id": task.public_id}) in page
    assert reverse("concerns:reassign_action", kwargs={"action_id": task.public_id}) in page
    assert "The task to inform the child's social worker is already open (above)." in page


# --- Done, reassigned, reminded -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_completing_it_through_the_action_page_writes_the_chronology(client, task, on_cp_plan):
    url = reverse("concerns:complete_action", kwargs={"action_id": task.public_id})
    response = client.post(url, {"outcome": "Phoned Sam Ortiz at 09:40; she will tell the Leeds team."})
    assert response.status_code == 302 and response["Location"] == file_url(on_cp_plan)
    task.refresh_from_db()
    assert task.status == "done" and task.outcome.startswith("Phoned Sam Ortiz")
    entry = ChronologyEntry.objects.get(pupil=on_cp_plan, kind=ChronologyKind.ACTION_DONE)
    assert entry.concern is None
    assert entry.summary == (
        "Inform the child's social worker: done by Helen Marsh (Designated Safeguarding Lead). "
        "Phoned Sam Ortiz at 09:40; she will tell the Leeds team."
    )
    # What is left open: R56's prompt to consider sharing, and the CP file to send on (R55), which closes from the
    # file, not with "Done".
    page = text(client.get(file_url(on_cp_plan)))
    assert reverse("concerns:complete_action", kwargs={"action_id": task.public_id}) not in page
    assert sorted(a.kind for a in Action.objects.filter(pupil=on_cp_plan, status="open")) == [
        ActionKind.SEND_CP_FILE,
        ActionKind.SHARE_BEFORE_LEAVING,
    ]


@pytest.mark.django_db
def test_completing_it_needs_what_was_done(client, task):
    url = reverse("concerns:complete_action", kwargs={"action_id": task.public_id})
    page = text(client.post(url, {"outcome": ""}, follow=True))
    assert "Say what was done before marking the action done." in page
    task.refresh_from_db()
    assert task.is_open


@pytest.mark.django_db
def test_a_deputy_reassigns_it_and_the_new_owner_completes_it(client, school, make_person, task, deputy, on_cp_plan):
    """The DSL team gives the task to someone else at the school; that owner (who cannot open the file) sees it in
    Tasks for you and marks it done, and is sent back to their own list."""
    pastoral = make_person(Role.PASTORAL, school=school, first_name="Jo", last_name="Kettering")
    sign_in(client, deputy)
    url = reverse("concerns:reassign_action", kwargs={"action_id": task.public_id})
    assert client.post(url, {"owner": pastoral.pk})["Location"] == file_url(on_cp_plan)
    task.refresh_from_db()
    assert task.owner == pastoral
    assert ChronologyEntry.objects.filter(
        pupil=on_cp_plan, concern__isnull=True, kind=ChronologyKind.ACTION_ADDED, summary__contains="Jo Kettering"
    ).exists()

    sign_in(client, pastoral)
    page = text(client.get(reverse("concerns:my_concerns")))
    assert "Sam Ortiz" in page and f'href="{file_url(on_cp_plan)}"' not in page
    done = client.post(
        reverse("concerns:complete_action", kwargs={"action_id": task.public_id}), {"outcome": "Told Sam Ortiz."}
    )
    assert done["Location"] == reverse("concerns:my_concerns")
    task.refresh_from_db()
    assert task.status == "done"


@pytest.mark.django_db
def test_staff_who_do_not_own_it_cannot_complete_or_reassign_it(client, teacher, task):
    sign_in(client, teacher)
    for name in ("complete_action", "reassign_action"):
        url = reverse(f"concerns:{name}", kwargs={"action_id": task.public_id})
        assert client.post(url, {"outcome": "x", "owner": teacher.pk}).status_code == 404
    task.refresh_from_db()
    assert task.is_open and task.owner.username != teacher.username


@pytest.mark.django_db
def test_the_reminder_job_handles_it_with_a_link_to_the_file_and_no_child_detail(task, on_cp_plan, dsl):
    mail.outbox.clear()
    assert remind_action_due.call(task.pk) == "reminded"
    [message] = mail.outbox
    assert message.to == [dsl.email]
    assert settings.SITE_URL + file_url(on_cp_plan) in message.body
    assert on_cp_plan.school.name in message.body
    sent = f"{message.subject}\n{message.body}"
    for word in ("Esme", "Varga", "Thornbury", on_cp_plan.upn, "Sam Ortiz", "Hawthorn", "Leeds", "social worker"):
        assert word not in sent
    task.refresh_from_db()
    assert task.reminded_at is not None


@pytest.mark.django_db
def test_an_owner_who_cannot_open_the_file_is_reminded_with_a_link_to_my_concerns(task, dsl, teacher, on_cp_plan):
    actions.action_reassign(user=dsl, action=task, owner=teacher)
    mail.outbox.clear()
    assert remind_action_due.call(task.pk) == "reminded"
    [message] = mail.outbox
    assert message.to == [teacher.email]
    assert settings.SITE_URL + reverse("concerns:my_concerns") in message.body
    assert str(on_cp_plan.public_id) not in message.body


# --- The model ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_action_must_be_about_a_concern_or_a_child(school, dsl):
    """The database refuses an action about nothing."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(school=school, kind=ActionKind.INFORM_SOCIAL_WORKER, owner=dsl, created_by=dsl)


@pytest.mark.django_db
def test_actions_on_concerns_carry_the_concerns_school(school, teacher, dsl):
    concern = raise_concern(author=teacher, school=school)
    action = actions.action_add(user=dsl, concern=concern, kind=ActionKind.PASTORAL_SUPPORT)
    assert action.school == school and action.pupil is None
