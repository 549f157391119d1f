"""R57, the "last known school" rule: where a child went decides whether this school keeps the whole record, and
whether a CP file goes on (R55). A child who left for home education or missing education is reported to the LA."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from concerns.models import (
    Action,
    ActionKind,
    ChronologyEntry,
    ChronologyKind,
    Destination,
    FileTransfer,
    PupilEvent,
    keeps_record,
)
from contacts.models import Purpose
from safeguarding.calendar import LONDON

from ..conftest import sign_in
from ..factories import ContactFactory, PupilFactory, raise_concern
from .test_inform_social_worker import DETAILS, event_url, file_url, text

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 30, tzinfo=LONDON)  # TODAY, a Monday morning in the autumn term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(
    ("destination", "kept"),
    [
        (Destination.SCHOOL, False),
        (Destination.INDEPENDENT, True),
        (Destination.POST_16, True),
        (Destination.HOME_EDUCATION, True),
        (Destination.MISSING, True),
        (Destination.ABROAD, True),
        (Destination.DIED, True),
    ],
)
def test_the_destination_decides_for_a_child_under_16(destination, kept):
    assert keeps_record(destination, date_of_birth=date(2014, 5, 1), left_on=TODAY) is kept


def test_a_child_who_leaves_at_16_or_over_leaves_the_record_here():
    sixteenth = date(2010, 11, 23)
    assert keeps_record(Destination.SCHOOL, date_of_birth=sixteenth, left_on=TODAY) is True
    assert keeps_record(Destination.SCHOOL, date_of_birth=sixteenth + timedelta(days=1), left_on=TODAY) is False


@pytest.fixture
def pupil(school, teacher):
    child = PupilFactory(school=school, legal_first_name="Esme", legal_last_name="Varga-Thornbury")
    child.date_of_birth = date(2013, 5, 1)  # 13
    child.save()
    raise_concern(author=teacher, school=school, subject=child)  # a CP file
    return child


def leave(client, pupil, destination, follow=True, kind="left"):
    data = {"kind": kind, "on": timezone.localdate().isoformat(), "details": DETAILS, "destination": destination}
    return client.post(event_url(pupil), data, follow=follow)


def test_leaving_without_saying_where_is_refused_and_what_was_typed_stays(client, dsl, pupil):
    sign_in(client, dsl)
    response = leave(client, pupil, "", follow=False)
    assert response.status_code == 400
    page = text(response)
    assert 'Choose where the child went ("Not known: child missing education" if nobody knows).' in page
    assert DETAILS in page
    assert not PupilEvent.objects.exists()
    pupil.refresh_from_db()
    assert pupil.on_roll


def test_to_another_school_the_file_goes_on_and_this_school_keeps_a_stub(client, dsl, pupil):
    sign_in(client, dsl)
    page = text(leave(client, pupil, "school"))
    assert "last known school" not in page.split("Leaving and absence")[0]  # not in the message
    event = PupilEvent.objects.get()
    assert event.keeps_record is False
    assert FileTransfer.objects.filter(pupil=pupil).exists()
    assert "The record goes on with the child" in page
    line = ChronologyEntry.objects.get(pupil=pupil, kind=ChronologyKind.LEFT).summary
    assert "Where to: another school in England." in line and "applies the retention policy" in line


def test_to_home_education_no_file_goes_and_the_la_is_told(client, school, dsl, pupil):
    ContactFactory(
        school=school, role="Children Missing Education team", email="cme@derby.example", purpose=Purpose.CME
    )
    sign_in(client, dsl)
    page = text(leave(client, pupil, "home_education"))
    assert "This school is the child's last known school: it keeps the whole record." in page
    assert "A task is set for you, due now: tell the local authority's children missing education team." in page
    assert not FileTransfer.objects.exists()
    assert not Action.objects.filter(kind=ActionKind.SEND_CP_FILE).exists()
    task = Action.objects.get(pupil=pupil, kind=ActionKind.CME_EHE_NOTIFICATION)
    assert task.owner == dsl and task.due_at <= timezone.now()
    assert "Children Missing Education team (Derby): 01332 000000, cme@derby.example." in task.notes
    assert task.notes.startswith("The child left the school on ")
    assert PupilEvent.objects.get().keeps_record is True


@pytest.mark.parametrize("destination", ["abroad", "died"])
def test_abroad_or_died_keeps_the_record_with_no_file_to_send_and_no_la_task(client, dsl, pupil, destination):
    sign_in(client, dsl)
    leave(client, pupil, destination)
    assert PupilEvent.objects.get().keeps_record is True
    assert not FileTransfer.objects.exists()
    assert not Action.objects.filter(kind=ActionKind.CME_EHE_NOTIFICATION).exists()


def test_to_college_the_file_goes_on_and_this_school_also_keeps_the_record(client, dsl, pupil):
    sign_in(client, dsl)
    leave(client, pupil, "post_16")
    assert PupilEvent.objects.get().keeps_record is True
    assert FileTransfer.objects.filter(pupil=pupil).exists()


def test_an_absence_keeps_no_destination(client, dsl, pupil):
    sign_in(client, dsl)
    leave(client, pupil, "abroad", kind="absent")
    event = PupilEvent.objects.get()
    assert (event.destination, event.keeps_record) == ("", None)


def test_the_file_shows_where_the_child_went(client, dsl, pupil):
    sign_in(client, dsl)
    leave(client, pupil, "abroad")
    page = text(client.get(file_url(pupil)))
    assert "Where to: Moved abroad." in page
    assert "This school is the child's last known school: it keeps the whole record." in page


def test_a_29_february_birthday_turns_16_on_1_march_in_other_years():
    born = date(2008, 2, 29)
    assert keeps_record(Destination.SCHOOL, date_of_birth=born, left_on=date(2024, 2, 28)) is False
    assert keeps_record(Destination.SCHOOL, date_of_birth=born, left_on=date(2024, 2, 29)) is True
    assert keeps_record(Destination.SCHOOL, date_of_birth=date(2009, 2, 28), left_on=date(2025, 2, 28)) is True


def test_a_child_who_has_left_cannot_leave_again(client, dsl, pupil):
    sign_in(client, dsl)
    leave(client, pupil, "school")
    response = leave(client, pupil, "abroad", follow=False)
    assert response.status_code == 400
    assert "This child is already recorded as having left on" in text(response)
    assert PupilEvent.objects.count() == 1 and FileTransfer.objects.count() == 1


def test_a_leaving_still_to_come_cannot_be_missing_or_a_death(client, dsl, pupil):
    sign_in(client, dsl)
    data = {"kind": "leaving", "on": timezone.localdate().isoformat(), "details": DETAILS, "destination": "died"}
    response = client.post(event_url(pupil), data)
    assert response.status_code == 400
    assert "For a leaving still to come, choose where the child will go" in text(response)


def test_a_child_the_roll_import_took_off_roll_can_still_be_recorded_as_left(client, dsl, pupil):
    """A whole-roll import marks a leaver off roll without saying where they went; the DSL then records it (once),
    and the file's transfer starts as for any leaving."""
    pupil.on_roll, pupil.left_on = False, timezone.localdate()
    pupil.save(update_fields=["on_roll", "left_on"])
    sign_in(client, dsl)
    assert leave(client, pupil, "school").status_code == 200
    assert PupilEvent.objects.filter(pupil=pupil, kind="left").count() == 1 and FileTransfer.objects.count() == 1
    assert leave(client, pupil, "abroad", follow=False).status_code == 400
    assert leave(client, pupil, "school", follow=False, kind="leaving").status_code == 400
