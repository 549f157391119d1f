"""Issue 18, items 2 and 3 (R12, R23): lateness is about a member of staff writing up what they themselves saw or
heard, judged from when they first wrote it down; a notification the school receives, or a record the app makes,
is never late. The DSL team back-enters a paper form (or a concern told earlier) with the time it was first
written, shown beside the time it was entered, with its scan.

The clock is frozen: the school day ends at 15:30, and "yesterday" must be a school day whatever day the suite
runs.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from concerns.models import ChronologyEntry, Concern, ConcernKind
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PDF_BYTES, PupilFactory, concern_input, raise_concern
from ..staff_allegations.conftest import report as report_adult_concern
from .test_raise_view import page_text, raise_form_data

LONDON = ZoneInfo("Europe/London")
# Wednesday 2 December 2026, 11:00: the Monday before was a school day, and so was Tuesday.
WEDNESDAY_11 = datetime(2026, 12, 2, 11, 0, tzinfo=LONDON)
MONDAY_0950 = datetime(2026, 11, 30, 9, 50, tzinfo=LONDON)
MONDAY_1020 = datetime(2026, 11, 30, 10, 20, tzinfo=LONDON)
MONDAY_1645 = datetime(2026, 11, 30, 16, 45, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def wednesday_morning():
    with time_machine.travel(WEDNESDAY_11, tick=False):
        yield


@pytest.fixture
def dsl(school, make_person):
    return make_person(Role.DSL, school=school, first_name="Helen", last_name="Marsh")


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school, first_name="Priya", last_name="Sharma")


def _scan(name="paper-form.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def back_entry(pupil, teacher, *, how="paper", first=MONDAY_1020, happened=MONDAY_0950, **overrides):
    data = {
        **raise_form_data(pupil, happened_at=happened),
        "reporter": teacher.pk,
        "how": how,
        "first_recorded_on": first.date().isoformat() if first else "",
        "first_recorded_time": first.strftime("%H:%M") if first else "",
        "attachments": [_scan()],
    }
    data.update(overrides)
    return data


# --- Item 2: lateness is for a person's own account -------------------------------------------------------------


@pytest.mark.django_db
def test_a_teachers_concern_about_monday_written_on_wednesday_is_still_late(school, teacher, dsl):
    concern = raise_concern(author=teacher, school=school, happened_at=MONDAY_0950)
    assert concern.is_late is True


@pytest.mark.django_db
def test_a_police_notification_received_the_next_morning_is_not_late(client, school, dsl):
    """The incident was on Monday night; the notification came on Wednesday morning: nobody was late."""
    pupil = PupilFactory(school=school)
    sign_in(client, dsl)
    response = client.post(
        reverse("concerns:record_police_notification"),
        {
            "idempotency_key": raise_form_data(pupil)["idempotency_key"],
            "subject": str(pupil.public_id),
            "police_reference": "DY-2026-1130",
            "happened_on": "2026-11-30",
            "happened_time": "21:40",
            "location": "The family home",
            "child_present": "yes",
            "child_voice": "",
            "officer": "Hannah Burrows, police constable, Derbyshire Constabulary",
            "account": "Police attended a domestic incident at the home.",
        },
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.kind == ConcernKind.DOMESTIC_ABUSE_NOTIFICATION
    assert concern.is_late is False
    assert "Late" not in page_text(client.get(response.url))


@pytest.mark.django_db
def test_the_welfare_concern_an_allegation_opens_is_made_by_the_app_and_never_late(school, teacher, dsl, make_person):
    adult = make_person(Role.STAFF, school=school)
    child = PupilFactory(school=school)
    report_adult_concern(teacher, school, subject=adult, allegation=True, child=child, happened_at=MONDAY_0950)
    concern = Concern.objects.get()
    assert concern.kind == ConcernKind.ALLEGATION_WELFARE
    assert concern.is_late is False


@pytest.mark.django_db
def test_the_migration_clears_late_marks_on_what_was_nobodys_own_account(school, teacher, dsl, make_person):
    """Records made before the fix: a police notification and an allegation's welfare concern wrongly marked late,
    and a teacher's late concern, which stays late."""
    from importlib import import_module

    migration = import_module("concerns.migrations.0015_back_entry_la_outcome")
    adult = make_person(Role.STAFF, school=school)
    report_adult_concern(teacher, school, subject=adult, allegation=True, child=PupilFactory(school=school))
    welfare = Concern.objects.get()
    late_teacher = raise_concern(author=teacher, school=school, happened_at=MONDAY_0950)
    notification = raise_concern(author=dsl, school=school, happened_at=MONDAY_0950)
    Concern.objects.filter(pk=notification.pk).update(kind=ConcernKind.DOMESTIC_ABUSE_NOTIFICATION, is_late=True)
    Concern.objects.filter(pk=welfare.pk).update(kind=ConcernKind.CONCERN, is_late=True)

    migration.not_late_unless_own_account(django_apps, None)

    welfare.refresh_from_db(), notification.refresh_from_db(), late_teacher.refresh_from_db()
    assert (welfare.kind, welfare.is_late) == (ConcernKind.ALLEGATION_WELFARE, False)
    assert notification.is_late is False
    assert late_teacher.is_late is True


