"""The demo trust's reports (CONTRACT.md): the `trust` login, a second fictional school, terms and history."""

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from concerns.models import Action, Concern, FileTransfer
from safeguarding import access
from safeguarding.demo import DEMO_PASSWORD, DEMO_SCHOOL, load_demo
from safeguarding.models import AssuranceCheck, Membership, Role, School, Term, User
from safeguarding.reports.demo import SECOND_SCHOOL
from safeguarding.reports.figures import TRUST, Scope
from safeguarding.reports.periods import academic_year_on, term_key
from safeguarding.reports.report import build_report

from ..conftest import kept_for_the_module
from .helpers import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, scope="module")
def demo_clock():
    """The reports' today (conftest.py) for all of the module, as the demo every test reads is loaded once."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True, scope="module")
def demo(django_db_setup, django_db_blocker, demo_clock):
    """The demo, loaded once for the module: each test reads it afresh from the database, and what a test changes
    is undone after it (tests/conftest.py, kept_for_the_module)."""
    yield from kept_for_the_module(django_db_blocker, load_demo)


def test_the_trust_lead_reads_both_schools_and_no_record(settings):
    trust_lead = User.objects.get(username="trust")
    west_park = School.objects.get(name=DEMO_SCHOOL)
    second = School.objects.get(name=SECOND_SCHOOL)
    assert second.trust_id == west_park.trust_id
    assert trust_lead.check_password(DEMO_PASSWORD)
    membership = Membership.objects.get(user=trust_lead)
    assert (membership.role, membership.trust_id, membership.school_id) == (
        Role.TRUST_SAFEGUARDING_LEAD,
        west_park.trust_id,
        None,
    )
    assert TOTPDevice.objects.filter(user=trust_lead, confirmed=True).exists()
    assert set(access.report_schools_for(trust_lead)) == {west_park, second}
    assert not access.can_view_queue(trust_lead, west_park) and not access.can_raise_concern(trust_lead, west_park)


def test_the_current_terms_report_has_figures_above_5_and_below():
    west_park = School.objects.get(name=DEMO_SCHOOL)
    year = academic_year_on(timezone.localdate())
    first = int(year[:4])
    assert Term.objects.filter(school=west_park, academic_year=year).count() == 3
    assert Term.objects.filter(school=west_park, academic_year=f"{first - 1}-{first % 100:02d}").count() == 3
    current = next(
        t for t in Term.objects.filter(school=west_park).order_by("-starts_on") if t.starts_on <= timezone.localdate()
    )
    report = build_report(Scope((west_park,)), term_key(current.academic_year, current.name))
    shown = [f for f in report.current.figures.values() if f.shown and f.value >= 5]
    small = [f for f in report.current.figures.values() if f.hidden == "small"]
    assert shown and small
    assert report.figure("concerns").value > 5
    assert report.previous.has(west_park.pk) and report.year_before.has(west_park.pk)
    assert AssuranceCheck.objects.filter(school=west_park).count() == 4
    # R87: CP files sent and received in the past terms, all finished, so no task waits in a queue.
    previous = report.previous.counts[west_park.pk].counts
    assert previous["transfers_sent"] > 0 and previous["transfers_received"] > 0
    # R30: the local authority's decisions on the referrals to children's social care, by outcome.
    assert previous["la_decisions"] > 0 and previous["la_outcome:section_47"] > 0
    assert not Action.objects.filter(kind__in=["send_cp_file", "confirm_cp_file_receipt"]).exists()
    trust = build_report(Scope((west_park, School.objects.get(name=SECOND_SCHOOL)), trust=west_park.trust), report.key)
    assert trust.current.get(TRUST, "concerns").value > report.figure("concerns").value


def test_loading_again_adds_no_history():
    counts = (  # what the first load, the demo fixture's, made
        Concern.objects.count(),
        Term.objects.count(),
        AssuranceCheck.objects.count(),
        User.objects.count(),
        FileTransfer.objects.count(),
    )
    load_demo()
    assert (
        Concern.objects.count(),
        Term.objects.count(),
        AssuranceCheck.objects.count(),
        User.objects.count(),
        FileTransfer.objects.count(),
    ) == counts
    history = User.objects.get(username="demo-history")
    assert not history.is_active and not history.has_usable_password()


def test_files_sent_on_belong_to_leavers_and_files_received_to_pupils_on_roll():
    """A CP file sent to the next school never belongs to a child still on this school's roll."""
    sent = FileTransfer.objects.filter(direction="out").select_related("pupil")
    received = FileTransfer.objects.filter(direction="in").select_related("pupil")
    assert sent.exists() and received.exists()
    assert all(not t.pupil.on_roll and t.pupil.left_on == t.recorded_at.date() for t in sent)
    assert all(t.pupil.on_roll for t in received)
