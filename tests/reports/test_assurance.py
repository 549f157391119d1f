"""R89: the annual assurance dates, recorded by the DSL team or the Head and shown in every report."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from safeguarding.models import AssuranceCheck, AssuranceKind, Role

from ..conftest import sign_in
from .helpers import read_report

pytestmark = pytest.mark.django_db
URL = reverse("reports:assurance")


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER])
def test_the_dsl_team_or_the_head_records_a_check(client, school, make_person, role):
    person = make_person(role, school=school)
    sign_in(client, person)
    response = client.post(URL, {"kind": AssuranceKind.SDAT_CHECKLIST, "done_on": "2025-11-20", "next_due": ""})
    assert response.status_code == 302
    check = AssuranceCheck.objects.get()
    assert (check.school, check.recorded_by, check.done_on) == (school, person, date(2025, 11, 20))
    assert check.next_due == date(2026, 11, 20)  # a year on, when left empty
    assert "DDSCP SDAT checklist" in client.get(response.url).content.decode()


def test_bad_dates_get_a_clear_message_and_keep_what_was_typed(client, school, make_person):
    sign_in(client, make_person(Role.DSL, school=school))
    tomorrow = date.today() + timedelta(days=1)
    response = client.post(URL, {"kind": AssuranceKind.POLICY_REVIEW, "done_on": tomorrow.isoformat(), "next_due": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "This date is in the future" in page and tomorrow.isoformat() in page
    response = client.post(
        URL, {"kind": AssuranceKind.POLICY_REVIEW, "done_on": "2025-09-01", "next_due": "2025-08-01"}
    )
    assert "The next check must be due after this one was done." in response.content.decode()
    response = client.post(URL, {"kind": "", "done_on": "not a date"})
    assert "This field is required." in response.content.decode() and "not a date" in response.content.decode()
    assert not AssuranceCheck.objects.exists()


@pytest.mark.parametrize("role", [Role.TRUSTEE, Role.CHAIR, Role.STAFF, Role.IT_ADMIN, Role.DPO])
def test_others_cannot_record_checks(client, school, make_person, role):
    sign_in(client, make_person(role, school=school))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"kind": AssuranceKind.SDAT_CHECKLIST, "done_on": "2025-11-20"}).status_code == 403


def test_the_school_comes_from_the_person_not_the_form(client, school, other_school, make_person):
    """Naming another school in the form records nothing there: the DSL's own school is used."""
    sign_in(client, make_person(Role.DSL, school=school))
    client.post(
        URL, {"school": str(other_school.public_id), "kind": AssuranceKind.SDAT_CHECKLIST, "done_on": "2025-11-20"}
    )
    assert AssuranceCheck.objects.get().school == school


def test_the_report_shows_the_latest_and_flags_an_overdue_one(client, school, make_person, terms):
    dsl = make_person(Role.DSL, school=school)
    for done_on in (date(2023, 11, 1), date(2024, 11, 1)):
        AssuranceCheck.objects.create(
            school=school,
            kind=AssuranceKind.SDAT_CHECKLIST,
            done_on=done_on,
            next_due=done_on.replace(year=done_on.year + 1),
            recorded_by=dsl,
        )
    sign_in(client, make_person(Role.TRUSTEE, school=school))
    page = read_report(client, reverse("reports:term", args=["2025-26", "summer"])).content.decode()
    section = page.split("Annual assurance checks")[1]
    assert "1 November 2024" in section and "1 November 2023" not in section
    assert "overdue" in section
    assert "Not recorded" in section  # the three other checks
