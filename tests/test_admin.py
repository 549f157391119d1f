"""The IT administrator's /admin/: people, schools and roles, never safeguarding content, never self-granted."""

import pytest
from django.urls import reverse

from safeguarding.models import Membership, Role

from .factories import ContactFactory


@pytest.fixture
def itadmin(school, make_person):
    return make_person(Role.IT_ADMIN, school=school, first_name="Chris", last_name="Lowe")


@pytest.mark.django_db
def test_admin_lists_people_schools_and_roles_only(itadmin, school, signed_in):
    """The admin index offers users, schools, trusts, memberships, devices and lockouts; no audit log or contacts."""
    ContactFactory(school=school, role="Secret-free but not admin business")
    page = signed_in(itadmin).get(reverse("admin:index")).content.decode()
    for label in ("Users", "Schools", "Memberships", "Trusts"):
        assert label in page
    for absent in ("Log entries", "Contacts", "Task results", "Secret-free"):
        assert absent not in page


@pytest.mark.django_db
def test_it_admin_adds_a_person_with_a_role(itadmin, school, signed_in):
    """The IT administrator gives another person the Deputy DSL role."""
    other = signed_in(itadmin)
    from .factories import UserFactory

    colleague = UserFactory(username="colleague")
    response = other.post(
        reverse("admin:safeguarding_membership_add"),
        {"user": colleague.pk, "school": school.pk, "role": Role.DEPUTY_DSL},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=colleague, role=Role.DEPUTY_DSL).exists()


@pytest.mark.django_db
def test_it_admin_cannot_grant_themselves_a_role(itadmin, school, signed_in):
    """A grant of access always needs a second person: the administrator's own roles are refused."""
    client = signed_in(itadmin)
    response = client.post(
        reverse("admin:safeguarding_membership_add"),
        {"user": itadmin.pk, "school": school.pk, "role": Role.DSL},
    )
    assert response.status_code == 200
    assert "You cannot change your own roles" in response.content.decode()
    assert not Membership.objects.filter(user=itadmin, role=Role.DSL).exists()


@pytest.mark.django_db
def test_it_admin_cannot_make_anyone_a_superuser(itadmin, school, signed_in, make_person):
    """Superuser status and groups are read-only for the IT administrator."""
    teacher = make_person(Role.STAFF, school=school, username="teacher")
    page = signed_in(itadmin).get(reverse("admin:safeguarding_user_change", args=[teacher.pk])).content.decode()
    assert 'name="is_superuser"' not in page
