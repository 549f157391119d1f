"""The lists on the child's file (R52; issue 12): the newest chronology entries and concerns with how many earlier
ones there are, and the earlier ones a page at a time. A child known to the school for ten years has hundreds of
entries: the file opens on the newest, and the PDF (R54) keeps the whole file in one document.

Each list starts from the scoped reads in selectors.py, which decide who may open the file and leave out the
concerns withheld from the reader (R61); here they are only narrowed to what the page prints, a few columns a row
in one query with the total counted alongside, and turned into the words the page shows.

Tests: tests/concerns/test_pupil_file_paging.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import Count, F, QuerySet, Window
from django.utils import formats, timezone

from safeguarding.links import links_to
from safeguarding.models import User

from . import categories, selectors
from .models import ChronologyEntry, ChronologyKind, Concern, ConcernCategory, ConcernStatus, Pupil

FILE_CHRONOLOGY_SHOWN = 20  # the newest entries on the file itself
FILE_CONCERNS_SHOWN = 10  # the newest concerns on the file itself
EARLIER_PAGE_SIZE = 100  # the earlier entries or concerns, a page at a time

Line = TypeVar("Line")
# A row as values() gives it: the named columns.
Row = dict[str, Any]


@dataclass(frozen=True)
class ChronologyLine:
    when: str  # "Wednesday 2 December 2026, 10:30"
    day: str  # "2 December 2026", for the hidden words of the link to its concern
    kind: str
    summary: str
    concern_url: str  # empty for an entry about the child, not about one concern


@dataclass(frozen=True)
class ConcernLine:
    url: str
    recorded_on: str  # "2 Dec 2026"
    categories: str  # every category chosen, the writer's and the DSL team's: "Neglect; Physical abuse"
    status: str


@dataclass(frozen=True)
class Newest(Generic[Line]):
    """The newest lines of a list and how many the list holds; `earlier` is the count of those not shown."""

    lines: list[Line]
    total: int

    @property
    def earlier(self) -> int:
        return self.total - len(self.lines)


def chronology_rows_for_user(*, user: User, pupil: Pupil) -> QuerySet[ChronologyEntry, Any]:
    """R52: the child's chronology, newest first, as the columns the page prints."""
    return (
        selectors.chronology_list_for_user(user=user, pupil=pupil)
        .select_related(None)
        .values("kind", "occurred_at", "summary", concern_public_id=F("concern__public_id"))
    )


def concern_rows_for_user(*, user: User, pupil: Pupil) -> QuerySet[Concern, Any]:
    """Every concern on the child's file (as its subject), newest first, as the columns the page prints."""
    return (
        selectors.pupil_concern_list_for_user(user=user, pupil=pupil)
        .select_related(None)
        .prefetch_related(None)
        .order_by("-recorded_at", "-pk")
        .values("pk", "public_id", "recorded_at", "status")
    )


def chronology_newest_for_user(
    *, user: User, pupil: Pupil, shown: int = FILE_CHRONOLOGY_SHOWN
) -> Newest[ChronologyLine]:
    rows = _newest(chronology_rows_for_user(user=user, pupil=pupil), shown)
    return Newest(lines=chronology_lines(rows), total=rows[0]["total"] if rows else 0)


def concern_newest_for_user(*, user: User, pupil: Pupil, shown: int = FILE_CONCERNS_SHOWN) -> Newest[ConcernLine]:
    rows = _newest(concern_rows_for_user(user=user, pupil=pupil), shown)
    return Newest(lines=concern_lines(rows), total=rows[0]["total"] if rows else 0)


def earlier_rows(rows: QuerySet[Any, Row], shown: int) -> QuerySet[Any, Row]:
    """The rows after the first `shown` (those the file itself shows), for the earlier pages."""
    return rows[shown:]


def _newest(rows: QuerySet[Any, Row], shown: int) -> list[Row]:
    """The first `shown` rows, each carrying the count of all of them: one query, however long the list."""
    return list(rows.annotate(total=Window(Count("pk")))[:shown])


def chronology_lines(rows: Iterable[Row]) -> list[ChronologyLine]:
    kinds: dict[str, str] = dict(ChronologyKind.choices)
    concern_url = links_to("concerns:detail")
    return [
        ChronologyLine(
            when=_date(row["occurred_at"], "l j F Y, H:i"),
            day=_date(row["occurred_at"], "j F Y"),
            kind=kinds.get(row["kind"]) or row["kind"],
            summary=row["summary"],
            concern_url=concern_url(row["concern_public_id"]) if row["concern_public_id"] else "",
        )
        for row in rows
    ]


def concern_lines(rows: Iterable[Row]) -> list[ConcernLine]:
    """The concerns' lines, with their categories read in one query for all of them."""
    rows = list(rows)
    chosen: dict[int, list[str]] = {row["pk"]: [] for row in rows}
    for concern_id, code in (
        ConcernCategory.objects.filter(concern_id__in=chosen).order_by("pk").values_list("concern_id", "code")
        if chosen
        else ()
    ):
        chosen[concern_id].append(categories.label(code))
    statuses: dict[str, str] = dict(ConcernStatus.choices)
    concern_url = links_to("concerns:detail")
    return [
        ConcernLine(
            url=concern_url(row["public_id"]),
            recorded_on=_date(row["recorded_at"], "j M Y"),
            categories="; ".join(chosen[row["pk"]]),
            status=statuses.get(row["status"]) or row["status"],
        )
        for row in rows
    ]


def _date(value: datetime, format: str) -> str:
    """As the template's `date` filter writes it: in the school's time zone."""
    return formats.date_format(timezone.localtime(value), format)
