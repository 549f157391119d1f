"""What /audit/ prints for each entry of a page (R85), worked out in one pass (issue 12): the words for what happened
and for the kind of record are translated once a page, not once a row, and each time is written once, in the
school's time zone as the template's `date` filter writes it. Who did it is the actor's full name (their username
if none is recorded), or "The system".

Tests: tests/test_audit_log.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.utils import formats, timezone
from django.utils.text import capfirst


@dataclass(frozen=True)
class AuditLine:
    at_iso: str  # for <time datetime="...">
    at: str  # "4 Dec 2026, 09:15:02"
    who: str
    what: str  # "Access (PDF export)", "Update"
    record: str  # "Pupil: Maya Okonjo"
    changes: dict[str, Any]  # field: [before, after], as auditlog keeps them


def audit_lines(entries: Iterable[LogEntry]) -> list[AuditLine]:
    """The entries (with their actor and content type fetched alongside) as the page's lines, in their order."""
    actions = {value: capfirst(str(label)) for value, label in LogEntry.Action.choices}
    kinds: dict[int, str] = {}
    lines = []
    for entry in entries:
        if entry.content_type_id not in kinds:
            kinds[entry.content_type_id] = capfirst(entry.content_type.name)
        at = timezone.localtime(entry.timestamp)
        data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
        what = actions.get(entry.action) or str(entry.action)
        lines.append(
            AuditLine(
                at_iso=formats.date_format(at, "c"),
                at=formats.date_format(at, "j M Y, H:i:s"),
                who=(entry.actor.get_full_name() or entry.actor.username) if entry.actor else "The system",
                what=f"{what} ({data['access']})" if data.get("access") else what,
                record=f"{kinds[entry.content_type_id]}: {entry.object_repr}",
                changes=entry.changes_dict,
            )
        )
    return lines
