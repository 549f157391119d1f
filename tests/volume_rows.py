"""Rows made in bulk for the tests that measure pages at volume: the query counts at 10 and at 1,000 rows, and the
PostgreSQL plans (issue 12, item 5).

They are written with bulk_create, as tests/concerns/test_query_counts_at_volume.py writes its concerns: building
thousands of records through the services would take minutes and prove nothing more about pages that only read
them. Every name says it is made up. The rows are dated up to NOW, the moment the tests that use them travel to."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from concerns.models import Action, ActionKind, Concern, Pupil, StaffNote
from safeguarding.calendar import LONDON
from staff_allegations.models import AdultCase, CaseEntry, CaseKind, CaseTask, EntryKind, Route, TaskKind

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term


def queries_for(client, url, data=None, *, method="get") -> int:
    """How many queries the page costs, once warm (sessions and content types already read)."""
    send = getattr(client, method)
    send(url, data or {})
    with CaptureQueriesContext(connection) as captured:
        assert send(url, data or {}).status_code == 200
    return len(captured)


def add_pupils(*, school, count, first_names: Sequence[str] = ("Olivia",)) -> list[Pupil]:
    """`count` pupils on the school's roll, their first names taken in turn from `first_names`: by default all
    Olivia, so that one search matches every one."""
    start = (Pupil.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
    pupils = []
    for n in range(start, start + count):
        first_name, last = first_names[n % len(first_names)], f"Testpupil{n}"
        pupils.append(
            Pupil(
                school=school,
                legal_first_name=first_name,
                legal_last_name=last,
                date_of_birth=NOW.date() - timedelta(days=365 * 13),
                upn=f"T{n:012d}",
                year_group=7 + n % 5,
                form=f"{7 + n % 5}W",
                # bulk_create skips save(), which keeps this in step.
                search_text=f"{first_name} {last}".lower(),
            )
        )
    return Pupil.objects.bulk_create(pupils, batch_size=1000)


def add_audit_rows(*, school, actor, count, adult_case: AdultCase | None = None) -> None:
    """`count` rows of the school's audit log, a minute apart, the newest at NOW; about the case if `adult_case`."""
    concern_type = ContentType.objects.get_for_model(Concern)
    extra = {"adult_case": adult_case.pk, "adult_case_subject": None} if adult_case else {}
    LogEntry.objects.bulk_create(
        (
            LogEntry(
                content_type=ContentType.objects.get_for_model(AdultCase) if adult_case else concern_type,
                object_pk=str(n),
                object_id=n,
                object_repr=f"Concern recorded {n}",
                action=LogEntry.Action.ACCESS,
                changes_text="",
                actor=actor,
                timestamp=NOW - timedelta(minutes=n),
                additional_data={"school": school.pk, **extra},
            )
            for n in range(count)
        ),
        batch_size=1000,
    )


def add_staff_notes(*, concern: Concern, recorded_by, staff, count) -> None:
    """`count` need-to-know notes on `concern`, each shared with `staff`, a minute apart."""
    notes = StaffNote.objects.bulk_create(
        StaffNote(
            concern=concern,
            recorded_by=recorded_by,
            recorded_by_name="Helen Marsh",
            recorded_by_role="Designated Safeguarding Lead",
            recorded_at=NOW - timedelta(minutes=n),
            note=f"Made-up note {n} for the volume tests.",
        )
        for n in range(count)
    )
    told = StaffNote.staff.through
    told.objects.bulk_create(told(staffnote_id=note.pk, user_id=staff.pk) for note in notes)


def add_owned_actions(*, concern: Concern, owner, created_by, count) -> None:
    """`count` open tasks on `concern` for `owner`, due from tomorrow on."""
    Action.objects.bulk_create(
        Action(
            school=concern.school,
            concern=concern,
            kind=ActionKind.PASTORAL_SUPPORT,
            owner=owner,
            created_by=created_by,
            due_at=NOW + timedelta(days=1, minutes=n),
        )
        for n in range(count)
    )


def add_adult_cases(*, school, case_manager, reporter, count) -> list[AdultCase]:
    """`count` open low-level concerns managed by `case_manager`, a day apart, each with an open deadline."""
    cases = AdultCase.objects.bulk_create(
        AdultCase(
            school=school,
            kind=CaseKind.LOW_LEVEL,
            idempotency_key=uuid.uuid4(),
            subject_name=f"Made-up Adult {n}",
            subject_role="Teacher",
            reporter=reporter,
            reporter_name="Priya Sharma",
            reporter_role="Teacher",
            raised_at=NOW - timedelta(days=n),
            witnessed="A made-up account for the volume tests.",
            route=Route.HEAD,
            case_manager=case_manager,
            routing_reason="The Headteacher manages concerns about staff.",
        )
        for n in range(count)
    )
    CaseTask.objects.bulk_create(
        CaseTask(case=case, kind=TaskKind.PATTERN_REVIEW, owner=case_manager, due_at=NOW + timedelta(days=5))
        for case in cases
    )
    return cases


def add_case_entries(*, case: AdultCase, author, count) -> None:
    """`count` notes on the case's record, a minute apart."""
    CaseEntry.objects.bulk_create(
        CaseEntry(
            case=case,
            kind=EntryKind.NOTE,
            details=f"Made-up note {n}.",
            author=author,
            author_name="Grace Okafor",
            author_role="Headteacher",
            created_at=NOW - timedelta(minutes=n),
        )
        for n in range(count)
    )
