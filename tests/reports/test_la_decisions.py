"""R30 in the trustees' report: what the local authority decided about the school's referrals to children's social
care, counted in the term of the decision, by outcome, protected like every other figure (R88).

The term is West Park's autumn 2025-26: 3 September 2025 to 4 January 2026 (the spring term starts on the 5th).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from concerns.models import ActionKind, LaOutcome
from safeguarding.models import Role
from safeguarding.reports.figures import TRUST, Scope
from safeguarding.reports.periods import TermKey, periods_for
from safeguarding.reports.report import build_report
from safeguarding.reports.selectors import active_levels, term_counts
from safeguarding.reports.suppression import FEWER_THAN_5, NOT_SHOWN

from ..conftest import sign_in
from .helpers import TODAY, action, at, concern, read_report, terms_2025_26
from .test_report_views import pdf_text

pytestmark = pytest.mark.django_db

AUTUMN = TermKey("2025-26", "autumn")
SUMMER_BEFORE = TermKey("2024-25", "summer")
PAGE = reverse("reports:term", args=["2025-26", "autumn"])
PDF = reverse("reports:term_pdf", args=["2025-26", "autumn"])


def chase(school, by, *, set_on: date, done_on: date | None, outcome: str = "", decided_on: date | None = None):
    """A referral's "LA decision received?" task, set on `set_on` and done on `done_on` (or still open), with the
    local authority's decision recorded on it."""
    record = concern(school=school, author=by, recorded_at=at(set_on), codes=["neglect"])
    return action(
        record,
        ActionKind.CSC_DECISION_CHASE,
        by=by,
        created_at=at(set_on),
        due_at=at(set_on + timedelta(days=1), 17),
        completed_at=at(done_on, 12) if done_on else None,
        la_outcome=outcome,
        la_decided_on=decided_on,
    )


def counts(school, key=AUTUMN):
    period = periods_for([school], key, today=TODAY.date())[school.pk]
    return term_counts(period=period, levels=active_levels(), today=TODAY.date()).counts


def outcomes(figures) -> dict[str, int]:
    return {code: figures[f"la_outcome:{code}"] for code in LaOutcome.values} | {"all": figures["la_decisions"]}


@pytest.fixture
def decisions(school, other_school, dsl, terms, make_person):
    """The decisions of the autumn term, and what does not belong to it."""
    # 6 section 47 enquiries decided in October, recorded on the day.
    for i in range(6):
        day = date(2025, 10, 1) + timedelta(days=i)
        chase(school, dsl, set_on=day, done_on=day, outcome=LaOutcome.SECTION_47, decided_on=day)
    # 2 section 17 decisions recorded with no date: they count on the day the task was done (November).
    for i in range(2):
        chase(school, dsl, set_on=date(2025, 11, 3), done_on=date(2025, 11, 4 + i), outcome=LaOutcome.SECTION_17)
    # No further action, decided on 22 December (the Christmas holiday is autumn's) and recorded on 6 January (the
    # spring term's): it belongs to the term of the decision.
    chase(
        school,
        dsl,
        set_on=date(2025, 12, 18),
        done_on=date(2026, 1, 6),
        outcome=LaOutcome.NO_FURTHER_ACTION,
        decided_on=date(2025, 12, 22),
    )
    # Early help, decided on 2 September (the summer term 2024-25's), recorded on the 4th: last term's.
    chase(
        school,
        dsl,
        set_on=date(2025, 8, 28),
        done_on=date(2025, 9, 4),
        outcome=LaOutcome.EARLY_HELP,
        decided_on=date(2025, 9, 2),
    )
    # Not counted: a task done with no decision recorded (before the form asked for it); one still open; the outcome
    # field on another kind of task; another school's decision in the same days.
    chase(school, dsl, set_on=date(2025, 10, 20), done_on=date(2025, 10, 21))
    chase(school, dsl, set_on=date(2025, 10, 22), done_on=None, outcome=LaOutcome.OTHER, decided_on=date(2025, 10, 23))
    stray = concern(school=school, author=dsl, recorded_at=at(date(2025, 10, 24)))
    action(
        stray,
        ActionKind.CSC_REFERRAL_PHONE,
        by=dsl,
        created_at=at(date(2025, 10, 24)),
        completed_at=at(date(2025, 10, 24), 11),
        la_outcome=LaOutcome.SECTION_47,
        la_decided_on=date(2025, 10, 24),
    )
    terms_2025_26(other_school)
    other_dsl = make_person(Role.DSL, school=other_school)
    chase(
        other_school,
        other_dsl,
        set_on=date(2025, 10, 1),
        done_on=date(2025, 10, 2),
        outcome=LaOutcome.SECTION_47,
        decided_on=date(2025, 10, 2),
    )


