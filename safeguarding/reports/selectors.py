"""The counts of one term for a school, or for every school of a trust at once (R87), read with a fixed number of
queries however many schools there are and however many years of records they hold: each figure reads only the
rows of the period, through an index, and counts every school's period in the same query (querying.py).

Every figure is a count of records or of children, never a record: nothing here returns a name, a date of birth, a
form or a line of free text. What is counted, and the words for it, are in measures.py; the counts themselves, with
what each figure means, in concern_counts.py (the concerns recorded and the children they are about, and the median
waits), action_counts.py (referrals, the local authority's decisions, statutory deadlines, CP files between
schools) and staff_cases.py (the register of concerns about adults). This module puts them together.
"""

from __future__ import annotations

from concerns.models import LevelOfNeed

from .action_counts import action_figures, la_decision_figures, referral_figures, transfer_figures
from .concern_counts import (
    concern_figures,
    group_figures,
    key_stage_figures,
    level_figures,
    open_flag_figures,
    waits,
)
from .measures import ALLEGATION_OUTCOMES, TermCounts
from .periods import Period
from .staff_cases import staff_counts


def active_levels() -> list[tuple[str, str]]:
    return list(LevelOfNeed.objects.filter(is_active=True).order_by("order").values_list("code", "label"))


def schools_term_counts(*, periods: list[Period], levels: list[tuple[str, str]], today) -> dict[int, TermCounts]:
    """Every count of the report for each school's period of one term, without the medians (which are measured only
    for what a report shows: see `waits`). About a dozen queries whatever the number of schools, plus the register's
    counts of adult cases, which it gives school by school."""
    if not periods:
        return {}
    counts: dict[int, dict[str, int]] = {period.school.pk: {} for period in periods}
    for figures in (
        concern_figures(periods),
        group_figures(periods),
        level_figures(periods, levels),
        key_stage_figures(periods, today=today),
        referral_figures(periods),
        la_decision_figures(periods),
        open_flag_figures(periods),
        action_figures(periods),
        transfer_figures(periods),
    ):
        for school_id, school_figures in figures.items():
            counts[school_id].update(school_figures)
    result = {}
    register = staff_counts(periods)
    for period in periods:
        school_counts = counts[period.school.pk]
        school_counts["deadlines_due"] = school_counts["deadlines_met"] + school_counts["deadlines_missed"]
        school_counts["recorded_by_staff"] = school_counts["recorded_same_day"] + school_counts["recorded_late"]
        staff = register[period.school.pk] if register is not None else None
        if staff is not None:
            school_counts["allegations_opened"] = staff["allegations_opened"]
            school_counts["allegations_open_at_end"] = staff["allegations_open_at_end"]
            for outcome in ALLEGATION_OUTCOMES:
                school_counts[f"allegation_outcome:{outcome}"] = staff["allegations_by_outcome"].get(outcome, 0)
            school_counts["allegations_concluded"] = sum(
                school_counts[f"allegation_outcome:{o}"] for o in ALLEGATION_OUTCOMES
            )
            school_counts["low_level_concerns"] = staff["low_level_concerns"]
            school_counts["referral:lado:referred"] = staff["lado_referrals"]
        result[period.school.pk] = TermCounts(counts=school_counts, staff=staff, levels=levels)
    return result


def term_counts(*, period: Period, levels: list[tuple[str, str]], today) -> TermCounts:
    """Every count of the report for one school's period, with its two medians."""
    counted = schools_term_counts(periods=[period], levels=levels, today=today)[period.school.pk]
    counted.acknowledgement, counted.triage = waits([period])
    return counted
