"""load_demo: the demo school as CONTRACT.md gives it, safe to run twice, refused on a live system."""

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.models import Contact
from safeguarding import access
from safeguarding.demo import DEMO_ACCOUNTS
from safeguarding.models import Membership, Role, School, User

EXPECTED_ROLES = {
    "staff": {Role.STAFF},
    "dsl": {Role.DSL},
    "deputy": {Role.DEPUTY_DSL, Role.ATTENDANCE_OFFICER},
    "head": {Role.HEADTEACHER, Role.SENIOR_LEADER},
    "chair": {Role.CHAIR, Role.TRUSTEE},
    "trustee": {Role.TRUSTEE},
    "dpo": {Role.DPO},
    "itadmin": {Role.IT_ADMIN},
}


@pytest.mark.django_db
def test_demo_school_accounts_and_roles(settings):
    """The eight demo accounts exist at West Park School with their roles and the demo password."""
    settings.DEBUG = True
    call_command("load_demo")
    school = School.objects.get(name="West Park School")
    assert school.local_authority == "Derby" and school.trust is not None
    for username, roles in EXPECTED_ROLES.items():
        user = User.objects.get(username=username)
        assert user.check_password("safeguarding-demo")
        assert set(Membership.objects.filter(user=user, school=school).values_list("role", flat=True)) == roles
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        assert has_device == access.requires_two_factor(user), username
    assert not User.objects.filter(is_staff=True).exists() and not User.objects.filter(is_superuser=True).exists()


@pytest.mark.django_db
def test_running_twice_changes_nothing(settings):
    """load_demo is idempotent: a second run adds no accounts, roles or contacts."""
    settings.DEBUG = True
    call_command("load_demo")
    counts = (User.objects.count(), Membership.objects.count(), Contact.objects.count(), TOTPDevice.objects.count())
    call_command("load_demo")
    assert (
        User.objects.count(),
        Membership.objects.count(),
        Contact.objects.count(),
        TOTPDevice.objects.count(),
    ) == counts
    assert Contact.objects.count() == 51
    assert len(DEMO_ACCOUNTS) == 8


@pytest.mark.django_db
def test_a_second_run_keeps_the_dsl_edits(settings):
    """Contacts the DSL has edited are not overwritten by loading the demo again."""
    settings.DEBUG = True
    call_command("load_demo")
    contact = Contact.objects.get(purpose="dsl")
    contact.phone = "01332 999999"
    contact.save()
    call_command("load_demo")
    contact.refresh_from_db()
    assert contact.phone == "01332 999999"


@pytest.mark.django_db
def test_never_touches_a_real_account_with_a_demo_username(settings):
    """A real person whose username is "dsl" keeps their password and roles; loading stops with a reason."""
    settings.DEBUG = True
    real = User.objects.create_user("dsl", email="d.sheffield@school.example", password="their-own-password")
    with pytest.raises(CommandError, match="already exists and is not a demo account"):
        call_command("load_demo")
    real.refresh_from_db()
    assert real.check_password("their-own-password")
    assert not Membership.objects.filter(user=real).exists()
    assert not School.objects.exists()


@pytest.mark.django_db
def test_refuses_with_debug_off_unless_forced(settings):
    """Demo accounts share a published password, so a live system needs --force."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing to load demo accounts"):
        call_command("load_demo")
    assert not User.objects.filter(username="dsl").exists()
    call_command("load_demo", "--force")
    assert User.objects.filter(username="dsl").exists()


# Issue 10, item 3: whatever the hour load_demo runs, the demo's concerns happened in school hours on a school day,
# never at night and never in the future.
AWKWARD_INSTANTS = {
    "monday-07:30": "2026-12-07 07:30",
    "friday-16:59": "2026-12-04 16:59",
    "summer-sunday": "2026-08-09 11:00",
    "clocks-go-back-01:30": "2026-10-25 01:30",
    "school-day-09:00": "2026-12-03 09:00",
    "school-day-14:00": "2026-12-03 14:00",
}


@pytest.mark.django_db
@pytest.mark.parametrize("instant", AWKWARD_INSTANTS.values(), ids=AWKWARD_INSTANTS.keys())
def test_the_demo_concerns_happen_in_school_hours_before_now(settings, instant):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine
    from django.utils import timezone

    from concerns.models import Concern
    from safeguarding import calendar

    settings.DEBUG = True
    now = datetime.fromisoformat(instant).replace(tzinfo=ZoneInfo("Europe/London"))
    with time_machine.travel(now, tick=False):
        call_command("load_demo")
    school = School.objects.get(name="West Park School")
    demo = Concern.objects.filter(school=school, author__username="staff")
    assert demo.count() == 2
    for concern in demo:
        happened = timezone.localtime(concern.happened_at)
        day = happened.date()
        assert calendar.is_school_day(school, day), day
        assert calendar.school_day_start(school, day) <= happened <= calendar.school_day_end(school, day)
        assert happened <= now
