"""Fictional schools' past terms, for the demo's reports (load_demo) and for benchmarks at volume (generate_volume).

Everything here is invented: pupils are drawn from lists of common names, events are spread at random (with a fixed
seed, so the same every time) and every account of a concern says it is fictional. The records are written with
bulk_create: they stand for history that happened before the demo was loaded, so no alert is sent, no reminder is
queued, and the audit log does not fill with thousands of creations by nobody. Nothing here is used on real data.

The tables the history is drawn from are in fictional_data.py; one concern's life, and the writing of a term's
concerns, in fictional_concerns.py.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from concerns.demo_pupils import FIRST_NAMES, LAST_NAMES, upn_check_letter
from concerns.models import (
    Concern,
    FileTransfer,
    LevelOfNeed,
    Pupil,
    PupilFlag,
    TransferDirection,
    TransferMethod,
)
from safeguarding import calendar
from safeguarding.models import School, Term, TermName, User

from .fictional_concerns import Batch, one_concern, write_batch
from .fictional_data import FICTIONAL_SCHOOLS, FLAG_SHARES, NAMESPACE
from .periods import academic_year_on

# --- Term dates -------------------------------------------------------------------------------------------------


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _friday_on_or_before(day: date) -> date:
    while day.weekday() != 4:
        day -= timedelta(days=1)
    return day


def _week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=4)


def term_dates(first_year: int) -> list[dict]:
    """Plausible English term dates for the academic year starting in `first_year`, with half terms."""
    last_monday_of_may = date(first_year + 1, 5, 31) - timedelta(days=date(first_year + 1, 5, 31).weekday())
    autumn_half = _week_of(date(first_year, 10, 27))
    spring_half = _week_of(date(first_year + 1, 2, 16))
    summer_half = _week_of(last_monday_of_may)
    return [
        {
            "name": TermName.AUTUMN,
            "starts_on": _weekday_on_or_after(date(first_year, 9, 3)),
            "ends_on": _friday_on_or_before(date(first_year, 12, 19)),
            "half_term_starts_on": autumn_half[0],
            "half_term_ends_on": autumn_half[1],
        },
        {
            "name": TermName.SPRING,
            "starts_on": _weekday_on_or_after(date(first_year + 1, 1, 5)),
            "ends_on": _friday_on_or_before(date(first_year + 1, 3, 27)),
            "half_term_starts_on": spring_half[0],
            "half_term_ends_on": spring_half[1],
        },
        {
            "name": TermName.SUMMER,
            "starts_on": _weekday_on_or_after(date(first_year + 1, 4, 13)),
            "ends_on": _friday_on_or_before(date(first_year + 1, 7, 22)),
            "half_term_starts_on": summer_half[0],
            "half_term_ends_on": summer_half[1],
        },
    ]


def ensure_terms(school: School, first_years: list[int]) -> list[Term]:
    """The school's terms for those academic years: each added unless it, or a term over the same days, is there."""
    terms = []
    for first_year in first_years:
        academic_year = f"{first_year}-{(first_year + 1) % 100:02d}"
        for dates in term_dates(first_year):
            existing = Term.objects.filter(school=school, academic_year=academic_year, name=dates["name"]).first()
            if existing is None:
                overlapping = Term.objects.filter(
                    school=school, starts_on__lte=dates["ends_on"], ends_on__gte=dates["starts_on"]
                ).exists()
                if overlapping:
                    continue
                existing = Term(school=school, academic_year=academic_year, **dates)
                existing.full_clean()
                existing.save()
            terms.append(existing)
    return terms


# --- Pupils -----------------------------------------------------------------------------------------------------


