"""The demo school: West Park School (Derby), its published contacts and its demo accounts (CONTRACT.md).

Demo people are fictional; only the key-contacts directory is the one the school published in its policy.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, plugins
from .models import Membership, Role, School, Trust, User
from .reports.demo import load_demo_reports

DEMO_PASSWORD = "safeguarding-demo"  # noqa: S105 (published in CONTRACT.md; demo only)
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 (published in CONTRACT.md; demo only)
DEMO_TRUST = "Peak and Derwent Learning Trust"
DEMO_SCHOOL = "West Park School"

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
    """Creates or refreshes the demo school. Running it again changes nothing that is already there.

    The school and its accounts first; then each app's steps and the core's own, in the order plugins.py lists."""
    trust, _ = Trust.objects.get_or_create(name=DEMO_TRUST)
    school, _ = School.objects.get_or_create(
        name=DEMO_SCHOOL, local_authority="Derby", defaults={"trust": trust, "urn": "138000"}
    )
    for account in DEMO_ACCOUNTS:
        _demo_account(account, school)
    _demo_account(DEMO_TRUST_ACCOUNT, school, trust=trust)
    site = plugins.DemoSite(school=school, trust=trust, email_domain=DEMO_EMAIL_DOMAIN)
    added = {"accounts": len(DEMO_ACCOUNTS) + 1}
    for step in sorted((*plugins.demo_steps(), *CORE_DEMO_STEPS), key=lambda step: step.position):
        added.update(step.run(site))
    return added


def _demo_reports(site: plugins.DemoSite) -> dict[str, int]:
    """The terms of two academic years, a second school and the past terms' history, for the trustees' reports."""
    return load_demo_reports(
        school=site.school, trust=site.trust, dsl=User.objects.get(username="dsl"), email_domain=site.email_domain
    )


CORE_DEMO_STEPS = (plugins.DemoStep(40, "terms and reports", _demo_reports),)


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
    access.forget_grants(user)
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
