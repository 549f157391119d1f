"""What changes state in the trustees' reports: the annual assurance checks (R89), recorded on /reports/assurance/,
and the asks for a term's stored figures to be made (issue 12; snapshots.py holds the rules, tasks.py the jobs)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from safeguarding import access
from safeguarding.models import AssuranceCheck, ReportSnapshot, School, User

from . import snapshots, tasks
from .figures import Scope
from .periods import TermKey


@transaction.atomic
def assurance_check_record(*, user: User, school: School, kind: str, done_on: date, next_due: date) -> AssuranceCheck:
    """R89: a check done, with when the next is due. Who and which school come from the request, never the form."""
    if not access.can_record_assurance(user, school):
        raise PermissionDenied
    check = AssuranceCheck(school=school, kind=kind, done_on=done_on, next_due=next_due, recorded_by=user)
    check.full_clean()
    check.save()
    return check


@transaction.atomic
def report_remake_ask(*, user: User, scope: Scope, key: TermKey) -> ReportSnapshot | None:
    """Issue 12: the school's DSL team (for the whole trust, its safeguarding lead) asks for a term's figures to be
    made again, say after a record was entered late. The worker remakes them; until it has, the page says a remake
    is on its way. Who asked, and when, stay with the figures (and in the audit log)."""
    if not snapshots.can_remake(user, scope):
        raise PermissionDenied
    now = timezone.now()
    snapshot = snapshots.snapshot_get(scope, key, for_update=True)
    if snapshot is not None:
        snapshot.remake_asked_at = now
        snapshot.remake_asked_by = user
        snapshot.full_clean()
        snapshot.save(update_fields=["remake_asked_at", "remake_asked_by"])
    tasks.enqueue_make(scope, key, asked_at=now)
    return snapshot


def report_figures_ask_if_due(*, scope: Scope, key: TermKey, snapshot: ReportSnapshot | None) -> bool:
    """Issue 12: a reader opens a term whose figures are missing, or are the current term's and more than an hour
    old: the worker is asked to count them, once (an ask on its way is not repeated unless it looks lost). Returns
    whether new figures are on their way. Any reader may cause it: it changes no figure itself, and it is what keeps
    a page's answer quick, since the page never counts."""
    now = timezone.now()
    if snapshot is None:
        tasks.enqueue_make(scope, key, asked_at=now)
        return True
    pending = snapshots.remake_pending(snapshot)
    if pending and not snapshots.ask_lost(snapshot, now):
        return True
    if not pending and not snapshots.is_stale(snapshot, now):
        return False
    with transaction.atomic():
        if not pending:
            snapshot.remake_asked_by = None  # asked because they were old, by nobody in particular
        snapshot.remake_asked_at = now
        snapshot.save(update_fields=["remake_asked_at", "remake_asked_by"])
        tasks.enqueue_make(scope, key, asked_at=now)
    return True