def add_pupils(school: School, *, count: int, seed: int, establishment: str, year_groups=(7, 8, 9, 10, 11)) -> int:
    """`count` fictional pupils, none if the school has pupils already. UPNs use a made-up authority (999)."""
    if Pupil.objects.filter(school=school).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 (fictional data; nothing secret)
    today = timezone.localdate()
    first_year = today.year if today.month >= 9 else today.year - 1
    pupils, upns = [], set()
    for slot in range(count):
        year_group = year_groups[slot % len(year_groups)]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        born_from = date(first_year - 5 - year_group, 9, 1)
        while True:
            digits = f"999{establishment}{(born_from.year + 5) % 100:02d}{rng.randrange(1, 1000):03d}"
            upn = upn_check_letter(digits) + digits
            if upn not in upns:
                break
        upns.add(upn)
        pupils.append(
            Pupil(
                school=school,
                legal_first_name=first,
                legal_last_name=last,
                date_of_birth=born_from + timedelta(days=rng.randrange(365)),
                upn=upn,
                year_group=year_group,
                form=f"{year_group}{'ABCD'[slot // len(year_groups) % 4]}",
                search_text=f"{first.lower()} {last.lower()}",
            )
        )
    Pupil.objects.bulk_create(pupils, batch_size=500)
    return len(pupils)


# --- History ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """Who the fictional history names: the account each record points to, with the name and role it shows."""

    author: User
    author_name: str
    author_role: str
    dsl: User
    dsl_name: str
    dsl_role: str = "Designated Safeguarding Lead"


def _school_days(term: Term, until: date) -> list[date]:
    days = []
    day = term.starts_on
    half_start, half_end = term.half_term_starts_on, term.half_term_ends_on
    while day <= min(term.ends_on, until):
        # Both or neither: the database holds a term to it (half_term_inside_term), as calendar.py relies on too.
        in_half_term = half_start is not None and half_end is not None and half_start <= day <= half_end
        if calendar.is_working_day(day) and not in_half_term:
            days.append(day)
        day += timedelta(days=1)
    return days


