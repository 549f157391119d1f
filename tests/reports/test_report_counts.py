"""The report's counts (R87) against a term worked out by hand, then what the report may show of them (R88).

The fixture is West Park's autumn term 2025-26 (3 September to 19 December 2025; the spring term starts on
5 January 2026, so the period counted runs to 4 January 2026, holidays included). What is in it, and so the right
answer, is written out beside each record below.
"""

from datetime import date, timedelta

import pytest

from concerns.models import ActionKind, ConcernKind, DecisionKind, FlagKind, PupilFlag
from safeguarding.models import Role
from safeguarding.reports import charts
from safeguarding.reports import figures as figures_module
from safeguarding.reports import selectors as selectors_module
from safeguarding.reports.figures import TRUST, Scope
from safeguarding.reports.periods import TermKey, academic_year_on, periods_for
from safeguarding.reports.report import build_report
from safeguarding.reports.selectors import active_levels, term_counts
from safeguarding.reports.suppression import FEWER_THAN_5, NOT_SHOWN

from ..factories import PupilFactory
from .helpers import TODAY, action, at, concern, decision, transfer

AUTUMN = TermKey("2025-26", "autumn")
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
# The fixture's pupils' year groups are given as they were then; the database holds them as they are now (the
# clock is frozen in the autumn term 2026-27: see conftest.py).
YEARS_SINCE = int(academic_year_on(TODAY.date())[:4]) - 2025

STAFF_FIGURES = {
    "allegations_opened": 2,
    "allegations_open_at_end": 3,
    "allegations_by_outcome": {"Substantiated": 0, "Malicious": 0, "False": 0, "Unsubstantiated": 1, "Unfounded": 0},
    "low_level_concerns": 6,
    "lado_referrals": 1,
    "left_out_about_head": 1,
}


@pytest.fixture
def staff_figures(monkeypatch):
    """The register of adult cases, as staff_allegations.reporting.term_counts gives it (tested in its own app)."""
    zero = {
        "allegations_opened": 0,
        "allegations_open_at_end": 0,
        "allegations_by_outcome": dict.fromkeys(STAFF_FIGURES["allegations_by_outcome"], 0),
        "low_level_concerns": 0,
        "lado_referrals": 0,
        "left_out_about_head": 0,
    }

    def one(period):
        return STAFF_FIGURES if period.term.name == "autumn" and period.term.academic_year == "2025-26" else zero

    def counts(periods):
        return {period.school.pk: one(period) for period in periods}

    def open_then(periods):
        return {period.school.pk: 2 if period.term.name == "autumn" else 0 for period in periods}

    monkeypatch.setattr(selectors_module, "staff_counts", counts)
    monkeypatch.setattr(figures_module, "staff_counts", counts)
    monkeypatch.setattr(figures_module, "open_at_start", open_then)


def pupil(school, year_then: int):
    return PupilFactory(school=school, year_group=year_then + YEARS_SINCE)


