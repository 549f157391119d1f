"""R56: before a child with a social worker, or in Channel, leaves, the DSL is prompted to consider sharing
information with the new school; and for a child-on-child case, what onward support needs and risks were passed on
is recorded with the CP file sent."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from concerns import selectors
from concerns.models import (
    Action,
    ActionKind,
    ChronologyEntry,
    ChronologyKind,
    FileTransfer,
    PupilEvent,
    PupilRole,
)
from safeguarding import calendar
from safeguarding.calendar import LONDON

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern
from .test_file_transfers import send, url
from .test_inform_social_worker import DETAILS, event_url, file_url, flag, social_worker, text

pytestmark = pytest.mark.django_db
CONSIDER = "consider sharing information with the new school before the child leaves"
# A Tuesday morning in the autumn term: ten days on is Friday 11 December, and the child-on-child cases' child left
# on Monday 23 November.
NOW = datetime(2026, 12, 1, 10, 30, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_first_name="Esme", legal_last_name="Varga-Thornbury")


@pytest.fixture
def on_cp_plan(pupil):
    flag(pupil, "child_protection")
    social_worker(pupil)
    return pupil


def record(client, pupil, kind, on, details=DETAILS, follow=False):
    data = {"kind": kind, "on": on.isoformat(), "details": details, "destination": "school" if kind == "left" else ""}
    return client.post(event_url(pupil), data, follow=follow)


def share_tasks(pupil):
    return Action.objects.filter(pupil=pupil, kind=ActionKind.SHARE_BEFORE_LEAVING)


def in_ten_days():
    return timezone.localdate() + timedelta(days=10)


def test_a_leaving_recorded_ahead_prompts_sharing_before_the_leaving_day(client, school, dsl, on_cp_plan):
    sign_in(client, dsl)
    leaving_on = in_ten_days()
    response = record(client, on_cp_plan, "leaving", leaving_on, follow=True)
    page = text(response)
    assert f"A task is set for you, due {leaving_on:%-d %B %Y}" in page and CONSIDER in page
    assert "The child stays on roll until you record that they left." in page

    task = share_tasks(on_cp_plan).get()
    assert (task.owner, task.status, task.concern) == (dsl, "open", None)
    assert task.due_at == calendar.school_day_start(school, leaving_on)
    assert "on a child protection plan" in task.notes and "KCSIE Annex C" in task.notes
    assert "Sam Ortiz" in task.notes  # whom to talk to
    on_cp_plan.refresh_from_db()
    assert on_cp_plan.on_roll and on_cp_plan.left_on is None
    # Nothing of R38 or R55 yet: the child has not left.
    assert not Action.objects.filter(pupil=on_cp_plan, kind=ActionKind.INFORM_SOCIAL_WORKER).exists()
    assert not FileTransfer.objects.exists()
    line = ChronologyEntry.objects.get(pupil=on_cp_plan, kind=ChronologyKind.LEAVING)
    assert line.summary.startswith(f"Due to leave the school on {leaving_on:%-d %B %Y}. Destination and circumstances:")
    assert "so a task was set for Helen Marsh (Designated Safeguarding Lead) to consider sharing" in line.summary


def test_a_child_in_channel_is_prompted_too(client, dsl, pupil):
    flag(pupil, "prevent_channel")
    sign_in(client, dsl)
    record(client, pupil, "leaving", in_ten_days())
    assert "supported through Channel (Prevent)" in share_tasks(pupil).get().notes


@pytest.mark.parametrize("kind", ["send", "young_carer", "early_help"])
def test_no_prompt_for_a_child_without_a_social_worker_or_channel(client, dsl, pupil, kind):
    flag(pupil, kind)
    sign_in(client, dsl)
    record(client, pupil, "leaving", in_ten_days())
    assert not share_tasks(pupil).exists()
    assert PupilEvent.objects.filter(pupil=pupil, kind="leaving").exists()


def test_the_day_itself_sets_no_second_prompt_but_still_r38s_task(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    record(client, on_cp_plan, "leaving", timezone.localdate())
    record(client, on_cp_plan, "left", timezone.localdate())
    assert share_tasks(on_cp_plan).count() == 1
    assert Action.objects.filter(pupil=on_cp_plan, kind=ActionKind.INFORM_SOCIAL_WORKER).count() == 1
    on_cp_plan.refresh_from_db()
    assert not on_cp_plan.on_roll


def test_a_leaving_not_known_ahead_prompts_at_once(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    record(client, on_cp_plan, "left", timezone.localdate() - timedelta(days=1))
    task = share_tasks(on_cp_plan).get()
    assert task.due_at == NOW


def test_an_absence_sets_no_sharing_prompt(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    record(client, on_cp_plan, "absent", timezone.localdate())
    assert not share_tasks(on_cp_plan).exists()


def test_a_leaving_date_that_has_passed_is_refused_and_what_was_typed_stays(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    response = record(client, on_cp_plan, "leaving", timezone.localdate() - timedelta(days=1))
    assert response.status_code == 400
    page = text(response)
    assert "This date has passed: record that the child left the school instead." in page
    assert DETAILS in page
    assert not PupilEvent.objects.exists() and not share_tasks(on_cp_plan).exists()


def test_the_prompt_is_done_like_any_task_with_what_was_shared(client, dsl, on_cp_plan):
    from django.urls import reverse

    sign_in(client, dsl)
    record(client, on_cp_plan, "leaving", in_ten_days())
    task = share_tasks(on_cp_plan).get()
    done = reverse("concerns:complete_action", kwargs={"action_id": task.public_id})
    assert "Say what was done before marking the action done." in text(client.post(done, {"outcome": ""}, follow=True))
    task.refresh_from_db()
    assert task.is_open
    client.post(done, {"outcome": "Spoke to the DSL at Hawthorn Academy; plan and risk assessment sent securely."})
    task.refresh_from_db()
    assert task.status == "done"
    assert "Hawthorn Academy" in text(client.get(file_url(on_cp_plan)))


# --- Child-on-child: onward support needs and risks passed on -------------------------------------------------


@pytest.fixture
def child_on_child_transfer(client, school, dsl, teacher, pupil):
    """The child was the alleged perpetrator in a sexual harassment concern about another child, and has left."""
    raise_concern(
        author=teacher,
        school=school,
        subject=PupilFactory(school=school),
        category_codes=["sexual_harassment"],
        other_pupils=[(pupil, PupilRole.ALLEGED_PERPETRATOR)],
    )
    assert selectors.is_child_on_child_case(pupil)
    raise_concern(author=teacher, school=school, subject=pupil)  # a CP file of their own
    sign_in(client, dsl)
    record(client, pupil, "left", date(2026, 11, 23))
    return FileTransfer.objects.select_related("event", "pupil").get(pupil=pupil)


def test_sending_the_file_of_a_child_on_child_case_needs_the_onward_support(client, child_on_child_transfer):
    response = send(client, child_on_child_transfer, other_school="Hawthorn Academy, Leeds")
    assert response.status_code == 400
    page = text(response)
    assert "record the onward support needs and risks passed on" in page
    assert "Hawthorn Academy, Leeds" in page  # what was typed stays
    child_on_child_transfer.refresh_from_db()
    assert child_on_child_transfer.sent_on is None


def test_the_onward_support_is_kept_and_in_the_chronology(client, child_on_child_transfer):
    passed_on = "Separate classes and supervised social times; the risk assessment and its review date went too."
    response = send(client, child_on_child_transfer, onward_support=passed_on)
    assert response.status_code == 302
    child_on_child_transfer.refresh_from_db()
    assert child_on_child_transfer.onward_support == passed_on
    line = ChronologyEntry.objects.get(pupil=child_on_child_transfer.pupil, kind=ChronologyKind.CP_FILE_SENT)
    assert f"Onward support needs and risks passed on: {passed_on.rstrip('.')}." in line.summary


def test_other_files_go_without_it(client, school, dsl, teacher, pupil):
    raise_concern(author=teacher, school=school, subject=pupil, category_codes=["neglect"])
    assert not selectors.is_child_on_child_case(pupil)
    sign_in(client, dsl)
    record(client, pupil, "left", date(2026, 11, 23))
    transfer = FileTransfer.objects.select_related("event", "pupil").get(pupil=pupil)
    assert send(client, transfer).status_code == 302


def test_the_send_form_asks_for_it(client, child_on_child_transfer):
    page = text(client.get(file_url(child_on_child_transfer.pupil)))
    assert "This child was part of a child-on-child case: record the onward support needs" in page
    assert url(child_on_child_transfer.pupil, "transfer_sent") in page


def test_leaving_sooner_than_expected_brings_the_prompt_forward(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    record(client, on_cp_plan, "leaving", in_ten_days())
    record(client, on_cp_plan, "left", timezone.localdate())
    task = share_tasks(on_cp_plan).get()
    assert task.due_at <= timezone.now()
    assert "Later recorded: the child left the school on" in task.notes


def test_the_send_form_says_so_before_it_is_sent_and_the_card_shows_what_went(client, child_on_child_transfer):
    page = text(client.get(file_url(child_on_child_transfer.pupil)))
    assert "This child was part of a child-on-child case: record the onward support needs" in page
    send(client, child_on_child_transfer, onward_support="Separate classes at break and lunch.")
    page = text(client.get(file_url(child_on_child_transfer.pupil)))
    assert "Onward support needs and risks passed on: Separate classes at break and lunch." in page
    assert "This child was part of a child-on-child case" not in page  # the form is gone once sent


def test_a_child_who_then_leaves_with_no_new_school_closes_the_prompt(client, dsl, on_cp_plan):
    sign_in(client, dsl)
    record(client, on_cp_plan, "leaving", in_ten_days())
    client.post(
        event_url(on_cp_plan),
        {"kind": "left", "on": timezone.localdate().isoformat(), "details": DETAILS, "destination": "abroad"},
    )
    task = share_tasks(on_cp_plan).get()
    assert task.status == "done" and task.outcome.startswith("Not needed: the child left the school on")


def test_a_child_who_comes_back_and_leaves_again_is_prompted_again(client, clock, dsl, on_cp_plan):
    sign_in(client, dsl)
    record(client, on_cp_plan, "left", timezone.localdate())
    share_tasks(on_cp_plan).update(status="done", outcome="Shared with the new school.")
    on_cp_plan.on_roll, on_cp_plan.left_on = True, None  # back on roll (the pupil import does this)
    on_cp_plan.save()
    clock.shift(timedelta(days=7))  # a week later: the DSL signs in again
    sign_in(client, dsl)
    record(client, on_cp_plan, "leaving", in_ten_days())
    assert share_tasks(on_cp_plan).count() == 2


def test_a_witness_to_child_on_child_abuse_is_not_a_child_on_child_case(school, teacher, pupil):
    raise_concern(
        author=teacher,
        school=school,
        subject=PupilFactory(school=school),
        category_codes=["sexual_harassment"],
        other_pupils=[(pupil, PupilRole.WITNESS)],
    )
    assert not selectors.is_child_on_child_case(pupil)


def test_the_dsl_teams_categories_decide_over_the_reporters(school, teacher, dsl, pupil):
    from concerns.models import ConcernCategory

    concern = raise_concern(author=teacher, school=school, subject=pupil, category_codes=["bullying"])
    assert selectors.is_child_on_child_case(pupil)
    ConcernCategory.objects.create(concern=concern, code="neglect", chosen_by="dsl")
    assert not selectors.is_child_on_child_case(pupil)


def test_another_childs_send_form_has_no_child_on_child_warning(client, school, dsl, teacher, pupil):
    raise_concern(author=teacher, school=school, subject=pupil, category_codes=["neglect"])
    sign_in(client, dsl)
    record(client, pupil, "left", date(2026, 11, 23))
    assert "This child was part of a child-on-child case" not in text(client.get(file_url(pupil)))
