"""The trustees' termly report's figures (R87–R88): a term's counts for a school or a whole trust, protected
against small numbers and subtraction (suppression.py), before anything is laid out.

The counts of all the schools of a trust are protected together, with the trust's own figures, whoever is reading:
a trustee of one school sees that school's column of the same protected table the trust's safeguarding lead sees
beside the others, so nothing hidden in one view can be read from another. Each term is protected on its own (a
comparison with last term shows last term's figures as its own report shows them); changes, shares and chart
points are worked out only from figures that are shown.

So a school's report counts every school of its trust: selectors.py does it in the same queries for all of them.
What is not protected with the counts, the median waits, is measured only for the column the reader is shown and
only for the three terms the report compares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import cast

from django.utils import timezone

from safeguarding.models import School, Trust

from . import suppression
from .concern_counts import waits
from .measures import (
    ALLEGATION_OUTCOMES,
    GROUPS,
    KEY_STAGE_UNKNOWN,
    KEY_STAGES,
    LA_OUTCOMES,
    OPEN_FLAGS,
    REFERRAL_TYPES,
    Median,
    TermCounts,
)
from .periods import Period, TermKey, periods_for
from .selectors import schools_term_counts
from .staff_cases import open_at_start, staff_counts
from .suppression import Figure, Table

TRUST = "trust"

# R87: CP files out and in, and the share sent on time (R55, R58).
TRANSFER_MEASURES = (
    "transfers_sent",
    "transfers_sent_on_time",
    "transfers_sent_late",
    "transfers_received",
    "transfers_overdue",
)

# Counts that stand at a moment (not flows through the term) and so appear in two terms' reports: each is hidden by
# the same rule wherever it appears (see `_protect`).
STOCKS = ("allegations_open_at_end", "allegations_open_at_start")


@dataclass(frozen=True)
class Scope:
    """What one report covers: one school, or a trust's schools side by side with the trust's own figures."""

    schools: tuple[School, ...]
    trust: Trust | None = None

    @property
    def is_trust(self) -> bool:
        return self.trust is not None

    @property
    def column(self):
        return TRUST if self.is_trust else self.schools[0].pk

    @property
    def name(self) -> str:
        return f"{self.trust.name} (all its schools)" if self.trust is not None else self.schools[0].name

    def protected_together(self) -> tuple[School, ...]:
        """The schools whose counts are protected as one table: the whole trust, whoever is reading."""
        trust_id = self.trust.pk if self.trust else self.schools[0].trust_id
        if trust_id is None:
            return self.schools
        return tuple(School.objects.filter(trust_id=trust_id).order_by("name"))


@dataclass
class TermFigures:
    """One term's protected figures for every school protected together (and the trust), by (column, measure)."""

    key: TermKey
    periods: dict[int, Period]
    counts: dict[int, TermCounts]
    figures: dict[tuple, Figure]
    medians: dict[tuple, Median]
    staff_available: bool

    def get(self, column, measure: str) -> Figure | None:
        return self.figures.get((column, measure))

    def has(self, column) -> bool:
        return column == TRUST and bool(self.periods) or column in self.periods


def _columns(counts: dict[int, TermCounts]) -> list:
    return list(counts) + ([TRUST] if counts else [])


def _measures(levels, staff_available: bool) -> list[str]:
    measures = [
        "concerns",
        "recorded_by_staff",
        "recorded_same_day",
        "recorded_late",
        "domestic_abuse_notifications",
        "opened_by_allegation",
        "child_on_child",
        "deadlines_due",
        "deadlines_met",
        "deadlines_missed",
        "overdue_actions",
        *TRANSFER_MEASURES,
        *(f"group:{code}" for code, _ in GROUPS),
        *(f"level:{code}" for code, _ in levels),
        "level:none",
        "level:other",
        *(f"ks:{code}" for code, _ in KEY_STAGES),
        f"ks:{KEY_STAGE_UNKNOWN}",
        *(f"open:{kind}" for kind, _ in OPEN_FLAGS),
        "la_decisions",
        *(f"la_outcome:{code}" for code, _ in LA_OUTCOMES),
    ]
    for kind in REFERRAL_TYPES:
        measures += [f"referral:{kind.code}:{part}" for part in ("referred", "answered", "awaiting", "not_referred")]
    if staff_available:
        measures += [
            "allegations_opened",
            "allegations_open_at_end",
            "allegations_open_at_start",
            "allegations_concluded",
            "low_level_concerns",
            "referral:lado:referred",
            *(f"allegation_outcome:{o}" for o in ALLEGATION_OUTCOMES),
        ]
    return measures