@pytest.fixture
def autumn(school, dsl, terms):
    """The hand-worked term. Eighteen concerns are recorded in it."""
    made = {}
    # 8 about neglect, Year 9 then (key stage 3), acknowledged in 30 minutes, triaged at level 2 two hours on.
    # One of them is recorded on 22 December, in the Christmas holiday: it still belongs to the autumn term.
    days = [date(2025, 9, 10) + timedelta(days=7 * i) for i in range(7)] + [date(2025, 12, 22)]
    made["neglect"] = [
        concern(
            school=school,
            author=dsl,
            recorded_at=at(day),
            pupil=pupil(school, 9),
            codes=["neglect"],
            acknowledged_after=30 * MIN,
            level="level_2",
            triaged_after=2 * HOUR,
        )
        for day in days
    ]
    # 6 about bullying, Year 11 then (key stage 4), acknowledged in 10 minutes, level 1 five hours on; 2 name another
    # pupil as the alleged perpetrator.
    made["bullying"] = [
        concern(
            school=school,
            author=dsl,
            recorded_at=at(date(2025, 10, 1) + timedelta(days=i)),
            pupil=pupil(school, 11),
            codes=["bullying"],
            acknowledged_after=10 * MIN,
            level="level_1",
            triaged_after=5 * HOUR,
            perpetrator=pupil(school, 11) if i < 2 else None,
        )
        for i in range(6)
    ]
    # 1 raised as self-harm and re-categorised by the DSL as sexual harassment (child-on-child, not health), Year 8
    # then, level 3.
    made["recategorised"] = concern(
        school=school,
        author=dsl,
        recorded_at=at(date(2025, 11, 3)),
        pupil=pupil(school, 8),
        codes=["self_harm"],
        dsl_codes=["sexual_harassment"],
        acknowledged_after=30 * MIN,
        level="level_3",
        triaged_after=2 * HOUR,
    )
    # 2 about absence, recorded late, not yet acknowledged or triaged, Year 10 then (key stage 4).
    made["late"] = [
        concern(
            school=school,
            author=dsl,
            recorded_at=at(date(2025, 11, 10 + i)),
            pupil=pupil(school, 10),
            codes=["absence"],
            late=True,
        )
        for i in range(2)
    ]
    # 1 police domestic abuse notification, Year 7 then (key stage 3), level 3.
    made["police"] = concern(
        school=school,
        author=dsl,
        recorded_at=at(date(2025, 11, 20)),
        pupil=pupil(school, 7),
        codes=["domestic_abuse"],
        kind=ConcernKind.DOMESTIC_ABUSE_NOTIFICATION,
        acknowledged_after=5 * MIN,
        level="level_3",
    )
    # Outside the term: 2 September 2025 belongs to the summer term 2024-25 (with 4 more there), 5 January 2026 to
    # the spring term.
    made["summer"] = [
        concern(school=school, author=dsl, recorded_at=at(day), pupil=pupil(school, 9), codes=["neglect"])
        for day in (date(2025, 5, 1), date(2025, 5, 8), date(2025, 6, 2), date(2025, 7, 1), date(2025, 9, 2))
    ]
    concern(school=school, author=dsl, recorded_at=at(date(2026, 1, 5)), codes=["neglect"])

    n1, n2, n3, n4 = made["neglect"][:4]
    # Early help for n1: decided and the EHA started on 10 October, done on 20 October (answered).
    decision(n1, DecisionKind.EARLY_HELP, at(date(2025, 10, 10)), dsl)
    action(n1, ActionKind.EHA_TAF, by=dsl, created_at=at(date(2025, 10, 10)), completed_at=at(date(2025, 10, 20)))
    # n2: referred to children's social care by phone on 10 October. The "LA decision received?" chase was due at
    # 17:00 the next day and done at noon (met, and the answer); the written follow-up was due on 12 October and
    # done on the 13th (missed).
    decision(n2, DecisionKind.REFER_CSC, at(date(2025, 10, 10)), dsl)
    action(
        n2,
        ActionKind.CSC_REFERRAL_PHONE,
        by=dsl,
        created_at=at(date(2025, 10, 10)),
        completed_at=at(date(2025, 10, 10), 11),
    )
    action(
        n2,
        ActionKind.CSC_DECISION_CHASE,
        by=dsl,
        created_at=at(date(2025, 10, 10)),
        due_at=at(date(2025, 10, 11), 17),
        completed_at=at(date(2025, 10, 11), 12),
    )
    action(
        n2,
        ActionKind.CSC_WRITTEN_FOLLOW_UP,
        by=dsl,
        created_at=at(date(2025, 10, 10)),
        due_at=at(date(2025, 10, 12)),
        completed_at=at(date(2025, 10, 13)),
    )
    # n3: referred online on 15 October; the chase due on the 16th was never done (missed, awaiting, overdue).
    action(n3, ActionKind.CSC_REFERRAL_ONLINE, by=dsl, created_at=at(date(2025, 10, 15)))
    action(
        n3, ActionKind.CSC_DECISION_CHASE, by=dsl, created_at=at(date(2025, 10, 15)), due_at=at(date(2025, 10, 16), 17)
    )
    # n4: pastoral support due on 10 December, done on 10 January: overdue at the end of the period (not statutory).
    action(
        n4,
        ActionKind.PASTORAL_SUPPORT,
        by=dsl,
        created_at=at(date(2025, 12, 1)),
        due_at=at(date(2025, 12, 10)),
        completed_at=at(date(2026, 1, 10)),
    )
    # The re-categorised concern: a decision not to refer to children's social care.
    decision(made["recategorised"], DecisionKind.NOT_REFER_CSC, at(date(2025, 11, 4)), dsl)
    # Last term's concern, referred to the police on 5 September: a referral of this term, still awaiting.
    decision(made["summer"][-1], DecisionKind.REFER_POLICE, at(date(2025, 9, 5)), dsl)

    # Flags on 4 January 2026. Child protection: 2 open (one since 2024), one ended on 1 December, one from February.
    def flag(kind, starts_on, ends_on=None, child=None):
        return PupilFlag.objects.create(
            school=school,
            pupil=child or pupil(school, 9),
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            source="Fictional",
            recorded_by=dsl,
            recorded_by_name="Helen Marsh",
            recorded_by_role="DSL",
        )

    flag(FlagKind.CHILD_PROTECTION, date(2025, 9, 1))
    flag(FlagKind.CHILD_PROTECTION, date(2024, 1, 1))
    flag(FlagKind.CHILD_PROTECTION, date(2025, 10, 1), date(2025, 12, 1))
    flag(FlagKind.CHILD_PROTECTION, date(2026, 2, 1))
    # Child in need: 6 children, one of them with two overlapping flags (counted once).
    twice = pupil(school, 9)
    for _ in range(5):
        flag(FlagKind.CHILD_IN_NEED, date(2025, 9, 15))
    flag(FlagKind.CHILD_IN_NEED, date(2025, 9, 15), child=twice)
    flag(FlagKind.CHILD_IN_NEED, date(2025, 10, 15), child=twice)
    # Early help: 7 open.
    for _ in range(7):
        flag(FlagKind.EARLY_HELP, date(2025, 11, 1))

    # CP files between schools (R55, R58). Sent in the period (3 September to 4 January): 9.
    # 6 on time: due Monday 13 October, sent 8 to 13 October (the last on the day it was due, which is on time).
    for day in (8, 9, 10, 10, 13, 13):
        transfer(
            school=school, by=dsl, recorded_on=date(2025, 10, 6), due_on=date(2025, 10, 13), sent_on=date(2025, 10, day)
        )
    # 3 late: 2 due 17 November, sent on the 19th; 1 due 22 December, sent on the 23rd (the holiday is autumn's).
    for _ in range(2):
        transfer(
            school=school, by=dsl, recorded_on=date(2025, 11, 10), due_on=date(2025, 11, 17), sent_on=date(2025, 11, 19)
        )
    transfer(
        school=school, by=dsl, recorded_on=date(2025, 12, 15), due_on=date(2025, 12, 22), sent_on=date(2025, 12, 23)
    )
    # Not sent in the period: one sent on 2 September (the summer term's); one due 16 December and sent only on
    # 5 January (the spring term's), so overdue at the end of the autumn period: the only overdue one, since
    # one due on 5 January is not due yet on the 4th, and one recorded on 10 January (a leaving entered late, due
    # 20 December) was not known at the end of the period.
    transfer(school=school, by=dsl, recorded_on=date(2025, 7, 20), due_on=date(2025, 9, 8), sent_on=date(2025, 9, 2))
    transfer(school=school, by=dsl, recorded_on=date(2025, 12, 9), due_on=date(2025, 12, 16), sent_on=date(2026, 1, 5))
    transfer(school=school, by=dsl, recorded_on=date(2025, 12, 19), due_on=date(2026, 1, 5))
    transfer(school=school, by=dsl, recorded_on=date(2026, 1, 10), due_on=date(2025, 12, 20))
    # Received: 4 in term time and 1 on 4 January, the period's last day: 5. One on 5 January is the spring's.
    for day in (
        date(2025, 9, 15),
        date(2025, 10, 1),
        date(2025, 11, 3),
        date(2025, 12, 1),
        date(2026, 1, 4),
        date(2026, 1, 5),
    ):
        transfer(school=school, by=dsl, recorded_on=day, direction="in", received_on=day)
    return made


