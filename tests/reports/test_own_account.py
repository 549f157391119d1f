"""Recorded on the day, recorded late and recorded by staff count a person's own account only (R12): a concern
raised by staff, one given verbally, one written on a paper form. A police notification and the concern an
allegation about an adult opens are never late, even where an old record is still marked so.
"""

from datetime import date, timedelta

import pytest

from concerns.models import OWN_ACCOUNT_KINDS, ConcernKind
from safeguarding.reports.figures import Scope
from safeguarding.reports.periods import TermKey, periods_for
from safeguarding.reports.report import build_report
from safeguarding.reports.selectors import active_levels, term_counts

from .helpers import TODAY, at, concern

pytestmark = pytest.mark.django_db

AUTUMN = TermKey("2025-26", "autumn")


def counts(school):
    period = periods_for([school], AUTUMN, today=TODAY.date())[school.pk]
    return term_counts(period=period, levels=active_levels(), today=TODAY.date()).counts


def made(school, dsl, kind, *, late: bool, how_many: int, first_day: date):
    for i in range(how_many):
        concern(
            school=school,
            author=dsl,
            recorded_at=at(first_day + timedelta(days=i)),
            kind=kind,
            late=late,
            codes=["domestic_abuse"] if kind == ConcernKind.DOMESTIC_ABUSE_NOTIFICATION else ["neglect"],
        )


@pytest.fixture
def mixed(school, dsl, terms):
    """6 raised by staff on the day, 5 on paper (2 of them late), and, marked late as the app once marked them,
    3 police notifications and 2 concerns opened by allegations about adults."""
    made(school, dsl, ConcernKind.CONCERN, late=False, how_many=6, first_day=date(2025, 9, 10))
    made(school, dsl, ConcernKind.PAPER, late=False, how_many=3, first_day=date(2025, 10, 1))
    made(school, dsl, ConcernKind.PAPER, late=True, how_many=2, first_day=date(2025, 10, 8))
    made(school, dsl, ConcernKind.DOMESTIC_ABUSE_NOTIFICATION, late=True, how_many=3, first_day=date(2025, 11, 3))
    made(school, dsl, ConcernKind.ALLEGATION_WELFARE, late=True, how_many=2, first_day=date(2025, 11, 10))


def test_a_police_notification_and_an_allegations_concern_are_never_late(school, mixed):
    figures = counts(school)
    assert figures["concerns"] == 16
    assert (figures["recorded_by_staff"], figures["recorded_same_day"], figures["recorded_late"]) == (11, 9, 2)
    assert figures["domestic_abuse_notifications"] == 3 and figures["opened_by_allegation"] == 2
    # Every concern is in exactly one of the three.
    assert figures["concerns"] == (
        figures["recorded_by_staff"] + figures["domestic_abuse_notifications"] + figures["opened_by_allegation"]
    )


def test_the_share_recorded_on_the_day_leaves_them_out(school, dsl, terms):
    """20 accounts of staff's own on the day, beside 5 police notifications and 5 allegations' concerns marked
    late: 100% on the day. (Counted with them, it would read 20 of 30.)"""
    made(school, dsl, ConcernKind.CONCERN, late=False, how_many=10, first_day=date(2025, 9, 10))
    made(school, dsl, ConcernKind.VERBAL, late=False, how_many=5, first_day=date(2025, 10, 1))
    made(school, dsl, ConcernKind.PAPER, late=False, how_many=5, first_day=date(2025, 10, 8))
    made(school, dsl, ConcernKind.DOMESTIC_ABUSE_NOTIFICATION, late=True, how_many=5, first_day=date(2025, 11, 3))
    made(school, dsl, ConcernKind.ALLEGATION_WELFARE, late=True, how_many=5, first_day=date(2025, 11, 10))
    report = build_report(Scope((school,)), AUTUMN)
    assert str(report.figure("recorded_late")) == "0" and str(report.figure("recorded_same_day")) == "20"
    assert report.timeliness[0].label == "Concerns recorded on the day they happened"
    assert report.timeliness[0].now == "100%"


def test_a_small_number_of_allegations_concerns_cannot_be_worked_out(school, dsl, terms):
    """12 raised by staff, 6 police notifications and 1 concern an allegation opened: 19 concerns. With the 12 and
    the 6 shown, 19 - 12 - 6 would give the 1 away, so one of them is withheld."""
    made(school, dsl, ConcernKind.CONCERN, late=False, how_many=12, first_day=date(2025, 9, 10))
    made(school, dsl, ConcernKind.DOMESTIC_ABUSE_NOTIFICATION, late=False, how_many=6, first_day=date(2025, 10, 1))
    made(school, dsl, ConcernKind.ALLEGATION_WELFARE, late=False, how_many=1, first_day=date(2025, 11, 10))
    report = build_report(Scope((school,)), AUTUMN)
    assert str(report.figure("concerns")) == "19"
    parts = [report.figure(m) for m in ("recorded_by_staff", "domestic_abuse_notifications", "opened_by_allegation")]
    assert not parts[2].shown
    assert sum(1 for part in parts if not part.shown) >= 2


def test_every_kind_of_concern_is_counted_in_one_of_the_three():
    """A new kind of concern must be placed: an own account, a police notification, or one an allegation opens."""
    apart = {ConcernKind.DOMESTIC_ABUSE_NOTIFICATION, ConcernKind.ALLEGATION_WELFARE}
    assert OWN_ACCOUNT_KINDS.isdisjoint(apart)
    assert set(ConcernKind) == set(OWN_ACCOUNT_KINDS) | apart
    assert ConcernKind.PAPER in OWN_ACCOUNT_KINDS
