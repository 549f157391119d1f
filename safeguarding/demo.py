"""The demo school: West Park School (Derby), its published contacts and its demo accounts (CONTRACT.md).

Demo people are fictional; only the key-contacts directory is the one the school published in its policy.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from concerns.demo_concerns import load_demo_concerns
from concerns.demo_pupils import load_demo_pupils
from concerns.models import LevelOfNeed
from concerns.reference_data import ensure_levels_of_need
from contacts.directory_data import WEST_PARK_DIRECTORY
from contacts.models import Contact

from . import access
from .models import Membership, Role, School, Trust, User
from .reports.demo import load_demo_reports

DEMO_PASSWORD = "safeguarding-demo"  # noqa: S105 (published in CONTRACT.md; demo only)
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 (published in CONTRACT.md; demo only)
DEMO_TRUST = "Peak and Derwent Learning Trust"
DEMO_SCHOOL = "West Park School"
# The policy's publication date: entries nobody has checked since carry it as their review date.
POLICY_PUBLISHED_ON = date(2024, 9, 1)

# Demo accounts carry this email domain; load_demo never touches an account without it (a real person's).
DEMO_EMAIL_DOMAIN = "demo.invalid"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    job_title: str
    roles: tuple[str, ...]


DEMO_ACCOUNTS = (
    DemoAccount("staff", "Priya", "Naylor", "Teacher of Geography", (Role.STAFF,)),
    DemoAccount("dsl", "Helen", "Marsh", "Designated Safeguarding Lead", (Role.DSL,)),
    DemoAccount(
        "deputy", "Tom", "Okafor", "Deputy DSL and Attendance Officer", (Role.DEPUTY_DSL, Role.ATTENDANCE_OFFICER)
    ),
    DemoAccount("head", "Richard", "Ellison", "Headteacher", (Role.HEADTEACHER, Role.SENIOR_LEADER)),
    DemoAccount("chair", "Margaret", "Holt", "Chair of Trustees", (Role.CHAIR, Role.TRUSTEE)),
    DemoAccount("trustee", "Daniel", "Price", "Trustee", (Role.TRUSTEE,)),
    DemoAccount("dpo", "Aisha", "Rahman", "Data Protection Officer", (Role.DPO,)),
    DemoAccount("itadmin", "Chris", "Lowe", "IT Network Manager", (Role.IT_ADMIN,)),
)
# The trust's safeguarding lead: anonymised reports across the trust's schools, no records. Held at the trust, so
# kept apart from the school accounts above.
DEMO_TRUST_ACCOUNT = DemoAccount(
    "trust", "Sarah", "Fenwick", "Trust Safeguarding Lead", (Role.TRUST_SAFEGUARDING_LEAD,)
)


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Creates or refreshes the demo school. Running it again changes nothing that is already there."""
    trust, _ = Trust.objects.get_or_create(name=DEMO_TRUST)
    school, _ = School.objects.get_or_create(
        name=DEMO_SCHOOL, local_authority="Derby", defaults={"trust": trust, "urn": "138000"}
    )
    for account in DEMO_ACCOUNTS:
        _demo_account(account, school)
    _demo_account(DEMO_TRUST_ACCOUNT, school, trust=trust)
    ensure_levels_of_need(LevelOfNeed)
    added = _load_directory(school)
    pupils = load_demo_pupils(school=school)
    reports = load_demo_reports(
        school=school, trust=trust, dsl=User.objects.get(username="dsl"), email_domain=DEMO_EMAIL_DOMAIN
    )
    concerns = load_demo_concerns(school=school)  # after the terms: they happen on a school day
    return {
        "accounts": len(DEMO_ACCOUNTS) + 1,
        "contacts_added": added,
        "pupils_added": pupils,
        "concerns_added": concerns,
        **reports,
    }


class NotADemoAccount(Exception):
    """An account with a demo username exists and belongs to a real person."""


def _demo_account(account: DemoAccount, school: School, *, trust: Trust | None = None) -> User:
    user, created = User.objects.get_or_create(username=account.username)
    if not created and not user.email.endswith("@" + DEMO_EMAIL_DOMAIN):
        raise NotADemoAccount(
            f"An account named '{account.username}' already exists and is not a demo account; nothing was changed."
        )
    user.first_name, user.last_name, user.job_title = account.first_name, account.last_name, account.job_title
    user.email = f"{account.username}@{DEMO_EMAIL_DOMAIN}"
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    for role in account.roles:
        if trust is not None:
            Membership.objects.get_or_create(user=user, trust=trust, school=None, role=role)
        else:
            Membership.objects.get_or_create(user=user, school=school, role=role)
    user._access_grants = None
    if access.has_any_role(user, access.TWO_FACTOR_ROLES):
        _demo_totp_device(user)
    return user


def _demo_totp_device(user: User) -> None:
    key = binascii.hexlify(base64.b32decode(DEMO_TOTP_SECRET)).decode()
    device = TOTPDevice.objects.filter(user=user, name="Demo authenticator").first()
    if device is None:
        TOTPDevice.objects.create(user=user, name="Demo authenticator", key=key, confirmed=True)
    elif device.key != key or not device.confirmed:
        device.key, device.confirmed = key, True
        device.save()


def _load_directory(school: School) -> int:
    """The school's directory as published; only into an empty directory, so edits by the DSL are never undone."""
    if Contact.objects.filter(school=school).exists():
        return 0
    for order, row in enumerate(WEST_PARK_DIRECTORY):
        reviewed_on = POLICY_PUBLISHED_ON if row["data_warning"] else timezone.localdate()
        contact = Contact(school=school, sort_order=order * 10, reviewed_on=reviewed_on, **row)
        contact.full_clean()
        contact.save()
    return len(WEST_PARK_DIRECTORY)