def raw(school, key=AUTUMN):
    period = periods_for([school], key, today=TODAY.date())[school.pk]
    return period, term_counts(period=period, levels=active_levels(), today=TODAY.date())


@pytest.mark.django_db
def test_the_counts_match_the_hand_worked_term(school, autumn, staff_figures):
    """Every count of the autumn term, as worked out by hand above."""
    period, counted = raw(school)
    assert (period.starts_on, period.ends_on) == (date(2025, 9, 3), date(2026, 1, 4))
    c = counted.counts
    assert c["concerns"] == 18
    assert (c["recorded_by_staff"], c["recorded_same_day"], c["recorded_late"]) == (17, 15, 2)
    assert c["domestic_abuse_notifications"] == 1
    assert c["group:abuse_neglect"] == 8
    assert c["group:child_on_child"] == 7  # 6 bullying and the re-categorised one
    assert c["group:health_wellbeing"] == 0  # the reporter's self-harm gave way to the DSL's category
    assert (c["group:education_absence"], c["group:home_family"]) == (2, 1)
    assert c["child_on_child"] == 7
    assert (c["level:level_2"], c["level:level_1"], c["level:level_3"], c["level:none"]) == (8, 6, 2, 2)
    assert (c["ks:ks3"], c["ks:ks4"], c["ks:ks2"], c["ks:unknown"]) == (10, 8, 0, 0)
    assert (c["referral:csc:referred"], c["referral:csc:answered"], c["referral:csc:awaiting"]) == (2, 1, 1)
    assert c["referral:csc:not_referred"] == 1
    assert (c["referral:early_help:referred"], c["referral:early_help:answered"]) == (1, 1)
    assert (c["referral:police:referred"], c["referral:police:awaiting"]) == (1, 1)
    assert c["referral:prevent:referred"] == c["referral:fgm:referred"] == 0
    assert c["referral:lado:referred"] == 1
    assert (c["deadlines_due"], c["deadlines_met"], c["deadlines_missed"]) == (3, 1, 2)
    assert c["overdue_actions"] == 2
    assert (c["transfers_sent"], c["transfers_sent_on_time"], c["transfers_sent_late"]) == (9, 6, 3)
    assert (c["transfers_received"], c["transfers_overdue"]) == (5, 1)
    assert (c["open:child_protection"], c["open:child_in_need"], c["open:early_help"]) == (2, 6, 7)
    assert c["open:looked_after"] == c["open:previously_looked_after"] == 0
    assert (c["allegations_opened"], c["allegations_concluded"], c["low_level_concerns"]) == (2, 1, 6)
    # Waits: 6 of 10 minutes and 9 of 30 (the police notification is not raised by staff): the 8th is 30 minutes.
    assert (counted.acknowledgement.count, counted.acknowledgement.value) == (15, 30 * MIN)
    assert (counted.triage.count, counted.triage.value) == (15, 2 * HOUR)


