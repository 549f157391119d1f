"""The alert queue's rows, each worked out once in Python (issue 12).

Drawn straight from the concerns, each row made the template walk the pupil links for the child, the categories,
three reversed addresses and two date filters: about a millisecond a row, most of the queue's time. Here each row
is a handful of plain strings made in one pass (its addresses by safeguarding.links), and the template
(concerns/_queue_table.html) only places them. What the row says is unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.timesince import timesince

from safeguarding.links import links_to

from .models import Concern


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


def queue_rows(concerns: Iterable[Concern], *, now: datetime) -> list[QueueRow]:
    """The rows for concerns fetched with the queue's selector (pupil links, categories and people prefetched)."""
    detail, acknowledge, assign = (links_to(f"concerns:{name}") for name in ("detail", "acknowledge", "assign"))
    rows = []
    for concern in concerns:
        subject = concern.subject
        recorded = timezone.localtime(concern.recorded_at)
        rows.append(
            QueueRow(
                public_id=concern.public_id,
                detail_url=detail(concern.public_id),
                acknowledge_url=acknowledge(concern.public_id),
                assign_url=assign(concern.public_id),
                child=subject.full_name if subject else "",
                year_and_form=subject.year_and_form if subject else "",
                recorded=date_format(recorded, "j M, H:i"),
                ago=timesince(concern.recorded_at, now),
                categories="; ".join(str(category) for category in concern.categories.all()),
                author_name=concern.author_name,
                assigned_to=concern.assigned_to.get_full_name() if concern.assigned_to else "",
                is_immediate=concern.is_immediate,
                is_late=concern.is_late,
                escalated=concern.escalated_at is not None,
                acknowledged=concern.acknowledged_at is not None,
                acknowledged_by=concern.acknowledged_by.get_full_name() if concern.acknowledged_by else "",
            )
        )
    return rows
