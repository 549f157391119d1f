"""The trustees' report's background jobs (issue 12), run by the task worker (`manage.py db_worker`): a term's
figures counted and its charts drawn into a stored snapshot, so that no web request counts or draws. When figures
are made is in snapshots.py; the jobs here carry it out. Each job is about one scope (a school, or a trust's view of
all its schools) and one term.

- `make_report_figures`: figures made now, because a reader found none or found them out of date, the DSL asked, a
  term began, or `manage.py report_snapshots` asked. An ask answered by figures made after it does nothing, so
  however many readers ask at once, the figures are made once.
- `refresh_report_figures`: the nightly refresh of a scope's newest term, enqueued with `run_after` for 02:00 London
  and enqueuing itself for the next night (django-tasks has no scheduler). When a later term begins it hands over to
  that term.

Both run at a low priority, so an alert email never waits behind a report.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from safeguarding.models import ReportSnapshot, Term

from . import snapshots
from .figures import Scope
from .periods import TermKey, term_key

REPORT_PRIORITY = -10


def enqueue_make(scope: Scope, key: TermKey, *, asked_at: datetime, run_after: datetime | None = None) -> None:
    """Asks the worker for a scope's figures (at `run_after`, or as soon as it can)."""
    job = make_report_figures.using(run_after=run_after) if run_after is not None else make_report_figures
    job.enqueue(snapshots.scope_ref(scope), key.academic_year, key.name, asked_at.isoformat())


def term_entered(term: Term) -> None:
    """A school's term entered or changed (the IT administrator, in /admin/): its figures are asked for from its
    first morning, for the school and for its trust, which starts their nightly refresh. Like an escalation, the job
    waits in the queue with `run_after` until its clock starts."""
    key = TermKey(term.academic_year, term.name)
    now = timezone.now()
    begins = snapshots.first_morning(term.starts_on)
    scopes = [snapshots.school_scope(term.school)]
    if term.school.trust is not None:
        scopes.append(snapshots.trust_scope(term.school.trust))
    for scope in scopes:
        enqueue_make(scope, key, asked_at=min(begins, now), run_after=begins if begins > now else None)


def _schedule_refresh(scope: Scope, key: TermKey, snapshot: ReportSnapshot, *, at: datetime) -> None:
    with transaction.atomic():
        snapshot.refresh_queued_at = at
        snapshot.save(update_fields=["refresh_queued_at"])
        refresh_report_figures.using(run_after=at).enqueue(
            snapshots.scope_ref(scope), key.academic_year, key.name, at.isoformat()
        )


def keep_up(scope: Scope, key: TermKey, snapshot: ReportSnapshot) -> None:
    """After figures are made or checked: the scope's newest term has its nightly refresh, and an older term gives
    its refresh up, asking for the newest term's figures if nothing keeps them yet."""
    now = timezone.now()
    newest = snapshots.newest_key(scope)
    if newest == key:
        due = snapshot.refresh_queued_at
        if due is None or due <= now - snapshots.ASK_LOST_AFTER:
            _schedule_refresh(scope, key, snapshot, at=snapshots.next_refresh_at(now))
        return
    if snapshot.refresh_queued_at is not None:
        snapshot.refresh_queued_at = None
        snapshot.save(update_fields=["refresh_queued_at"])
    if newest is not None and newest.sort_key > key.sort_key:
        newer = snapshots.snapshot_get(scope, newest)
        if newer is None or newer.refresh_queued_at is None:
            enqueue_make(scope, newest, asked_at=now)


def _found(scope_ref: str, academic_year: str, term: str) -> tuple[Scope, TermKey] | None:
    scope = snapshots.scope_from_ref(scope_ref)
    key = term_key(academic_year, term)
    return (scope, key) if scope is not None and key is not None else None


@task(priority=REPORT_PRIORITY)
def make_report_figures(scope_ref: str, academic_year: str, term: str, asked_at: str) -> str:
    """Makes one scope's figures for a term, unless they have been made since they were asked for. A remake the
    DSL asked for is recorded as theirs (`made_by`)."""
    found = _found(scope_ref, academic_year, term)
    if found is None:
        return "no such school, trust or term"
    scope, key = found
    snapshot = snapshots.snapshot_get(scope, key)
    if snapshot is not None and snapshot.made_at >= datetime.fromisoformat(asked_at):
        keep_up(scope, key, snapshot)
        return "already made"
    asker = snapshot.remake_asked_by if snapshot is not None and snapshots.remake_pending(snapshot) else None
    made = snapshots.snapshot_make(scope, key, made_by=asker)
    if made is None:
        return "term not begun"
    keep_up(scope, key, made)
    return "made"


@task(priority=REPORT_PRIORITY)
def refresh_report_figures(scope_ref: str, academic_year: str, term: str, due: str) -> str:
    """The nightly refresh of a scope's newest term: counted again while the term goes on (the night after its
    last day, for good), and made again when the days it counts have changed; otherwise left as made."""
    found = _found(scope_ref, academic_year, term)
    if found is None:
        return "no such school, trust or term"
    scope, key = found
    with transaction.atomic():
        snapshot = snapshots.snapshot_get(scope, key, for_update=True)
        if snapshot is None or snapshot.refresh_queued_at != datetime.fromisoformat(due):
            return "superseded"
        snapshot.refresh_queued_at = None  # claimed: a second job for the same night finds it superseded
        snapshot.save(update_fields=["refresh_queued_at"])
    today = timezone.localdate()
    result = "checked"
    if snapshot.in_progress or snapshots.periods_changed(snapshot, scope, key, today=today):
        made = snapshots.snapshot_make(scope, key)
        if made is None:
            return "term no longer entered"
        snapshot, result = made, "made"
    keep_up(scope, key, snapshot)
    return result
