"""The pieces a laid-out trustees' report is made of (R87–R89): a measure across the three terms compared, a share
against its target, a question for trustees, an annual assurance check, a row of the trust's schools side by side;
and the words for a median wait and for a change. Each holds figures already protected (figures.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from safeguarding.models import School

from . import suppression
from .measures import Median
from .suppression import Figure


def format_wait(median: Median | None) -> str:
    """A median wait in words, or why it is not shown (rule 3: over fewer than 5 concerns, never)."""
    if median is None or median.count == 0 or median.value is None:
        return "none to measure"
    if median.count < suppression.MIN_SHOWN_MEDIAN_COUNT:
        return "too few to show"
    minutes = round(median.value.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        text = f"{hours} hour{'s' if hours != 1 else ''}"
        return text + (f" {minutes} minute{'s' if minutes != 1 else ''}" if minutes else "")
    days = round(hours / 24)
    return f"{days} days"


def describe_change(difference: int | None) -> str:
    if difference is None:
        return "–"
    if difference == 0:
        return "no change"
    return f"{difference:+,}"


@dataclass
class Row:
    """One measure across the three terms compared."""

    measure: str
    label: str
    now: Figure
    previous: Figure | None
    year_before: Figure | None

    @property
    def since_previous(self) -> int | None:
        return suppression.change(self.now, self.previous) if self.previous else None

    @property
    def since_year_before(self) -> int | None:
        return suppression.change(self.now, self.year_before) if self.year_before else None

    @property
    def since_previous_text(self) -> str:
        return describe_change(self.since_previous)

    @property
    def is_zero_throughout(self) -> bool:
        return all(f is None or (f.shown and f.value == 0) for f in (self.now, self.previous, self.year_before))


@dataclass
class ShareRow:
    label: str
    now: str
    previous: str
    year_before: str
    target: str = ""


@dataclass
class Question:
    text: str


@dataclass
class AssuranceLine:
    school: School
    kind_label: str
    done_on: date | None
    next_due: date | None
    overdue: bool


@dataclass
class SideBySideRow:
    label: str
    cells: list[Figure | None]