def _aware(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def add_history(
    school: School,
    *,
    term: Term,
    count: int,
    pupils: list[Pupil],
    people: People,
    seed: int,
    now: datetime | None = None,
) -> int:
    """About `count` fictional concerns recorded in `term` (to today at most), with their triage, decisions,
    referrals, statutory deadlines (some missed) and closing. Nothing is added if this term's history is there."""
    now = now or timezone.now()
    first_key = uuid.uuid5(NAMESPACE, f"{school.pk}:{term.academic_year}:{term.name}:0")
    if Concern.objects.filter(idempotency_key=first_key).exists() or not pupils:
        return 0
    days = _school_days(term, timezone.localtime(now).date())
    if not days:
        return 0
    if term.starts_on <= timezone.localtime(now).date() <= term.ends_on:
        count = max(1, round(count * len(days) / max(1, len(_school_days(term, term.ends_on)))))
    # A child in the history was on this school's roll then: no Year 7 of today in last year's concerns.
    years_since = int(academic_year_on(timezone.localtime(now).date())[:4]) - int(term.academic_year[:4])
    youngest = min(p.year_group for p in pupils)
    pupils = [p for p in pupils if p.year_group - years_since >= youngest] or pupils
    rng = random.Random(seed)  # noqa: S311 (fictional data; nothing secret)
    levels = {level.code: level for level in LevelOfNeed.objects.all()}
    batch = Batch()
    for index in range(count):
        recorded_at = _aware(rng.choice(days), rng.randint(8, 15), rng.randint(0, 59))
        if recorded_at >= now:
            continue
        one_concern(batch, index, school, term, recorded_at, rng, pupils, people, levels, now)
    write_batch(batch, people, levels)
    return len(batch.concerns)


def _leaver(school: School, rng: random.Random, left_on: date, taken: set[str]) -> Pupil:
    """A fictional pupil who left on `left_on` (off the roll), made for a CP file sent on: a file sent to the next
    school never belongs to a child still on this school's roll. Not saved; UPNs in `taken` are avoided."""
    year_group = rng.choice((7, 8, 9, 10, 11))
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    while (upn := upn_check_letter(digits := f"999{rng.randrange(10**9):09d}") + digits) in taken:
        pass
    taken.add(upn)
    year_began = left_on.year if left_on.month >= 9 else left_on.year - 1
    return Pupil(
        school=school,
        legal_first_name=first,
        legal_last_name=last,
        date_of_birth=date(year_began - 5 - year_group, 9, 1) + timedelta(days=rng.randrange(365)),
        upn=upn,
        year_group=year_group,
        on_roll=False,
        left_on=left_on,
        search_text=f"{first.lower()} {last.lower()}",
    )


def add_transfers(school: School, *, term: Term, pupils: list[Pupil], people: People, seed: int) -> int:
    """CP files sent and received in `term` (to today at most), R55 and R58: a few each way, most sent within the
    5 school days, some late. Files sent belong to fictional leavers made for them (off the roll); files received,
    to pupils on the roll. Every one is finished (sent, receipt confirmed both ways), so nothing waits in a queue
    and no task is made. Nothing is added if the term already has transfers."""
    today = timezone.localdate()
    term_end = min(term.ends_on, today)
    recorded = FileTransfer.objects.filter(school=school, recorded_at__date__gte=term.starts_on)
    if recorded.filter(recorded_at__date__lte=term.ends_on).exists() or not pupils:
        return 0
    days = _school_days(term, term_end)
    if not days:
        return 0
    rng = random.Random(seed)  # noqa: S311 (fictional data; nothing secret)
    school_calendar = calendar.SchoolCalendar.for_school(school)
    methods = list(TransferMethod.values)
    rows = []

    def row(pupil, direction, on, **fields):
        return FileTransfer(
            school=school,
            pupil=pupil,
            direction=direction,
            other_school=rng.choice(FICTIONAL_SCHOOLS),
            method=rng.choice(methods),
            recorded_by=people.dsl,
            recorded_by_name=people.dsl_name,
            recorded_by_role=people.dsl_role,
            recorded_at=_aware(on, 12, 0),
            **fields,
        )

    taken = set(Pupil.objects.filter(school=school).values_list("upn", flat=True))
    for _ in range(rng.randint(5, 9)):
        left_on = rng.choice(days)
        due_on = school_calendar.transfer_due(left_on)
        # Most go within the 5 school days; about one in six a few days late.
        sent_on = left_on + timedelta(days=rng.randint(1, 6)) if rng.random() < 0.83 else due_on + timedelta(days=3)
        confirmed_on = sent_on + timedelta(days=rng.randint(0, 3))
        if confirmed_on > term_end:
            continue
        leaver = _leaver(school, rng, left_on, taken)
        leaver.save()
        rows.append(
            row(
                leaver,
                TransferDirection.OUT,
                left_on,
                due_on=due_on,
                sent_on=sent_on,
                receipt_confirmed_by="Fictional DSL, Designated Safeguarding Lead",
                receipt_confirmed_on=confirmed_on,
            )
        )
    for pupil in rng.sample(pupils, min(len(pupils), rng.randint(4, 8))):
        received_on = rng.choice(days)
        rows.append(
            row(
                pupil,
                TransferDirection.IN,
                received_on,
                received_on=received_on,
                confirmation_sent_on=min(received_on + timedelta(days=rng.randint(0, 1)), term_end),
            )
        )
    FileTransfer.objects.bulk_create(rows)
    return len(rows)


def add_flags(school: School, *, pupils: list[Pupil], people: People, seed: int, since: date) -> int:
    """Plans and statuses over the terms since `since`: some begun, some ended. None if the school has flags."""
    if PupilFlag.objects.filter(school=school).exists() or not pupils:
        return 0
    rng = random.Random(seed)  # noqa: S311 (fictional data; nothing secret)
    today = timezone.localdate()
    span = (today - since).days
    flags = []
    for kind, share in FLAG_SHARES.items():
        for pupil in rng.sample(pupils, max(1, round(len(pupils) * share * 1.6))):
            starts_on = since + timedelta(days=rng.randrange(max(1, span)))
            ends_on = starts_on + timedelta(days=rng.randint(60, 400)) if rng.random() < 0.35 else None
            flags.append(
                PupilFlag(
                    school=school,
                    pupil=pupil,
                    kind=kind,
                    starts_on=starts_on,
                    ends_on=ends_on if ends_on and ends_on < today else None,
                    source="Fictional demo record",
                    recorded_by=people.dsl,
                    recorded_by_name=people.dsl_name,
                    recorded_by_role=people.dsl_role,
                    recorded_at=timezone.make_aware(datetime.combine(starts_on, time(12))),
                )
            )
    PupilFlag.objects.bulk_create(flags, batch_size=500)
    return len(flags)
