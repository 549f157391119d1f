"""A trust's schools are counted together, in the same queries, each on its own term dates (R87): what each school
gets is what counting it alone gives.

West Park's autumn term 2025-26 runs from 3 September to 4 January (its spring term starts on 5 January). Riverside,
in the same trust, entered other dates: autumn from 1 September to 17 December, spring from 12 January, so its
autumn runs to 11 January.
"""

from datetime import date

import pytest

from concerns.models import ActionKind, ConcernStatus, DecisionKind, FlagKind, LaOutcome, PupilFlag
from safeguarding.models import Role, Term
from safeguarding.reports.periods import TermKey, periods_for
from safeguarding.reports.selectors import active_levels, schools_term_counts, term_counts

from ..factories import PupilFactory
from .helpers import TODAY, action, at, concern, decision, transfer

pytestmark = pytest.mark.django_db

AUTUMN = TermKey("2025-26", "autumn")


@pytest.fixture
def riverside(school, other_school, make_person):
    other_school.trust = school.trust
    other_school.save()
    for year, name, starts, ends in (
        ("2025-26", "autumn", date(2025, 9, 1), date(2025, 12, 17)),
        ("2025-26", "spring", date(2026, 1, 12), date(2026, 3, 27)),
    ):
        Term.objects.create(school=other_school, academic_year=year, name=name, starts_on=starts, ends_on=ends)
    return other_school, make_person(Role.DSL, school=other_school)


@pytest.fixture
def records(school, dsl, terms, riverside):
    """Records near the two schools' term boundaries, which fall on different days."""
    other, other_dsl = riverside
    # 2 September: Riverside's autumn, not West Park's (whose summer term it is).
    concern(school=other, author=other_dsl, recorded_at=at(date(2025, 9, 2)), codes=["bullying"], level="level_1")
    concern(school=school, author=dsl, recorded_at=at(date(2025, 9, 2)), codes=["bullying"], level="level_1")
    # 8 January: Riverside's autumn, West Park's spring. Riverside refers it the next day; the local authority
    # decides on the 9th (recorded on the 10th), and a written follow-up due on the 10th is missed.
    late_referral = concern(school=other, author=other_dsl, recorded_at=at(date(2026, 1, 8)), level="level_4")
    decision(late_referral, DecisionKind.REFER_CSC, at(date(2026, 1, 9)), other_dsl)
    action(late_referral, ActionKind.CSC_REFERRAL_PHONE, by=other_dsl, created_at=at(date(2026, 1, 9)))
    action(
        late_referral,
        ActionKind.CSC_DECISION_CHASE,
        by=other_dsl,
        created_at=at(date(2026, 1, 9)),
        due_at=at(date(2026, 1, 12), 17),
        completed_at=at(date(2026, 1, 10)),
        la_outcome=LaOutcome.SECTION_47,
        la_decided_on=date(2026, 1, 9),
    )
    action(
        late_referral,
        ActionKind.CSC_WRITTEN_FOLLOW_UP,
        by=other_dsl,
        created_at=at(date(2026, 1, 9)),
        due_at=at(date(2026, 1, 10)),
    )
    concern(school=school, author=dsl, recorded_at=at(date(2026, 1, 8)))
    # West Park: a police referral decided on 1 October on a concern later closed (answered), one referred on
    # 2 October and closed only on 10 January (awaiting at the end), a Prevent referral still open, and a decision
    # not to refer to children's social care.
    closed = concern(
        school=school,
        author=dsl,
        recorded_at=at(date(2025, 9, 30)),
        closed_at=at(date(2025, 11, 1)),
    )
    decision(closed, DecisionKind.REFER_POLICE, at(date(2025, 10, 1)), dsl)
    closed_late = concern(school=school, author=dsl, recorded_at=at(date(2025, 9, 30)), closed_at=at(date(2026, 1, 10)))
    decision(closed_late, DecisionKind.REFER_POLICE, at(date(2025, 10, 2)), dsl)
    prevent = concern(school=school, author=dsl, recorded_at=at(date(2025, 10, 5)), codes=["radicalisation"])
    action(prevent, ActionKind.PREVENT_REFERRAL, by=dsl, created_at=at(date(2025, 10, 6)))
    decision(prevent, DecisionKind.NOT_REFER_CSC, at(date(2025, 10, 6)), dsl)
    # A referral task about a child with no concern behind it (a pupil-level task), made and done in October.
    action(
        None,
        ActionKind.CSC_REFERRAL_PHONE,
        by=dsl,
        created_at=at(date(2025, 10, 20)),
        completed_at=at(date(2025, 10, 20), 11),
        pupil=PupilFactory(school=school),
    )
    # Flags on each school's last day: one ended on 9 January is open at West Park's end (4 January), not
    # Riverside's (11 January).
    for where, by in ((school, dsl), (other, other_dsl)):
        PupilFlag.objects.create(
            school=where,
            pupil=PupilFactory(school=where),
            kind=FlagKind.CHILD_PROTECTION,
            starts_on=date(2025, 9, 1),
            ends_on=date(2026, 1, 9),
            source="Fictional",
            recorded_by=by,
            recorded_by_name="Fictional DSL",
            recorded_by_role="DSL",
        )
    # A CP file Riverside sent on 10 January.
    transfer(
        school=other, by=other_dsl, recorded_on=date(2026, 1, 5), due_on=date(2026, 1, 12), sent_on=date(2026, 1, 10)
    )
    return closed, closed_late


