"""A term's report kept as it was made (issue 12): the rules for when the stored figures are made, read and made
again. The page and the PDF only read a `ReportSnapshot`; counting the figures and drawing the charts (matplotlib)
happen in the task worker (tasks.py), never in a web request.

- A term that has ended: its figures are made the night after its last day counted, by the nightly refresh that
  kept them while it went on, and kept from then on. They are made again when the DSL asks ("Remake these figures"),
  and by the nightly check when the days they count change (the school enters its next term's dates, so the holiday
  after is counted with this term).
- The term going on: its figures are counted again each night, and when a reader finds them more than an hour old.
- No figures yet (a term begun before this was installed, an old term nobody has opened): the page says they are
  being prepared and asks the worker for them.

One nightly refresh runs for each scope (a school, or a trust's view of all its schools), on its newest term begun.
`refresh_queued_at` holds when that refresh is next due; a nightly job that finds another time there has been
superseded and does nothing, so however often figures are asked for, the nightly jobs never multiply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from safeguarding import access
from safeguarding.db_routers import counting_on_replica
from safeguarding.models import ReportSnapshot, School, Term, Trust, User

from .charts import charts_for
from .figures import Scope
from .periods import TermKey, periods_for, term_keys_for
from .report import Report, build_report

# The nightly refresh runs at 02:00 London time: after the day's last records, and a time that exists (and exists
# once) on both nights the clocks change.
REFRESH_HOUR = 2
# The current term's figures are counted again when a reader finds them older than this.
FRESH_FOR = timedelta(hours=1)
# An ask the worker has not answered in this long is taken as lost (the worker was down, say) and asked again.
ASK_LOST_AFTER = timedelta(minutes=30)


# --- Scopes -------------------------------------------------------------------------------------------------------


def school_scope(school: School) -> Scope:
    return Scope((school,))


def trust_scope(trust: Trust) -> Scope:
    """The trust's view: all its schools, in the order the report's pages list them."""
    return Scope(tuple(School.objects.filter(trust=trust).order_by("name")), trust=trust)


def scope_ref(scope: Scope) -> str:
    """The scope as a job's argument (a job's arguments are JSON): "school:12" or "trust:3"."""
    return f"trust:{scope.trust.pk}" if scope.trust is not None else f"school:{scope.schools[0].pk}"


def scope_from_ref(ref: str) -> Scope | None:
    kind, _, pk = ref.partition(":")
    if kind == "school":
        school = School.objects.filter(pk=pk).first()
        return school_scope(school) if school else None
    trust = Trust.objects.filter(pk=pk).first() if kind == "trust" else None
    return trust_scope(trust) if trust else None


def all_scopes() -> list[Scope]:
    """Every school that has entered a term, and every trust with such a school."""
    schools = list(School.objects.filter(terms__isnull=False).distinct().order_by("name"))
    trusts = Trust.objects.filter(pk__in={s.trust_id for s in schools if s.trust_id}).order_by("name")
    return [school_scope(s) for s in schools] + [trust_scope(t) for t in trusts]


def newest_key(scope: Scope) -> TermKey | None:
    """The newest term begun at any of the scope's schools: the one whose figures the nightly refresh keeps."""
    return next(iter(term_keys_for(list(scope.schools))), None)


# --- Reading ------------------------------------------------------------------------------------------------------


def snapshot_get(scope: Scope, key: TermKey, *, for_update: bool = False) -> ReportSnapshot | None:
    """The stored figures of one scope's term, or None when none have been made. One query."""
    snapshots = ReportSnapshot.objects.filter(academic_year=key.academic_year, term=key.name)
    if scope.trust is not None:
        snapshots = snapshots.filter(trust=scope.trust)
    else:
        snapshots = snapshots.filter(school=scope.schools[0])
    return (snapshots.select_for_update() if for_update else snapshots).first()


def can_remake(user: User, scope: Scope) -> bool:
    """Who may ask for a scope's figures to be made again: the school's DSL team; for a trust, its safeguarding
    lead (access.py)."""
    if scope.trust is not None:
        return access.can_remake_trust_report(user, scope.trust.pk)
    return access.can_remake_school_report(user, scope.schools[0])


def remake_pending(snapshot: ReportSnapshot) -> bool:
    """Figures asked for again (by a person, or by a reader's visit when they were old) and not made since."""
    return snapshot.remake_asked_at is not None and snapshot.remake_asked_at > snapshot.made_at


def ask_lost(snapshot: ReportSnapshot, now: datetime) -> bool:
    """An ask still not answered after ASK_LOST_AFTER: the worker was down, or the job failed."""
    asked = snapshot.remake_asked_at
    return asked is not None and asked > snapshot.made_at and asked <= now - ASK_LOST_AFTER