@pytest.mark.django_db
def test_the_neighbouring_terms_get_their_own_records(school, autumn, staff_figures):
    """The concern of 2 September is the summer term's; the one of 5 January the spring term's."""
    _, summer = raw(school, TermKey("2024-25", "summer"))
    _, spring = raw(school, TermKey("2025-26", "spring"))
    assert summer.counts["concerns"] == 5 and spring.counts["concerns"] == 1


@pytest.mark.django_db
def test_the_report_shows_what_may_be_shown(school, autumn, staff_figures):
    """Small counts read "fewer than 5"; figures that would give one away by subtraction are withheld."""
    report = build_report(Scope((school,)), AUTUMN)
    shown = {measure: str(report.figure(measure)) for measure in report.current.counts[school.pk].counts}
    assert shown["concerns"] == "18"
    assert shown["group:abuse_neglect"] == "8" and shown["group:child_on_child"] == "7"
    assert shown["group:education_absence"] == FEWER_THAN_5 and shown["group:home_family"] == FEWER_THAN_5
    assert shown["domestic_abuse_notifications"] == FEWER_THAN_5
    # 18 concerns = 17 recorded by staff + 1 police notification: the 17 would give the 1 away, so it is withheld;
    # 15 on the day then leaves the 2 late ones known only as 1 or 2 (18 - 15 - the notification), never exactly.
    assert shown["recorded_by_staff"] == NOT_SHOWN and shown["recorded_late"] == FEWER_THAN_5
    assert report.timeliness[0].now == "not shown (small numbers)"
    assert shown["open:child_protection"] == FEWER_THAN_5 and shown["open:child_in_need"] == "6"
    assert shown["deadlines_missed"] == FEWER_THAN_5 and shown["overdue_actions"] == FEWER_THAN_5
    assert shown["low_level_concerns"] == "6" and shown["allegations_opened"] == FEWER_THAN_5
    assert report.timeliness[1].now == "30 minutes" and report.timeliness[2].now == "2 hours"
    # CP files: 9 sent = 6 on time + 3 late. The 3 is small, and 9 less 6 would give it away, so the 6 is
    # withheld, and with it the share sent on time. 5 received are shown; the 1 overdue is small.
    assert shown["transfers_sent"] == "9" and shown["transfers_sent_late"] == FEWER_THAN_5
    assert shown["transfers_sent_on_time"] == NOT_SHOWN
    assert report.timeliness[4].label == "CP files sent to the next school on time"
    assert report.timeliness[4].now == "not shown (small numbers)"
    assert shown["transfers_received"] == "5" and shown["transfers_overdue"] == FEWER_THAN_5
    assert [row.measure for row in report.sections["CP files between schools"]] == [
        "transfers_sent",
        "transfers_sent_on_time",
        "transfers_received",
        "transfers_overdue",
    ]
    # No hidden figure keeps a value a template could print.
    assert all(f.value is None for f in report.current.figures.values() if not f.shown)


