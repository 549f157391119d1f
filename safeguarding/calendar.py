"""School days, school hours and working days, on the school's own calendar (R31).

Working days (the local authority's deadlines: R30, R32, LADO) are weekdays that are not England bank holidays;
term dates never change them. School days (the CP file transfer, R55, and school hours for escalation, R20) are
working days inside one of the school's terms, outside its half term and not INSET days. A school that has not
entered any term yet has every working day as a school day. The 48-hour phone-referral follow-up (R29) counts
clock hours and needs nothing here. Times are in Europe/London and returned as aware datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone

from .models import InsetDay, Term

LONDON = ZoneInfo("Europe/London")
CLOSE_OF_WORKING_DAY = time(17, 0)
TRANSFER_SCHOOL_DAYS = 5
# Loops stop here rather than run for ever on a calendar with no days left in it.
MAX_DAYS_SEARCHED = 3 * 366


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """A weekday that is not an England bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def _next_day_where(start_day: date, n: int, is_counted) -> date:
    if n < 0:
        raise ValueError("n must not be negative")
    day = start_day
    for _ in range(MAX_DAYS_SEARCHED):
        if n == 0:
            return day
        day += timedelta(days=1)
        if is_counted(day):
            n -= 1
    raise ValueError(f"no such day within {MAX_DAYS_SEARCHED} days of {start_day}")


def add_working_days(start_day: date, n: int) -> date:
    """The nth working day after `start_day` (start_day itself is day 0)."""
    return _next_day_where(start_day, n, is_working_day)


def end_of_working_day(day: date) -> datetime:
    """17:00 in London: when an office day ends for a deadline counted in working days."""
    return datetime.combine(day, CLOSE_OF_WORKING_DAY, tzinfo=LONDON)


def close_of_next_working_day(moment: datetime) -> datetime:
    """R32 (FGM): the close of the first working day after the day of `moment`, whatever its hour."""
    return end_of_working_day(add_working_days(timezone.localtime(moment, LONDON).date(), 1))


@dataclass(frozen=True)
class SchoolCalendar:
    """A school's terms and INSET days, loaded once so a count over many days costs two queries, not one a day."""

    terms: tuple[Term, ...] = ()
    inset_days: frozenset[date] = frozenset()

    @classmethod
    def for_school(cls, school) -> SchoolCalendar:
        if school is None or school.pk is None:
            return cls()
        terms = tuple(Term.objects.filter(school=school).order_by("starts_on"))
        inset_days = frozenset(InsetDay.objects.filter(school=school).values_list("day", flat=True))
        return cls(terms=terms, inset_days=inset_days)

    def term_on(self, day: date) -> Term | None:
        """The term `day` falls in, half term included (a half-term leaver is still an in-year move)."""
        return next((term for term in self.terms if term.starts_on <= day <= term.ends_on), None)

    def is_school_day(self, day: date) -> bool:
        """A working day in a term, outside its half term, and not an INSET day.

        Outside the span of terms the school has entered (before the first, after the last), working days count:
        a calendar not yet filled in gives an earlier deadline, never none.
        """
        if not is_working_day(day):
            return False
        if not self.terms:
            return True
        if day in self.inset_days:
            return False
        if day > self.terms[-1].ends_on or day < self.terms[0].starts_on:
            return True
        term = self.term_on(day)
        if term is None:
            return False
        half_start, half_end = term.half_term_starts_on, term.half_term_ends_on
        # Both or neither: the database holds a term to it (half_term_inside_term).
        return not (half_start is not None and half_end is not None and half_start <= day <= half_end)

    def school_day_on_or_after(self, day: date) -> date:
        """`day` itself if it is a school day, otherwise the next one (a review set for a holiday moves to the first
        day back)."""
        return day if self.is_school_day(day) else self.add_school_days(day, 1)

    def school_day_on_or_before(self, day: date) -> date:
        """`day` itself if it is a school day, otherwise the last one before it."""
        for _ in range(MAX_DAYS_SEARCHED):
            if self.is_school_day(day):
                return day
            day -= timedelta(days=1)
        raise ValueError(f"no school day within {MAX_DAYS_SEARCHED} days before {day}")

    def add_school_days(self, start_day: date, n: int) -> date:
        """The nth school day after `start_day` (start_day itself is day 0)."""
        return _next_day_where(start_day, n, self.is_school_day)

    def transfer_due(self, leaving_day: date) -> date:
        """R55, decision 2: the 5th school day after leaving.

        For an in-year move that is five school days on; for a leaver in the holidays no holiday day counts, so it
        is the 5th school day of the next term (its first school day being day 1).
        """
        return self.add_school_days(leaving_day, TRANSFER_SCHOOL_DAYS)


def school_calendar(school) -> SchoolCalendar:
    return SchoolCalendar.for_school(school)


def is_school_day(school, day: date) -> bool:
    return school_calendar(school).is_school_day(day)


def add_school_days(school, start_day: date, n: int) -> date:
    """The nth school day after `start_day` on the school's calendar."""
    return school_calendar(school).add_school_days(start_day, n)


def school_day_on_or_after(school, day: date) -> date:
    """`day` if it is a school day on the school's calendar, otherwise the next school day."""
    return school_calendar(school).school_day_on_or_after(day)


def transfer_due(school, leaving_day: date) -> date:
    """The day the CP file must have gone by (R55); see SchoolCalendar.transfer_due."""
    return school_calendar(school).transfer_due(leaving_day)


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())


def school_day_start(school, day: date) -> datetime:
    return _local(day, school.day_starts_at)


def school_day_end(school, day: date) -> datetime:
    """R12: the configured end of the school day, after which a record of that day's incident is late."""
    return _local(day, school.day_ends_at)


def add_school_minutes(school, start: datetime, minutes: int) -> datetime:
    """`minutes` counted only inside school hours on school days (R20: escalation counts school hours).

    A start outside school hours counts from the next opening: a concern raised at 18:00 on a Friday is counted
    from the start of Monday's school day (or Tuesday's, after a bank holiday; or the first day of next term).
    """
    calendar = school_calendar(school)
    remaining = timedelta(minutes=minutes)
    moment = timezone.localtime(start)
    day = moment.date()
    for _ in range(MAX_DAYS_SEARCHED):
        if calendar.is_school_day(day):
            opens, closes = school_day_start(school, day), school_day_end(school, day)
            begin = max(moment, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
        moment = school_day_start(school, day)
    raise ValueError(f"no school hours found within {MAX_DAYS_SEARCHED} days")
