"""School days, school hours and working days, on the school's own calendar.

England's bank holidays come from the `holidays` package; weekends are never school days. Term dates and INSET
days (kept per school) arrive with the DSL's deadlines; until a school has them, every weekday that is not a
bank holiday counts as a school day. Times are computed in the school's time zone (Europe/London) and returned
as aware datetimes.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=32)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date) -> bool:
    """A weekday that is not an England bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def is_school_day(school, day: date) -> bool:
    return is_working_day(day)


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
    from the start of Monday's school day (or Tuesday's, after a bank holiday).
    """
    remaining = timedelta(minutes=minutes)
    moment = timezone.localtime(start)
    day = moment.date()
    for _ in range(400):  # bounded: a year of days is far more than any escalation needs
        if is_school_day(school, day):
            opens, closes = school_day_start(school, day), school_day_end(school, day)
            begin = max(moment, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
        moment = school_day_start(school, day)
    raise ValueError("no school hours found within a year")
