"""R48–R50: flags with dates and a source, key people, for safeguarding roles only; no orientation or identity flag."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from concerns.models import FlagKind, KeyPerson, PupilFlag
from safeguarding.calendar import LONDON

from ..conftest import sign_in
from ..factories import PupilFactory


@pytest.fixture(autouse=True)
def clock():
    """A Wednesday in the autumn term: a flag that started on 10 September is ended today, after it began."""
    with time_machine.travel(datetime(2026, 12, 2, 10, 30, tzinfo=LONDON), tick=False) as traveller:
        yield traveller


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school)


def add_url(pupil, record):
    return reverse("concerns:add_profile", kwargs={"public_id": pupil.public_id, "record": record})


def test_there_is_no_flag_for_sexual_orientation_or_gender_identity():
    """R49: data minimisation: no such flag exists to be set."""
    labels = " ".join(label.lower() for _, label in FlagKind.choices)
    for word in ("orientation", "gender", "lgbt", "sexuality", "trans"):
        assert word not in labels


@pytest.mark.django_db
def test_the_dsl_adds_a_flag_with_its_dates_and_source_and_ends_it(client, pupil, dsl):
    """A flag keeps its start, end and source; ending it keeps its history on the file."""
    sign_in(client, dsl)
    response = client.post(
        add_url(pupil, "flag"),
        {"kind": "child_protection", "starts_on": "2026-09-10", "source": "Derby Initial Response Team", "details": ""},
    )
    assert response.status_code == 302
    flag = PupilFlag.objects.get(pupil=pupil)
    assert flag.recorded_by == dsl and flag.source == "Derby Initial Response Team"
    page = client.get(reverse("concerns:pupil_file", args=[pupil.public_id])).content.decode()
    assert "Child protection plan" in page and "Derby Initial Response Team" in page
    client.post(reverse("concerns:end_flag", kwargs={"public_id": pupil.public_id, "flag_id": flag.pk}))
    flag.refresh_from_db()
    assert flag.ends_on is not None and PupilFlag.objects.filter(pupil=pupil).count() == 1


@pytest.mark.django_db
def test_a_flag_ending_before_it_starts_is_refused(client, pupil, dsl):
    """The dates are checked, and what was typed comes back."""
    sign_in(client, dsl)
    response = client.post(
        add_url(pupil, "flag"),
        {"kind": "send", "starts_on": "2026-09-10", "ends_on": "2026-09-01", "source": "SENCo records"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The end is before the start." in page and "SENCo records" in page


@pytest.mark.django_db
def test_key_people_and_the_two_emergency_contacts_rule(client, pupil, dsl):
    """R50: a social worker and emergency contacts are kept; fewer than two emergency contacts is flagged."""
    sign_in(client, dsl)
    file_url = reverse("concerns:pupil_file", args=[pupil.public_id])
    assert "Fewer than two emergency contacts" in client.get(file_url).content.decode()
    for name in ("Grace Adeyemi", "Tunde Adeyemi"):
        client.post(
            add_url(pupil, "person"),
            {"kind": "emergency_contact", "name": name, "relationship_or_team": "Parent", "phone": "07700 900000"},
        )
    client.post(
        add_url(pupil, "person"),
        {"kind": "social_worker", "name": "Sam Ortiz", "relationship_or_team": "Locality 2, Derby City Council"},
    )
    assert KeyPerson.objects.filter(pupil=pupil).count() == 3
    page = client.get(file_url).content.decode()
    assert "Fewer than two emergency contacts" not in page and "Sam Ortiz" in page


@pytest.mark.django_db
def test_initials_are_refused_for_key_people(client, pupil, dsl):
    """Full names, never initials (R8)."""
    sign_in(client, dsl)
    response = client.post(
        add_url(pupil, "person"), {"kind": "emergency_contact", "name": "G. Adeyemi", "relationship_or_team": "Mum"}
    )
    assert response.status_code == 400
    assert not KeyPerson.objects.exists()


@pytest.mark.django_db
def test_staff_see_no_flags(client, school, pupil, teacher):
    """Only safeguarding roles see or set flags (R48)."""
    PupilFlag.objects.create(
        school=school,
        pupil=pupil,
        kind="looked_after",
        starts_on=date(2026, 1, 5),
        source="Virtual School",
        recorded_by=teacher,
        recorded_by_name="x",
        recorded_by_role="y",
    )
    sign_in(client, teacher)
    assert client.get(reverse("concerns:pupil_file", args=[pupil.public_id])).status_code == 404
    assert client.post(add_url(pupil, "flag"), {"kind": "send"}).status_code == 404
