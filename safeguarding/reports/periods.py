"""Which days a termly report counts, on each school's own calendar (safeguarding.models.Term).

A report is named by its academic year and term ("2025-26", "autumn"). For a school it counts from the first day
of that term up to the day before its next term starts, so the holiday after a term (a police notification over
Christmas, a referral in August) is reported with it and nothing falls between two reports. The last term the
school has entered ends on its own last day. Figures "at the end of term" (children open on a plan, overdue
actions) are taken on the last day counted, or today while the term is still going on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from safeguarding.models import School, Term, TermName

TERM_ORDER = (TermName.AUTUMN, TermName.SPRING, TermName.SUMMER)


@dataclass(frozen=True, order=True)
class TermKey:
    """A term by name, the same for every school of a trust: ("2025-26", "autumn")."""

    academic_year: str
    name: str

    @property
    def first_year(self) -> int:
        return int(self.academic_year[:4])

    @property
    def sort_key(self) -> tuple[int, int]:
        return self.first_year, TERM_ORDER.index(self.name)

    @property
    def label(self) -> str:
        return f"{TermName(self.name).label} term {self.academic_year}"

    @property
    def short_label(self) -> str:
        return f"{TermName(self.name).label[:3]} {self.academic_year[2:4]}-{self.academic_year[5:]}"

    def previous(self) -> TermKey:
        index = TERM_ORDER.index(self.name)
        if index == 0:
            return TermKey(academic_year_of(self.first_year - 1), TERM_ORDER[-1])
        return TermKey(self.academic_year, TERM_ORDER[index - 1])

    def year_before(self) -> TermKey:
        return TermKey(academic_year_of(self.first_year - 1), self.name)

    def back(self, count: int) -> list[TermKey]:
        """This term and the `count - 1` before it, oldest first."""
        keys = [self]
        while len(keys) < count:
            keys.append(keys[-1].previous())
        return list(reversed(keys))


def academic_year_of(first_year: int) -> str:
    return f"{first_year}-{(first_year + 1) % 100:02d}"


def academic_year_on(day: date) -> str:
    """The academic year a day falls in: 1 September to 31 August."""
    return academic_year_of(day.year if day.month >= 9 else day.year - 1)


def term_key(academic_year: str, name: str) -> TermKey | None:
    """The key for an address's year and term, or None when either is not a real one."""
    try:
        first = int(academic_year[:4])
    except ValueError:
        return None
    if academic_year != academic_year_of(first) or name not in TERM_ORDER:
        return None
    return TermKey(academic_year, name)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


@dataclass(frozen=True)
class Period:
    """The days one school's report for one term counts."""

    school: School
    term: Term
    ends_on: date  # the last day counted
    as_at: date  # the day "at the end of term" figures are taken: ends_on, or today while the term goes on

    @property
    def starts_on(self) -> date:
        return self.term.starts_on

    @property
    def start(self) -> datetime:
        return _start_of(self.starts_on)

    @property
    def end(self) -> datetime:
        """The first moment not counted (exclusive)."""
        return _start_of(self.as_at + timedelta(days=1))

    @property
    def in_progress(self) -> bool:
        return self.as_at < self.ends_on


def periods_for(schools: list[School], key: TermKey, *, today: date | None = None) -> dict[int, Period]:
    """Each school's period for the term, for the schools that have entered it and whose term has begun.

    Two queries whatever the number of schools: the term itself, and the next term of each school after it.
    """
    today = today or timezone.localdate()
    terms = {
        term.school_id: term
        for term in Term.objects.filter(
            school__in=schools, academic_year=key.academic_year, name=key.name, starts_on__lte=today
        ).select_related("school")
    }
    if not terms:
        return {}
    later = Term.objects.filter(school__in=list(terms), starts_on__gt=min(t.ends_on for t in terms.values()))
    next_start: dict[int, date] = {}
    for row in later.order_by("starts_on").values("school_id", "starts_on"):
        school_id = row["school_id"]
        if school_id in terms and row["starts_on"] > terms[school_id].ends_on and school_id not in next_start:
            next_start[school_id] = row["starts_on"]
    periods = {}
    for school_id, term in terms.items():
        ends_on = next_start[school_id] - timedelta(days=1) if school_id in next_start else term.ends_on
        periods[school_id] = Period(school=term.school, term=term, ends_on=ends_on, as_at=min(ends_on, today))
    return periods


def term_keys_for(schools: list[School], *, today: date | None = None) -> list[TermKey]:
    """The terms (begun by today) that any of the schools has entered, newest first."""
    today = today or timezone.localdate()
    rows = Term.objects.filter(school__in=schools, starts_on__lte=today).values_list("academic_year", "name").distinct()
    return sorted({TermKey(year, name) for year, name in rows}, key=lambda k: k.sort_key, reverse=True)
