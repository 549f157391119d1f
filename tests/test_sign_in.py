"""Signing in and out: passwords, the second factor for content roles, safe redirects and lockout."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding.models import Role

from .conftest import TOTP_KEY_HEX, current_code

PASSWORD = "correct-horse-battery"


def post_login(client, username, password=PASSWORD, next_url=None, address="10.0.0.1"):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def give_device(user):
    return TOTPDevice.objects.create(user=user, name="Phone", key=TOTP_KEY_HEX, confirmed=True)


@pytest.mark.django_db
def test_staff_sign_in_with_a_password_alone(client, school, make_person):
    """A plain member of staff reaches their home, the Raise a Concern page, after the password."""
    make_person(Role.STAFF, school=school, username="teacher")
    response = post_login(client, "teacher")
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).url == reverse("concerns:raise")


@pytest.mark.django_db
def test_dsl_needs_the_code_from_their_app(client, school, make_person, settings):
    """The DSL is stopped at the code step; a wrong code is explained; the right one lets them in."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # throttling has its own test
    dsl = make_person(Role.DSL, school=school, username="lead")
    give_device(dsl)
    response = post_login(client, "lead", next_url="/audit/")
    assert response.status_code == 302
    response = client.get(response.url, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_verify"))
    assert client.get(reverse("contacts:directory")).url.startswith(reverse("two_factor_verify"))

    wrong = client.post(reverse("two_factor_verify") + "?next=/audit/", {"otp_token": "000000"})
    assert "That code is not right" in wrong.content.decode()

    code = current_code()
    right = client.post(reverse("two_factor_verify"), {"otp_token": code, "next": "/audit/"})
    assert right.status_code == 302 and right.url == "/audit/"
    assert client.get(reverse("audit_log")).status_code == 200


@pytest.mark.django_db
def test_first_sign_in_sets_up_the_authenticator(client, school, make_person):
    """A DSL with no device is shown a key and QR code, and confirming a code finishes the set-up."""
    make_person(Role.DSL, school=school, username="newlead")
    post_login(client, "newlead")
    page = client.get(reverse("home"), follow=True)
    assert page.redirect_chain[-1][0].startswith(reverse("two_factor_setup"))
    html = page.content.decode()
    assert "data:image/svg+xml;base64," in html
    device = TOTPDevice.objects.get(user__username="newlead", confirmed=False)
    secret = __import__("base64").b32encode(device.bin_key).decode()
    assert secret in html
    response = client.post(reverse("two_factor_setup"), {"otp_token": current_code(secret)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("contacts:directory")).status_code == 200


@pytest.mark.django_db
def test_next_never_leaves_the_site(client, school, make_person):
    """A `next` pointing at another site is ignored; the person lands on their home page."""
    make_person(Role.STAFF, school=school, username="teacher")
    response = post_login(client, "teacher", next_url="https://evil.example/steal")
    assert response.url == reverse("home")


@pytest.mark.django_db
def test_wrong_passwords_lock_that_username_from_that_address_only(client, school, make_person):
    """After five wrong passwords the account is paused from that address, but not for the rest of the school."""
    make_person(Role.STAFF, school=school, username="teacher")
    for _ in range(4):
        assert post_login(client, "teacher", password="wrong-password").status_code == 200
    assert post_login(client, "teacher", password="wrong-password").status_code == 429
    locked = post_login(client, "teacher")
    assert locked.status_code == 429
    assert "Signing in is paused" in locked.content.decode()
    elsewhere = post_login(client, "teacher", address="10.0.0.2")
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_keeps_the_username(client, school, make_person):
    """A failed sign-in explains itself and keeps the typed username."""
    make_person(Role.STAFF, school=school, username="teacher")
    page = post_login(client, "teacher", password="nope-nope-nope").content.decode()
    assert "Please enter a correct username and password" in page
    assert 'value="teacher"' in page


@pytest.mark.django_db
def test_sign_out_is_a_post(client, school, make_person, signed_in):
    """Signing out ends the session; a plain link (GET) cannot sign anyone out."""
    signed_in(make_person(Role.STAFF, school=school))
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).url.startswith(reverse("login"))


@pytest.mark.django_db
def test_codes_are_throttled_after_a_wrong_one(client, school, make_person):
    """Straight after a wrong code even the right one is refused for a moment, so codes cannot be guessed fast."""
    dsl = make_person(Role.DSL, school=school, username="lead")
    give_device(dsl)
    post_login(client, "lead")
    client.post(reverse("two_factor_verify"), {"otp_token": "000000"})
    page = client.post(reverse("two_factor_verify"), {"otp_token": current_code()}).content.decode()
    assert "Too many wrong codes in a row" in page
    assert client.get(reverse("contacts:directory")).url.startswith(reverse("two_factor_verify"))


@pytest.mark.django_db
def test_a_password_alone_cannot_change_the_password(client, school, make_person):
    """Before the code step a DSL's session cannot reach the password change, so a stolen password locks nobody out."""
    dsl = make_person(Role.DSL, school=school, username="lead")
    give_device(dsl)
    post_login(client, "lead")
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_verify"))