def _relate_column(table: Table, column, levels, staff_available: bool) -> None:
    """The ways a column's figures add up, each of which could give a hidden figure away."""

    def k(measure):
        return (column, measure)

    table.at_least(k("concerns"), [k(f"group:{code}") for code, _ in GROUPS])
    table.total(k("concerns"), [k(f"level:{code}") for code, _ in levels] + [k("level:none"), k("level:other")])
    table.total(k("concerns"), [k(f"ks:{code}") for code, _ in KEY_STAGES] + [k(f"ks:{KEY_STAGE_UNKNOWN}")])
    # Every concern is a person's own account, a police notification or one an allegation about an adult opened.
    table.total(k("concerns"), [k("recorded_by_staff"), k("domestic_abuse_notifications"), k("opened_by_allegation")])
    table.total(k("recorded_by_staff"), [k("recorded_same_day"), k("recorded_late")])
    table.at_least(k("child_on_child"), [k("concerns")])
    table.at_least(k("group:child_on_child"), [k("child_on_child")])
    table.total(k("deadlines_due"), [k("deadlines_met"), k("deadlines_missed")])
    # Sent on time is part of sent (so never more than it): the rest were sent late.
    table.total(k("transfers_sent"), [k("transfers_sent_on_time"), k("transfers_sent_late")])
    for kind in REFERRAL_TYPES:
        code = kind.code
        table.total(k(f"referral:{code}:referred"), [k(f"referral:{code}:answered"), k(f"referral:{code}:awaiting")])
    table.total(k("la_decisions"), [k(f"la_outcome:{code}") for code, _ in LA_OUTCOMES])
    if staff_available:
        table.total(k("allegations_concluded"), [k(f"allegation_outcome:{o}") for o in ALLEGATION_OUTCOMES])
        # Open at the start, plus opened, is concluded plus open at the end.
        table.equal(
            [k("allegations_open_at_start"), k("allegations_opened")],
            [k("allegations_concluded"), k("allegations_open_at_end")],
        )


def _protect(counts: dict[int, TermCounts], levels, staff_available: bool) -> dict[tuple, Figure]:
    measures = _measures(levels, staff_available)
    table = Table()
    schools = list(counts)
    for school_id in schools:
        for measure in measures:
            value = counts[school_id].counts.get(measure, 0)
            table.add((school_id, measure), value, keep=measure == "concerns", locked=measure in STOCKS)
    for measure in measures:
        total = sum(counts[s].counts.get(measure, 0) for s in schools)
        if measure in STOCKS:
            # A stock is hidden the same way in every report it appears in: at the trust level, whenever any
            # school's is hidden, so the trust's figure never gives a school's away.
            hide = suppression.is_small(total) or any(suppression.is_small(counts[s].counts[measure]) for s in schools)
            table.add((TRUST, measure), total, locked=True, hide=hide)
        else:
            table.add((TRUST, measure), total, keep=measure == "concerns")
        table.total((TRUST, measure), [(s, measure) for s in schools])
    for column in _columns(counts):
        _relate_column(table, column, levels, staff_available)
    # Every key added above is a (column, measure) pair.
    return cast("dict[tuple, Figure]", table.protect())


def term_figures(key: TermKey, schools: tuple[School, ...], *, today: date, levels) -> TermFigures:
    """Every school's counts for the term, protected together. The medians are not measured here: a report measures
    only the ones it shows (`measure_waits`)."""
    periods = periods_for(list(schools), key, today=today)
    counts = schools_term_counts(periods=list(periods.values()), levels=levels, today=today)
    staff_available = bool(counts) and all(c.staff is not None for c in counts.values())
    if staff_available:
        for school_id, open_then in open_at_start(list(periods.values())).items():
            counts[school_id].counts["allegations_open_at_start"] = open_then
    figures = _protect(counts, levels, staff_available) if counts else {}
    return TermFigures(
        key=key, periods=periods, counts=counts, figures=figures, medians={}, staff_available=staff_available
    )


def measure_waits(figures: TermFigures, column) -> None:
    """R19–R20, R25: the two medians of one column (a school's, or the trust's over all its schools' concerns), for
    a report that shows them. A median is not protected with the counts (rule 3 is about its own count), so a
    school's report needs no other school's, and none is measured for a term the report only charts."""
    if column == TRUST:
        periods = list(figures.periods.values())
    else:
        periods = [figures.periods[column]] if column in figures.periods else []
    if periods and (column, "acknowledgement") not in figures.medians:
        figures.medians[(column, "acknowledgement")], figures.medians[(column, "triage")] = waits(periods)


def head_cases_left_out(scope: Scope, key: TermKey, *, today: date | None = None) -> Figure | None:
    """R88: cases about the Head are left out of the pack; the Chair is told how many (small numbers hidden too)."""
    periods = periods_for(list(scope.schools), key, today=today or timezone.localdate())
    register = staff_counts(list(periods.values()))
    if register is None:
        return None
    total = sum(staff["left_out_about_head"] for staff in register.values())
    return suppression.small_only(total) if total else None
