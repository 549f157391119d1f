"""The alert queue's rows, each worked out once in Python (issue 12).

Drawn straight from the concerns, each row made the template walk the pupil links for the child, the categories,
three reversed addresses and two date filters: about a millisecond a row, most of the queue's time. Here each row
is a handful of plain strings made in one pass (its addresses by safeguarding.links), and the template
(concerns/_queue_table.html) only places them. What the row says is unchanged.

Nor are the concerns loaded as models: a page of 50 with their people, pupil links and categories prefetched made
about 150 model instances, each concern with its whole narrative, for a dozen short values a row (25 ms of the
queue's 70 at a school's volume). `row_values` asks the database for those values only, and `queue_rows` fetches the
children and the categories of the page in one query each.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.timesince import timesince

from safeguarding.links import links_to

from . import categories
from .models import Concern, ConcernCategory, ConcernPupil, Pupil, PupilRole


@dataclass(frozen=True)
class QueueRow:
    public_id: uuid.UUID
    detail_url: str
    acknowledge_url: str
    assign_url: str
    child: str
    year_and_form: str
    recorded: str
    ago: str
    categories: str
    author_name: str
    assigned_to: str
    is_immediate: bool
    is_late: bool
    escalated: bool
    acknowledged: bool
    acknowledged_by: str


# What a row shows of the concern and of the two people named on it, and nothing else (no narrative).
_PEOPLE = ("assigned_to", "acknowledged_by")
ROW_FIELDS = (
    "pk",
    "public_id",
    "recorded_at",
    "author_name",
    "is_immediate",
    "is_late",
    "escalated_at",
    "acknowledged_at",
    *(f"{person}__{field}" for person in _PEOPLE for field in ("first_name", "last_name")),
)


# What Pupil.full_name and Pupil.year_and_form read.
_PUPIL_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
    "year_group",
    "form",
)


def row_values(concerns: QuerySet[Concern]) -> QuerySet:
    """The queue's concerns (filtered and ordered by its selector) as the values a row needs: what `queue_rows`
    takes, and what the queue pages."""
    return concerns.values(*ROW_FIELDS)


def queue_rows(found: Iterable[dict], *, now: datetime) -> list[QueueRow]:
    """The rows for a list of `row_values`, in its order."""
    found = list(found)
    pks = [concern["pk"] for concern in found]
    subjects: dict[int, Pupil] = {}
    links = (
        ConcernPupil.objects.filter(concern_id__in=pks, role=PupilRole.SUBJECT)
        .select_related("pupil")
        .only("concern_id", *(f"pupil__{field}" for field in _PUPIL_FIELDS))
        .order_by("pk")
    )
    for link in links:
        subjects.setdefault(link.concern_id, link.pupil)
    labels: dict[int, list[str]] = {}
    for concern_id, code in (
        ConcernCategory.objects.filter(concern_id__in=pks).order_by("pk").values_list("concern_id", "code")
    ):
        labels.setdefault(concern_id, []).append(categories.label(code))
    detail, acknowledge, assign = (links_to(f"concerns:{name}") for name in ("detail", "acknowledge", "assign"))
    rows = []
    for concern in found:
        subject = subjects.get(concern["pk"])
        rows.append(
            QueueRow(
                public_id=concern["public_id"],
                detail_url=detail(concern["public_id"]),
                acknowledge_url=acknowledge(concern["public_id"]),
                assign_url=assign(concern["public_id"]),
                child=subject.full_name if subject else "",
                year_and_form=subject.year_and_form if subject else "",
                recorded=date_format(timezone.localtime(concern["recorded_at"]), "j M, H:i"),
                ago=timesince(concern["recorded_at"], now),
                categories="; ".join(labels.get(concern["pk"], ())),
                author_name=concern["author_name"],
                assigned_to=_full_name(concern, "assigned_to"),
                is_immediate=concern["is_immediate"],
                is_late=concern["is_late"],
                escalated=concern["escalated_at"] is not None,
                acknowledged=concern["acknowledged_at"] is not None,
                acknowledged_by=_full_name(concern, "acknowledged_by"),
            )
        )
    return rows


def _full_name(concern: dict, person: str) -> str:
    """As User.get_full_name says it; empty for nobody."""
    return f"{concern[f'{person}__first_name'] or ''} {concern[f'{person}__last_name'] or ''}".strip()