def test_each_decision_counts_in_the_term_it_was_made_by_outcome(school, decisions):
    assert outcomes(counts(school)) == {
        "section_47": 6,
        "section_17": 2,
        "early_help": 0,
        "no_further_action": 1,
        "other": 0,
        "all": 9,
    }
    assert outcomes(counts(school, SUMMER_BEFORE))["early_help"] == 1
    assert outcomes(counts(school, TermKey("2025-26", "spring")))["all"] == 0


def test_small_outcomes_read_fewer_than_5_and_cannot_be_worked_out_from_the_total(school, decisions):
    """9 decisions: 6 section 47, and 2 and 1 hidden. 9 - 6 leaves 3 for the two hidden ones, which could be 1 and 2
    or 2 and 1: neither is pinned, so the 6 and the 9 can be shown."""
    report = build_report(Scope((school,)), AUTUMN)
    shown = {row.measure: str(row.now) for row in report.la_decisions}
    assert shown == {
        "la_decisions": "9",
        "la_outcome:section_47": "6",
        "la_outcome:section_17": FEWER_THAN_5,
        "la_outcome:early_help": "0",
        "la_outcome:no_further_action": FEWER_THAN_5,
        "la_outcome:other": "0",
    }


def test_one_small_outcome_beside_a_total_withholds_another_figure(school, dsl, terms):
    """8 decisions, 6 of them section 47 and 2 section 17: 8 - 6 would give the 2 away, so the 6 is not shown (and
    the page never prints a value for a hidden cell)."""
    for i in range(6):
        day = date(2025, 10, 1) + timedelta(days=i)
        chase(school, dsl, set_on=day, done_on=day, outcome=LaOutcome.SECTION_47, decided_on=day)
    for i in range(2):
        day = date(2025, 11, 3) + timedelta(days=i)
        chase(school, dsl, set_on=day, done_on=day, outcome=LaOutcome.SECTION_17, decided_on=day)
    report = build_report(Scope((school,)), AUTUMN)
    figures = {row.measure: row.now for row in report.la_decisions}
    assert str(figures["la_outcome:section_17"]) == FEWER_THAN_5
    assert str(figures["la_outcome:section_47"]) == NOT_SHOWN
    assert str(figures["la_decisions"]) == "8"
    hidden = [measure for measure, figure in figures.items() if not figure.shown]
    assert len(hidden) == 2 and all(figures[m].value is None for m in hidden)
    # The change since last term is worked out only from shown figures.
    section_47 = next(row for row in report.la_decisions if row.measure == "la_outcome:section_47")
    assert section_47.since_previous is None


def test_a_schools_small_outcome_cannot_be_worked_out_from_the_trust(school, other_school, dsl, terms, make_person):
    """West Park 7 section 47 and the other school 3: the trust's 10 less West Park's 7 would give the 3 away."""
    other_school.trust = school.trust
    other_school.save()
    terms_2025_26(other_school)
    other_dsl = make_person(Role.DSL, school=other_school)
    for i in range(7):
        day = date(2025, 10, 1) + timedelta(days=i)
        chase(school, dsl, set_on=day, done_on=day, outcome=LaOutcome.SECTION_47, decided_on=day)
    for i in range(3):
        day = date(2025, 10, 1) + timedelta(days=i)
        chase(other_school, other_dsl, set_on=day, done_on=day, outcome=LaOutcome.SECTION_47, decided_on=day)
    report = build_report(Scope((school, other_school), trust=school.trust), AUTUMN)
    cells = [report.current.get(c, "la_outcome:section_47") for c in (school.pk, other_school.pk, TRUST)]
    assert str(cells[1]) == FEWER_THAN_5
    assert sum(1 for cell in cells if not cell.shown) >= 2
    # West Park's own report shows its column of the same protected table.
    alone = build_report(Scope((school,)), AUTUMN)
    assert str(alone.figure("la_outcome:section_47")) == str(cells[0])


def test_the_page_and_the_pdf_give_the_decisions(client, trustee, decisions):
    sign_in(client, trustee)
    page = read_report(client, PAGE).content.decode()
    section = page.split("the local authority's decisions</h3>")[1].split("</table>")[0]
    assert 'Decisions recorded this term</th><td class="num">9<' in section
    assert '… of which section 47 enquiry (child protection)</th><td class="num">6<' in section
    assert '… of which section 17: child in need assessment or support</th><td class="num">fewer than 5<' in section
    text = " ".join(pdf_text(client.get(PDF)).split())
    assert "Children's social care: the local authority's decisions" in text
    assert "Decisions recorded this term 9" in text
    assert "… of which section 47 enquiry (child protection) 6" in text
    assert "… of which no further action by children's social care fewer than 5" in text


def test_the_trust_lead_sees_the_decisions_school_by_school(client, school, other_school, make_person, decisions):
    other_school.trust = school.trust
    other_school.save()
    lead = make_person(Role.TRUST_SAFEGUARDING_LEAD, school=school)
    sign_in(client, lead)
    page = read_report(client, PAGE).content.decode()
    side = page.split("School by school</h2>")[1]
    assert "Local authority decisions: Section 47 enquiry (child protection)</th>" in side
