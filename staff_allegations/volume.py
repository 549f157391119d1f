"""The adults' register at volume, for generate_volume (a plug-in step: safeguarding/plugins.py).

A 1,500-pupil secondary with about 150 adults records a few low-level concerns a term and an allegation or two a
year. Here: twelve cases a term, each with the entries a case manager writes as it goes, written with bulk_create
(no email, no task, no audit entry: they stand for history). Every name and account says it is fictional. Nothing
here is used on real data.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta

from django.utils import timezone

from safeguarding.calendar import LONDON
from safeguarding.plugins import VolumeSite

from .models import AdultCase, CaseEntry, CaseKind, CaseStatus, Employment, EntryKind, LowLevelTheme, Outcome, Route

CASES_PER_TERM = 12
ROLES = ("Teacher", "Teaching assistant", "Cover supervisor", "Lunchtime supervisor", "Technician", "Coach")
SURNAMES = ("Ashdown", "Brierley", "Calloway", "Dunmore", "Everleigh", "Fairbank", "Gosforth", "Hartwell")
# Kinds in proportion: mostly low-level concerns, some allegations, now and then a concern about practice.
KINDS = (CaseKind.LOW_LEVEL,) * 8 + (CaseKind.ALLEGATION,) * 3 + (CaseKind.PRACTICE,)
THEMES = [theme for theme in LowLevelTheme if theme != LowLevelTheme.OTHER]
ALLEGATION_OUTCOMES = (Outcome.UNSUBSTANTIATED, Outcome.UNFOUNDED, Outcome.SUBSTANTIATED, Outcome.FALSE)


def add_cases(site: VolumeSite) -> dict[str, int]:
    """Twelve fictional cases for each term of the school that has begun, none if it has cases already."""
    if AdultCase.objects.filter(school=site.school).exists():
        return {"adult cases": 0}
    rng = random.Random(f"adult cases {site.seed}")  # noqa: S311 (fictional data; nothing secret)
    now = timezone.now()
    cases: list[AdultCase] = []
    for term in site.terms:
        if term.starts_on > timezone.localdate():
            continue
        span = (min(term.ends_on, timezone.localdate()) - term.starts_on).days + 1
        for _ in range(CASES_PER_TERM):
            on = term.starts_on + timedelta(days=rng.randrange(span))
            raised = datetime.combine(on, time(rng.randrange(8, 16), rng.randrange(60)), tzinfo=LONDON)
            cases.append(_case(site, rng, min(raised, now), now))
    made = AdultCase.objects.bulk_create(cases, batch_size=500)
    entries = [entry for case in made for entry in _entries(site, case, rng, now)]
    CaseEntry.objects.bulk_create(entries, batch_size=500)
    return {"adult cases": len(made)}


def _case(site: VolumeSite, rng: random.Random, raised: datetime, now: datetime) -> AdultCase:
    kind = rng.choice(KINDS)
    closed = raised < now - timedelta(days=30)
    decided = raised + timedelta(days=rng.randrange(1, 10))
    head_name = site.head.get_full_name()
    case = AdultCase(
        school=site.school,
        kind=kind,
        status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
        idempotency_key=uuid.uuid4(),
        reporter=site.teacher,
        reporter_name=site.teacher.get_full_name(),
        reporter_role="Teacher",
        raised_at=raised,
        happened_at=raised - timedelta(hours=rng.randrange(1, 48)),
        location="Fictional location",
        people_present="Fictional witnesses",
        witnessed="Fictional record for the benchmarks: what was seen or heard.",
        route=Route.HEAD,
        case_manager=site.head,
        routing_reason="The Headteacher manages concerns about staff (fictional record).",
    )
    if kind != CaseKind.PRACTICE:
        case.subject_name = f"Fictional {rng.choice(SURNAMES)}"
        case.subject_role = rng.choice(ROLES)
        case.employment = Employment.STAFF
    if kind == CaseKind.LOW_LEVEL:
        case.theme = rng.choice(THEMES)
    if closed or decided < now:
        case.decision = "Fictional decision."
        case.action_taken = "Fictional action taken."
        case.decided_at = min(decided, now)
        case.decided_by_name = head_name
    if closed:
        case.outcome = rng.choice(ALLEGATION_OUTCOMES) if kind == CaseKind.ALLEGATION else ""
        case.summary = "Fictional summary of how the case was followed up and resolved."
        case.closed_at = raised + timedelta(days=rng.randrange(10, 30))
        case.closed_by_name = head_name
    return case


def _entries(site: VolumeSite, case: AdultCase, rng: random.Random, now: datetime) -> list[CaseEntry]:
    def entry(kind: str, at: datetime, details: str) -> CaseEntry:
        return CaseEntry(
            case=case,
            kind=kind,
            on=timezone.localtime(at).date(),
            details=details,
            author=site.head,
            author_name=site.head.get_full_name(),
            author_role="Headteacher",
            created_at=at,
        )

    rows = [entry(EntryKind.ROUTED, case.raised_at, "Reported and routed to the Headteacher (fictional).")]
    for n in range(rng.randrange(1, 5)):
        at = case.raised_at + timedelta(days=n + 1)
        if at < now:
            rows.append(entry(EntryKind.NOTE, at, "Fictional note of what the case manager did."))
    if case.decided_at:
        rows.append(entry(EntryKind.DECISION, case.decided_at, "Fictional decision and action taken."))
    if case.closed_at:
        rows.append(entry(EntryKind.CLOSED, case.closed_at, "Closed (fictional)."))
    return rows