def test_counting_the_schools_together_gives_each_what_counting_it_alone_gives(school, riverside, records):
    other, _ = riverside
    periods = periods_for([school, other], AUTUMN, today=TODAY.date())
    assert periods[other.pk].ends_on == date(2026, 1, 11) and periods[school.pk].ends_on == date(2026, 1, 4)
    together = schools_term_counts(periods=list(periods.values()), levels=active_levels(), today=TODAY.date())
    for school_id, period in periods.items():
        alone = term_counts(period=period, levels=active_levels(), today=TODAY.date())
        assert together[school_id].counts == alone.counts, school_id
    west_park, river = together[school.pk].counts, together[other.pk].counts
    assert (west_park["concerns"], river["concerns"]) == (3, 2)
    assert (river["referral:csc:referred"], river["referral:csc:answered"]) == (1, 1)
    assert river["la_outcome:section_47"] == river["la_decisions"] == 1 and west_park["la_decisions"] == 0
    assert (river["deadlines_missed"], west_park["deadlines_missed"]) == (1, 0)
    assert (river["open:child_protection"], west_park["open:child_protection"]) == (0, 1)
    assert (river["transfers_sent"], west_park["transfers_sent"]) == (1, 0)
    # West Park's referrals: the closed one answered, the one closed after the end awaiting; the pupil-level task
    # counts and was answered; the Prevent referral awaits.
    assert (west_park["referral:police:referred"], west_park["referral:police:answered"]) == (2, 1)
    assert (west_park["referral:csc:referred"], west_park["referral:csc:answered"]) == (1, 1)
    assert (west_park["referral:prevent:referred"], west_park["referral:prevent:awaiting"]) == (1, 1)
    assert west_park["referral:csc:not_referred"] == 1


def test_a_concern_reopened_after_closing_is_no_longer_answered_by_its_closing(school, riverside, records):
    """The closing answers a referral only while the concern stays closed (as its status says)."""
    closed, _ = records
    closed.status = ConcernStatus.MONITORING
    closed.save(update_fields=["status"])
    period = periods_for([school], AUTUMN, today=TODAY.date())[school.pk]
    figures = term_counts(period=period, levels=active_levels(), today=TODAY.date()).counts
    assert (figures["referral:police:referred"], figures["referral:police:answered"]) == (2, 0)


def test_an_answer_after_the_end_leaves_the_referral_awaiting(school, dsl, terms):
    """Referred on 1 December; the LA's decision recorded on 6 January, after the period: awaiting in autumn."""
    record = concern(school=school, author=dsl, recorded_at=at(date(2025, 12, 1)))
    action(record, ActionKind.CSC_REFERRAL_ONLINE, by=dsl, created_at=at(date(2025, 12, 1)))
    action(
        record,
        ActionKind.CSC_DECISION_CHASE,
        by=dsl,
        created_at=at(date(2025, 12, 1)),
        completed_at=at(date(2026, 1, 6)),
    )
    periods = periods_for([school], AUTUMN, today=TODAY.date())
    autumn = term_counts(period=periods[school.pk], levels=active_levels(), today=TODAY.date()).counts
    assert (autumn["referral:csc:referred"], autumn["referral:csc:awaiting"]) == (1, 1)
    # The spring term has no referral of its own: the one made in autumn is not counted again.
    spring_period = periods_for([school], TermKey("2025-26", "spring"), today=TODAY.date())[school.pk]
    spring = term_counts(period=spring_period, levels=active_levels(), today=TODAY.date()).counts
    assert spring["referral:csc:referred"] == 0


def test_the_register_counts_the_schools_together_each_on_its_own_dates(school, terms, riverside, make_person):
    """An allegation raised on 8 January falls in Riverside's autumn term (to 11 January) and not in West Park's
    (to 4 January): counted together, as counted alone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from staff_allegations.reporting import term_counts as register_term_counts
    from staff_allegations.reporting import term_counts_by_school

    from ..staff_allegations.conftest import report

    other, _ = riverside
    for where in (school, other):
        make_person(Role.HEADTEACHER, school=where)
        reporter = make_person(Role.STAFF, school=where)
        with time_machine.travel(datetime(2026, 1, 8, 11, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
            report(reporter, where, allegation=True)
    periods = periods_for([school, other], AUTUMN, today=TODAY.date())
    spans = {school_id: (p.starts_on, p.as_at) for school_id, p in periods.items()}
    together = term_counts_by_school(spans=spans)
    for school_id, (starts_on, ends_on) in spans.items():
        where = school if school_id == school.pk else other
        assert together[school_id] == register_term_counts(school=where, starts_on=starts_on, ends_on=ends_on)
    assert together[other.pk]["allegations_opened"] == 1
    assert together[school.pk]["allegations_opened"] == 0