@pytest.mark.django_db
def test_the_share_of_cp_files_sent_on_time_is_shown_when_its_parts_are(school, dsl, autumn, staff_figures):
    """Two more late ones (sent 1 December, due 24 November): 11 sent, 6 on time and 5 late, all shown, so the
    share is 6 / 11 = 55% (rounded), on the page and in the PDF's timeliness chart."""
    for _ in range(2):
        transfer(
            school=school, by=dsl, recorded_on=date(2025, 11, 17), due_on=date(2025, 11, 24), sent_on=date(2025, 12, 1)
        )
    report = build_report(Scope((school,)), AUTUMN)
    assert [str(report.figure(m)) for m in ("transfers_sent", "transfers_sent_on_time", "transfers_sent_late")] == [
        "11",
        "6",
        "5",
    ]
    assert report.timeliness[4].now == "55%" and report.timeliness[4].target == "100%"
    # Last term's one (sent on 2 September) is small, so its share is not shown; a year before, none was sent.
    assert report.timeliness[4].previous == "not shown (small numbers)"
    assert report.timeliness[4].year_before == "none sent"
    assert "CP files sent on time" in charts.charts_for(report)["timeliness"].svg


@pytest.mark.django_db
def test_a_hidden_figure_cannot_be_recovered_from_the_figures_shown(school, autumn, staff_figures):
    """The subtraction attack on the levels of need: 18 minus the levels shown leaves two hidden figures, never one;
    on the recording: 18 minus the police notifications needs the staff-recorded count, which is withheld."""
    report = build_report(Scope((school,)), AUTUMN)
    levels = [row for row in report.sections["Concerns by level of need"]]
    hidden = [row for row in levels if not row.now.shown]
    assert len(hidden) != 1
    shown_total = sum(row.now.value for row in levels if row.now.shown)
    assert report.figure("concerns").value - shown_total == 4  # the two hidden: 2 at level 3 and 2 not triaged
    assert not report.figure("recorded_by_staff").shown


