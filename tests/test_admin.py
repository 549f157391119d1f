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


@pytest.mark.django_db
def test_it_admin_never_sees_a_two_factor_secret(itadmin, school, make_person, signed_in):
    """The admin shows no device's key or QR code: whoever saw it could make that person's codes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    dsl = make_person(Role.DSL, school=school, username="lead")
    device = TOTPDevice.objects.create(user=dsl, name="Phone", confirmed=True)
    client = signed_in(itadmin)
    assert client.get(reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})).status_code == 403
    assert client.get(reverse("admin:otp_totp_totpdevice_qrcode", kwargs={"pk": device.pk})).status_code == 403
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert device.key not in page


@pytest.mark.django_db
def test_it_admin_cannot_reset_a_superuser(itadmin, signed_in):
    """A superuser's password and device are out of the IT administrator's reach."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    device = TOTPDevice.objects.create(user=root, name="Phone", confirmed=True)
    client = signed_in(itadmin)
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])  # Django names it so for any user model
    response = client.post(password_url, {"password1": "x-new-password-1", "password2": "x-new-password-1"})
    assert response.status_code == 403
    root.refresh_from_db()
    assert not root.check_password("x-new-password-1")
    client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
