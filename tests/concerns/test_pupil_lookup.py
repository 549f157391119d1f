"""R51: authorised staff see that a safeguarding file is held, never what it holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern

LOOKUP = reverse("concerns:pupil_lookup")


@pytest.fixture
def pupils(school, teacher):
    with_file = PupilFactory(school=school, legal_first_name="Keira", legal_last_name="Holloway")
    without = PupilFactory(school=school, legal_first_name="Keith", legal_last_name="Holloway")
    raise_concern(author=teacher, school=school, subject=with_file, account="Words the SENCo must never see.")
    return with_file, without


@pytest.mark.django_db
def test_the_senco_sees_the_tag_and_nothing_more(client, school, make_person, pupils):
    """The SENCo finds both pupils; only the one with a file carries the tag, and no concern text appears."""
    with_file, without = pupils
    sign_in(client, make_person(Role.SENCO, school=school))
    page = client.post(LOOKUP, {"q": "Holloway"}).content.decode()
    rows = {name: page.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Keira Holloway", "Keith Holloway")}
    assert "Safeguarding file held" in rows["Keira Holloway"]
    assert "Safeguarding file held" not in rows["Keith Holloway"]
    assert "Words the SENCo must never see." not in page
    assert reverse("concerns:pupil_file", args=[with_file.public_id]) not in page  # no link into the file


@pytest.mark.django_db
def test_plain_staff_cannot_look_pupils_up(client, school, make_person, pupils):
    """A teacher has no pupil look-up (they raise concerns with the raise form's search)."""
    sign_in(client, make_person(Role.STAFF, school=school))
    assert client.post(LOOKUP, {"q": "Holloway"}).status_code == 403


@pytest.mark.django_db
def test_the_lookup_costs_the_same_for_few_and_many_matches(client, school, dsl, pupils):
    """Whether a file is held comes in the same query as the pupils, however many match."""
    sign_in(client, dsl)
    client.post(LOOKUP, {"q": "Holloway"})
    with CaptureQueriesContext(connection) as few:
        client.post(LOOKUP, {"q": "Holloway"})
    PupilFactory.create_batch(20, school=school, legal_last_name="Holloway")
    with CaptureQueriesContext(connection) as many:
        client.post(LOOKUP, {"q": "Holloway"})
    assert len(many) == len(few)


# --- Issue 18, item 4: a child who has left is still found by the DSL team --------------------------------------


def _record_leaving(pupil, dsl):
    from datetime import date

    from concerns.models import Destination, PupilEvent, PupilEventKind
    from concerns.services import leaving

    event = PupilEvent(
        kind=PupilEventKind.LEFT,
        on=date(2026, 11, 27),
        details="Moved to Riverside Academy, Derby.",
        destination=Destination.SCHOOL,
    )
    leaving.pupil_event_record(user=dsl, pupil=pupil, event=event)
    pupil.refresh_from_db()
    assert not pupil.on_roll


@pytest.fixture
def wednesday():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(datetime(2026, 12, 2, 11, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


@pytest.mark.django_db
def test_the_dsl_finds_a_child_who_has_left_marked_as_left(client, school, dsl, pupils, wednesday):
    with_file, _ = pupils
    _record_leaving(with_file, dsl)
    sign_in(client, dsl)
    page = client.post(LOOKUP, {"q": "Keira"}).content.decode()
    row = page.split("Keira Holloway", 1)[1].split("</tr>", 1)[0]
    assert "Left on 27 November 2026" in row
    assert "Safeguarding file held" in row
    assert reverse("concerns:pupil_file", args=[with_file.public_id]) in page


@pytest.mark.django_db
def test_a_leaver_without_a_file_here_and_any_leaver_for_other_roles_stay_off_the_list(
    client, school, dsl, make_person, pupils, wednesday
):
    with_file, without = pupils
    _record_leaving(with_file, dsl)
    without.on_roll = False
    without.save()
    sign_in(client, dsl)
    page = client.post(LOOKUP, {"q": "Holloway"}).content.decode()
    assert "Keira Holloway" in page and "Keith Holloway" not in page  # no file held for Keith: nothing to find
    client.logout()
    sign_in(client, make_person(Role.SENCO, school=school))
    page = client.post(LOOKUP, {"q": "Holloway"}).content.decode()
    assert "Keira Holloway" not in page  # the SENCo's list is today's roll


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["10q", "10Q", "B123456789012", "b123456789012", "Keira 10Q"])
def test_the_lookup_matches_a_whole_form_or_upn(client, school, dsl, query):
    PupilFactory(school=school, legal_first_name="Keira", legal_last_name="Holloway", form="10Q", upn="B123456789012")
    PupilFactory(school=school, legal_first_name="Keith", legal_last_name="Holloway", form="10QX", upn="B123456789013")
    sign_in(client, dsl)
    page = client.post(LOOKUP, {"q": query}).content.decode()
    assert "Keira Holloway" in page and "Keith Holloway" not in page