@pytest.mark.django_db
def test_changes_and_questions_come_only_from_shown_figures(school, autumn, staff_figures):
    """The three questions: the missed statutory deadlines first, then the largest changes that can be shown."""
    report = build_report(Scope((school,)), AUTUMN)
    texts = [q.text for q in report.questions]
    assert len(texts) == 3
    assert texts[0].startswith("Fewer than 5 statutory deadlines were missed this term")
    assert "Concerns recorded: rose from 0 in the Autumn term 2024-25 to 18 this term" in texts[1]
    neglect = next(r for r in report.sections["Concerns by kind"] if r.measure == "group:abuse_neglect")
    assert (neglect.since_previous, neglect.since_year_before) == (3, 8)
    home = next(r for r in report.sections["Concerns by kind"] if r.measure == "group:home_family")
    assert home.since_previous is None  # hidden now: no change is worked out from it


@pytest.mark.django_db
def test_cases_about_the_head_are_counted_only_for_the_chair(school, autumn, staff_figures):
    figure = figures_module.head_cases_left_out(Scope((school,)), AUTUMN)
    assert str(figure) == FEWER_THAN_5


@pytest.mark.django_db
def test_the_trust_adds_its_schools_and_protects_every_cell(
    school, other_school, dsl, autumn, staff_figures, make_person
):
    """A second school in the same trust: the trust's figure is the sum, and a school's small figure cannot be
    recovered as the trust's figure less the other school's."""
    other_school.trust = school.trust
    other_school.save()
    from .helpers import terms_2025_26

    terms_2025_26(other_school)
    other_dsl = make_person(Role.DSL, school=other_school)
    for i in range(9):
        concern(
            school=other_school,
            author=other_dsl,
            recorded_at=at(date(2025, 10, 2) + timedelta(days=i)),
            pupil=pupil(other_school, 9),
            codes=["bullying" if i < 6 else "fgm"],
            level="level_1",
        )
    report = build_report(Scope((school, other_school), trust=school.trust), AUTUMN)
    current = report.current
    assert current.counts[school.pk].counts["concerns"] + current.counts[other_school.pk].counts["concerns"] == 27
    assert str(current.get(TRUST, "concerns")) == "27"
    # Harmful practices: 0 at West Park, 3 at the other school: small there, so the trust's figure (3) is small too.
    assert str(current.get(other_school.pk, "group:harmful_practices")) == FEWER_THAN_5
    assert str(current.get(TRUST, "group:harmful_practices")) == FEWER_THAN_5
    # Child-on-child: 7 at West Park and 6 there, 13 in all: all shown, and they add up.
    assert [str(current.get(c, "group:child_on_child")) for c in (school.pk, other_school.pk, TRUST)] == [
        "7",
        "6",
        "13",
    ]
    # Every measure: if one school's figure is hidden, the trust's total less the others' shown is never it.
    for measure in current.counts[school.pk].counts:
        cells = [current.get(c, measure) for c in (school.pk, other_school.pk)]
        total = current.get(TRUST, measure)
        if total.shown:
            assert sum(1 for cell in cells if not cell.shown) != 1, measure
    assert [row.label for row in report.side_by_side][:1] == ["Concerns recorded"]
    assert report.side_by_side_columns == [s.name for s in report.scope.schools] + ["Whole trust"]
