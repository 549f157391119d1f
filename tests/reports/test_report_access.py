"""Who reads the report (R87–R89): the DSL team, the Head, the Chair and trustees of the school; a trust's roles
for all its schools. Nobody reaches a record from it (R88)."""

import pytest
from django.urls import reverse

from safeguarding import access
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import raise_concern

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "reads"),
    [
        (Role.DSL, True),
        (Role.DEPUTY_DSL, True),
        (Role.HEADTEACHER, True),
        (Role.CHAIR, True),
        (Role.TRUSTEE, True),
        (Role.TRUST_SAFEGUARDING_LEAD, True),
        (Role.TRUST_TRUSTEE, True),
        (Role.STAFF, False),
        (Role.SENIOR_LEADER, False),
        (Role.DPO, False),
        (Role.IT_ADMIN, False),
        (Role.PASTORAL, False),
        (Role.SENCO, False),
    ],
)
def test_who_reads_a_schools_report(school, other_school, make_person, role, reads):
    person = make_person(role, school=school)
    assert access.can_view_school_report(person, school) is reads
    assert access.can_view_school_report(person, other_school) is False  # another trust


def test_trust_roles_read_every_school_of_their_trust_and_the_trust_view(school, other_school, make_person):
    other_school.trust = school.trust
    other_school.save()
    lead = make_person(Role.TRUST_SAFEGUARDING_LEAD, school=school)
    assert set(access.report_schools_for(lead)) == {school, other_school}
    assert access.report_trust_ids_for(lead) == [school.trust_id]
    trustee = make_person(Role.TRUSTEE, school=school)
    assert access.report_schools_for(trustee) == [school] and access.report_trust_ids_for(trustee) == []


@pytest.mark.parametrize("role", [Role.TRUSTEE, Role.TRUST_TRUSTEE, Role.TRUST_SAFEGUARDING_LEAD])
def test_trustees_and_trust_roles_start_on_the_reports_and_see_them_in_the_menu(client, school, make_person, role):
    person = make_person(role, school=school)
    assert access.home_url(person) == reverse("reports:index")
    sign_in(client, person)
    nav = client.get(reverse("reports:index")).content.decode().split('aria-label="Main"')[1].split("</nav>")[0]
    assert "Reports" in nav


def test_a_trustee_reaches_no_record(client, school, make_person):
    """Every page about a concern or a child answers a trustee as if it did not exist (the access matrix covers
    every address; this is the trustee's part of it, with a trust trustee beside them)."""
    teacher = make_person(Role.STAFF, school=school)
    concern = raise_concern(author=teacher, school=school)
    for role in (Role.TRUSTEE, Role.TRUST_TRUSTEE):
        client.logout()
        sign_in(client, make_person(role, school=school))
        for url in (
            reverse("concerns:detail", args=[concern.public_id]),
            reverse("concerns:pupil_file", args=[concern.subject.public_id]),
            reverse("concerns:pupil_file_pdf", args=[concern.subject.public_id]),
        ):
            assert client.get(url).status_code == 404, (role, url)
        assert client.get(reverse("concerns:queue")).status_code == 403
        assert client.get(reverse("audit_log")).status_code == 403
