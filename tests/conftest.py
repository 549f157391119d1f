import binascii
import os

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding import access
from safeguarding.models import Role

from .factories import MembershipFactory, SchoolFactory, UserFactory

# Demo TOTP secret from CONTRACT.md, as hex for django-otp.
TOTP_SECRET_BASE32 = "JBSWY3DPEHPK3PXP"
TOTP_KEY_HEX = binascii.hexlify(__import__("base64").b32decode(TOTP_SECRET_BASE32)).decode()


def current_code(secret_base32: str = TOTP_SECRET_BASE32) -> str:
    """The code an authenticator app shows now for `secret_base32`."""
    from django_otp.oath import TOTP

    return f"{TOTP(__import__('base64').b32decode(secret_base32)).token():06d}"


@pytest.fixture
def school(db):
    return SchoolFactory(name="West Park School")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="Riverside Academy")


@pytest.fixture
def make_person(db):
    """A person holding `roles` at `school` (a trust role takes the school's trust)."""

    def make(*roles, school, username=None, **fields):
        user = UserFactory(**({"username": username} if username else {}), **fields)
        for role in roles:
            if role in (Role.TRUST_SAFEGUARDING_LEAD, Role.TRUST_TRUSTEE):
                MembershipFactory(user=user, school=None, trust=school.trust, role=role)
            else:
                MembershipFactory(user=user, school=school, role=role)
        return user

    return make


def sign_in(client, user):
    """Signs `user` in on the test client, passing the second factor where their role needs it."""
    client.force_login(user)
    access.forget_grants(user)
    if access.requires_two_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="Test authenticator", defaults={"key": TOTP_KEY_HEX, "confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def signed_in(client):
    def do(user):
        return sign_in(client, user)

    return do


def pytest_collection_modifyitems(config, items):
    """Browser tests need a Chromium on the machine; without one they are skipped, unless E2E_REQUIRED=1."""
    from .e2e.browser import chromium_path

    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
    if chromium_path():
        return
    if os.environ.get("E2E_REQUIRED") == "1":
        return  # the browser fixture fails loudly instead
    skip = pytest.mark.skip(reason="no Chromium found (install chromium or set CHROMIUM_PATH); browser tests skipped")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)