def is_stale(snapshot: ReportSnapshot, now: datetime) -> bool:
    """The current term's figures, counted more than FRESH_FOR ago. A closed term's figures never go stale."""
    return snapshot.in_progress and snapshot.made_at <= now - FRESH_FOR


@dataclass(frozen=True)
class StoredPeriod:
    """The days one school's stored figures count, as the page and the PDF print them."""

    school: str
    starts_on: date
    as_at: date
    in_progress: bool


def stored_periods(snapshot: ReportSnapshot) -> tuple[list[StoredPeriod], list[str]]:
    """Each school's days counted, and the names of the scope's schools that had no dates for the term."""
    periods, without = [], []
    for row in snapshot.periods:
        if row.get("starts_on") is None:
            without.append(row["school"])
        else:
            periods.append(
                StoredPeriod(
                    school=row["school"],
                    starts_on=date.fromisoformat(row["starts_on"]),
                    as_at=date.fromisoformat(row["as_at"]),
                    in_progress=row["in_progress"],
                )
            )
    return periods, without


def periods_changed(snapshot: ReportSnapshot, scope: Scope, key: TermKey, *, today: date) -> bool:
    """Whether the days the term counts at each school differ from those the stored figures counted: a school has
    entered its next term (the holiday after this one is now counted with it), changed its dates, or joined or left
    the trust. Two queries."""
    now = {p.school.pk: p.ends_on.isoformat() for p in periods_for(list(scope.schools), key, today=today).values()}
    stored = {row["school_id"]: row["ends_on"] for row in snapshot.periods if row.get("starts_on") is not None}
    return now != stored


# --- Scheduling ---------------------------------------------------------------------------------------------------


def next_refresh_at(now: datetime) -> datetime:
    """The next 02:00 in London after `now`."""
    today = timezone.localdate(now)
    for day in (today, today + timedelta(days=1)):
        moment = timezone.make_aware(datetime.combine(day, time(REFRESH_HOUR)), timezone.get_default_timezone())
        if moment > now:
            return moment
    raise AssertionError("tomorrow's 02:00 is always after now")


def first_morning(starts_on: date) -> datetime:
    """When a term's figures are first made: 02:00 London on its first day."""
    return timezone.make_aware(datetime.combine(starts_on, time(REFRESH_HOUR)), timezone.get_default_timezone())


# --- Making -------------------------------------------------------------------------------------------------------


def _periods_json(report: Report, today: date) -> list[dict]:
    rows: list[dict] = [
        {
            "school_id": p.school.pk,
            "school": p.school.name,
            "starts_on": p.starts_on.isoformat(),
            "ends_on": p.ends_on.isoformat(),
            "as_at": p.as_at.isoformat(),
            # The last day counted is still going on until it is over, though the report counts up to it.
            "in_progress": today <= p.ends_on,
        }
        for p in report.periods
    ]
    rows += [{"school_id": s.pk, "school": s.name, "starts_on": None} for s in report.schools_without_term]
    return rows


def snapshot_make(scope: Scope, key: TermKey, *, made_by: User | None = None) -> ReportSnapshot | None:
    """Counts a scope's term, draws its charts and stores the rendered report (the summary and the detail the page
    and the PDF share), replacing what was stored. None, and nothing stored, when the term has not begun at any of
    the scope's schools. Run by the task worker: this is the only path to matplotlib."""
    made_at = timezone.now()
    today = timezone.localdate(made_at)
    with counting_on_replica():  # a replica, where there is one (REPORTS_DATABASE_URL); the saving below is not
        begun = Term.objects.filter(
            school__in=scope.schools, academic_year=key.academic_year, name=key.name, starts_on__lte=today
        ).exists()
        if not begun:
            return None
        report = build_report(scope, key, today=today)
    context = {"report": report, "charts": charts_for(report)}
    fields = {
        "summary": render_to_string("reports/_summary.html", context),
        "detail": render_to_string("reports/_detail.html", context),
        "periods": _periods_json(report, today),
        "charts_drawn": True,
        "in_progress": any(today <= p.ends_on for p in report.periods),
        "counted_to": max(p.as_at for p in report.periods),
        "made_at": made_at,
        "made_by": made_by,
    }
    with transaction.atomic():
        snapshot = snapshot_get(scope, key, for_update=True)
        if snapshot is None:
            snapshot = ReportSnapshot(
                school=None if scope.is_trust else scope.schools[0],
                trust=scope.trust,
                academic_year=key.academic_year,
                term=key.name,
            )
        for name, value in fields.items():
            setattr(snapshot, name, value)
        snapshot.full_clean()
        snapshot.save()
    return snapshot