# --- Item 3: a record back-entered with the time it was first written ------------------------------------------


@pytest.mark.django_db
def test_a_paper_form_from_monday_is_entered_with_its_own_time_and_is_not_late(client, school, teacher, dsl):
    pupil = PupilFactory(school=school)
    sign_in(client, dsl)
    response = client.post(reverse("concerns:record_verbal"), back_entry(pupil, teacher))
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.kind == ConcernKind.PAPER
    assert concern.author == teacher and concern.transcribed_by == dsl
    assert concern.first_recorded_at == MONDAY_1020
    assert concern.recorded_at == WEDNESDAY_11
    assert concern.is_late is False
    assert concern.attachments.get().original_name == "paper-form.pdf"
    page = page_text(client.get(response.url))
    assert "First written on paper Monday 30 November 2026, 10:20; entered Wednesday 2 December 2026, 11:00" in page
    assert "Late" not in page
    # The chronology places it on the day it was written, and says when it was entered.
    line = ChronologyEntry.objects.get(concern=concern)
    assert line.occurred_at == MONDAY_1020
    assert "written on a paper form and entered by Helen Marsh" in line.summary
    assert "First written down or given 30 November 2026 at 10:20; entered 2 December 2026 at 11:00." in line.summary


@pytest.mark.django_db
def test_a_paper_form_written_after_the_end_of_that_school_day_is_late(client, school, teacher, dsl):
    sign_in(client, dsl)
    client.post(reverse("concerns:record_verbal"), back_entry(PupilFactory(school=school), teacher, first=MONDAY_1645))
    assert Concern.objects.get().is_late is True


@pytest.mark.django_db
def test_a_concern_told_earlier_today_keeps_the_time_it_was_told(client, school, teacher, dsl):
    told = WEDNESDAY_11 - timedelta(hours=1)
    sign_in(client, dsl)
    response = client.post(
        reverse("concerns:record_verbal"),
        back_entry(PupilFactory(school=school), teacher, how="verbal", first=told, happened=told - timedelta(hours=1)),
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert (concern.kind, concern.first_recorded_at) == (ConcernKind.VERBAL, told)
    assert "First given Wednesday 2 December 2026, 10:00; entered" in page_text(client.get(response.url))


@pytest.mark.django_db
def test_a_verbal_concern_told_just_now_needs_no_time(client, school, teacher, dsl):
    sign_in(client, dsl)
    data = back_entry(PupilFactory(school=school), teacher, how="verbal", first=None)
    data.pop("attachments")
    response = client.post(reverse("concerns:record_verbal"), data)
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.first_recorded_at is None and concern.kind == ConcernKind.VERBAL


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"first_recorded_on": "", "first_recorded_time": ""}, "first_recorded_on", "written on the paper form"),
        ({"first_recorded_time": ""}, "first_recorded_time", "Give the time it was first written"),
        ({"first_recorded_on": ""}, "first_recorded_on", "Give the date it was first written"),
        ({"first_recorded_on": "2026-12-02", "first_recorded_time": "15:00"}, "first_recorded_time", "in the future"),
        ({"first_recorded_on": "2026-11-29", "first_recorded_time": "09:00"}, "first_recorded_on", "before the time"),
        ({"attachments": []}, "attachments", "Attach the scan of the paper form"),
    ],
)
def test_a_wrong_back_entry_is_refused_with_a_clear_message_and_keeps_what_was_typed(
    client, school, teacher, dsl, change, field, message
):
    sign_in(client, dsl)
    data = back_entry(PupilFactory(school=school), teacher)
    data.update(change)
    response = client.post(reverse("concerns:record_verbal"), data)
    assert response.status_code == 400
    assert not Concern.objects.exists()
    page = response.content.decode()
    assert message in page
    assert "During the lesson" in page or data["account"][:20] in page  # the account typed is still there
    form = response.context["reporter_form"] if field != "attachments" else response.context["form"]
    assert field in form.errors


@pytest.mark.django_db
def test_only_the_dsl_team_back_enters_a_record(school, teacher):
    with pytest.raises(ValidationError, match="Only the DSL team back-enters"):
        from concerns.services import raising

        raising.concern_raise(
            author=teacher,
            school=school,
            data=concern_input(subject=PupilFactory(school=school)),
            first_recorded_at=MONDAY_1020,
        )
