"""What the register (/staff-concerns/) prints for each case and each pattern, worked out in one pass (issue 12): a
page of 50 cases made the template reverse a URL, format a date and look up a label once a row; here each URL is
reversed once a page (safeguarding/links.py) and the words are written in Python.

Tests: tests/staff_allegations/test_views.py, test_query_counts.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import formats, timezone

from safeguarding.links import links_to

from .models import AdultCase, CaseKind
from .selectors import Pattern

# The register's short words for a kind of case; any other is whistleblowing.
KIND_WORDS: dict[str, str] = {CaseKind.ALLEGATION: "Allegation", CaseKind.LOW_LEVEL: "Low-level concern"}


@dataclass(frozen=True)
class Deadline:
    text: str  # "Consult the LADO (within one working day): due Wed 2 Dec, 10:30"
    overdue: bool


@dataclass(frozen=True)
class CaseLine:
    url: str
    reference: str
    kind: str
    about: str
    raised_on: str
    is_open: bool
    closed_as: str  # the outcome of a closed case, if one is recorded
    deadlines: list[Deadline]


@dataclass(frozen=True)
class PatternLine:
    label: str
    cases: list[tuple[str, str]]  # (url, reference), oldest first


def case_lines(cases: Iterable[AdultCase]) -> list[CaseLine]:
    """The cases (with their open tasks fetched as `open_tasks`, selectors.case_list_for_user) as the table's rows."""
    link = links_to("staff_allegations:detail")
    now = timezone.now()
    return [
        CaseLine(
            url=link(case.public_id),
            reference=case.reference,
            kind=KIND_WORDS.get(case.kind, "Whistleblowing"),
            about=case.subject_display,
            raised_on=_date(case, "j M Y"),
            is_open=case.is_open,
            closed_as=case.get_outcome_display() if case.outcome else "",
            deadlines=[
                Deadline(
                    text=f"{task.get_kind_display()}: due "
                    f"{formats.date_format(timezone.localtime(task.due_at), 'D j M, H:i')}",
                    overdue=task.is_overdue(now),
                )
                for task in case.open_tasks  # type: ignore[attr-defined]  # prefetched under this name
            ],
        )
        for case in cases
    ]


def pattern_lines(patterns: Iterable[Pattern]) -> list[PatternLine]:
    link = links_to("staff_allegations:detail")
    return [PatternLine(p.label, [(link(c.public_id), c.reference) for c in p.cases]) for p in patterns]


def _date(case: AdultCase, format: str) -> str:
    return formats.date_format(timezone.localtime(case.raised_at), format)
