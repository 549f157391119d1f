"""Building a school's past terms for the report tests: records made directly, with the times the test chooses
(the services stamp "now", which a test of last term's figures cannot use), and the task worker's part in a report
(its figures are made by the worker, never by the page). Every name here is fictional."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concerns.models import (
    Action,
    CategoryChoice,
    Concern,
    ConcernCategory,
    ConcernKind,
    ConcernPupil,
    ConcernStatus,
    Decision,
    LevelOfNeed,
    PupilRole,
    SourceType,
    Triage,
)
from safeguarding.models import Term

from ..factories import PupilFactory

REPORT_JOBS = "safeguarding.reports.tasks."

# The day every report test runs on (conftest.py freezes the clock there), in the autumn term 2026-27: a report's
# "today", a child's key stage then and the last term begun all depend on it, so no test reads the wall clock.
TODAY = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def terms_2025_26(school) -> dict[str, Term]:
    """The school's three terms of 2025-26 and the autumn term of 2024-25, as a school would enter them."""
    rows = {
        ("2024-25", "autumn"): (date(2024, 9, 3), date(2024, 12, 20)),
        ("2024-25", "spring"): (date(2025, 1, 6), date(2025, 4, 4)),
        ("2024-25", "summer"): (date(2025, 4, 22), date(2025, 7, 22)),
        ("2025-26", "autumn"): (date(2025, 9, 3), date(2025, 12, 19)),
        ("2025-26", "spring"): (date(2026, 1, 5), date(2026, 3, 27)),
        ("2025-26", "summer"): (date(2026, 4, 13), date(2026, 7, 22)),
    }
    return {
        f"{year} {name}": Term.objects.create(
            school=school, academic_year=year, name=name, starts_on=starts, ends_on=ends
        )
        for (year, name), (starts, ends) in rows.items()
    }


def concern(
    *,
    school,
    author,
    recorded_at: datetime,
    pupil=None,
    codes=("neglect",),
    dsl_codes=(),
    kind=ConcernKind.CONCERN,
    late=False,
    acknowledged_after: timedelta | None = None,
    level: str | None = None,
    triaged_after: timedelta | None = None,
    perpetrator=None,
    year_group: int = 9,
    closed_at: datetime | None = None,
) -> Concern:
    pupil = pupil or PupilFactory(school=school, year_group=year_group)
    record = Concern.objects.create(
        school=school,
        kind=kind,
        author=author,
        author_name=author.get_full_name(),
        author_role="Teacher",
        recorded_at=recorded_at,
        idempotency_key=uuid.uuid4(),
        happened_at=recorded_at - timedelta(hours=1),
        location="Classroom",
        people_present="Nobody else",
        source_type=SourceType.FIRST_HAND,
        account="Fictional account written for a test.",
        is_late=late,
        acknowledged_at=recorded_at + acknowledged_after if acknowledged_after is not None else None,
        status=ConcernStatus.CLOSED if closed_at else ConcernStatus.NEW,
        closed_at=closed_at,
    )
    ConcernPupil.objects.create(concern=record, pupil=pupil, role=PupilRole.SUBJECT)
    if perpetrator is not None:
        ConcernPupil.objects.create(concern=record, pupil=perpetrator, role=PupilRole.ALLEGED_PERPETRATOR)
    for code in codes:
        ConcernCategory.objects.create(concern=record, code=code)
    for code in dsl_codes:
        ConcernCategory.objects.create(concern=record, code=code, chosen_by=CategoryChoice.DSL)
    if level:
        Triage.objects.create(
            concern=record,
            level=LevelOfNeed.objects.get(code=level),
            rationale="Fictional reason.",
            triaged_by=author,
            triaged_by_name=author.get_full_name(),
            triaged_by_role="DSL",
            triaged_at=recorded_at + (triaged_after or timedelta(hours=2)),
        )
    return record


def decision(record: Concern, kind: str, decided_at: datetime, by) -> Decision:
    return Decision.objects.create(
        concern=record,
        kind=kind,
        rationale="Fictional reason.",
        decided_by=by,
        decided_by_name=by.get_full_name(),
        decided_by_role="DSL",
        decided_at=decided_at,
    )


def action(
    record: Concern | None, kind: str, *, by, created_at, due_at=None, completed_at=None, pupil=None, **fields
) -> Action:
    """An action on a concern, or (with no concern) a task about `pupil` alone; `fields` are set as given (an LA
    decision's outcome and date, say)."""
    return Action.objects.create(
        school=record.school if record is not None else pupil.school,
        concern=record,
        pupil=pupil if record is None else None,
        kind=kind,
        owner=by,
        created_by=by,
        created_at=created_at,
        due_at=due_at,
        status="done" if completed_at else "open",
        completed_at=completed_at,
        completed_by=by if completed_at else None,
        outcome="Fictional outcome." if completed_at else "",
        **fields,
    )


def transfer(*, school, by, recorded_on: date, direction="out", due_on=None, sent_on=None, received_on=None):
    """A CP file sent to the next school (out) or received from the previous one (in), R55 and R58."""
    from concerns.models import FileTransfer

    return FileTransfer.objects.create(
        school=school,
        pupil=PupilFactory.create(school=school),  # what PupilFactory() calls; typed as the model, not the factory
        direction=direction,
        other_school="Fictional School",
        method="secure_email",
        due_on=due_on,
        sent_on=sent_on,
        received_on=received_on,
        recorded_by=by,
        recorded_by_name=by.get_full_name(),
        recorded_by_role="DSL",
        recorded_at=at(recorded_on),
    )


def run_jobs() -> list[str]:
    """Runs the report jobs that are due, one at a time in the worker's order, until none is left (as
    `manage.py db_worker` would, on the test's clock); returns what each returned. A job that fails fails the test."""
    results: list[str] = []
    for _ in range(100):
        job = DBTaskResult.objects.ready().filter(task_path__startswith=REPORT_JOBS).first()
        if job is None:
            return results
        job.claim("test-worker")
        value = job.task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
        job.set_successful(value)
        results.append(value)
    raise AssertionError("the report jobs keep enqueuing jobs that are due at once")


def read_report(client, url, data=None):
    """A reader opens a report (the page or the PDF): the first visit finds no figures and asks the worker for them,
    the worker makes them, and the reader opens it again."""
    client.get(url, data)
    run_jobs()
    return client.get(url, data)
