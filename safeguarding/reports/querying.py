"""How every count of the report (R87) picks one term's rows for several schools at once.

Every count takes the periods of several schools (one term, each school's own dates) and answers for each school.
The rows are picked by one condition for each set of schools counting the same days (most of a trust's schools
share their term dates), joined by OR, so each reads its own range of an index on (school, date): nothing scans a
school's history to find the rows of one term.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.db.models import Case, Q, Value, When

from .periods import Period


def _alike(periods: list[Period]) -> list[tuple[list[int], Period]]:
    """The schools whose periods count the same days, with one of those periods."""
    groups: dict[tuple, list[Period]] = {}
    for period in periods:
        groups.setdefault((period.start, period.end), []).append(period)
    return [([p.school.pk for p in group], group[0]) for group in groups.values()]


def each(periods: list[Period], condition) -> Q:
    """`condition(schools, period)` for each set of schools counting the same days, joined by OR."""
    return reduce(operator.or_, (condition(schools, period) for schools, period in _alike(periods)))


def per_school(periods: list[Period], value, *, school: str, output_field) -> Case:
    """A value that depends on the row's school (its period's end, its years since), for a correlated subquery."""
    schools_by_value: dict = {}
    for period in periods:
        schools_by_value.setdefault(value(period), []).append(period.school.pk)
    whens = [When(**{f"{school}__in": schools}, then=Value(v)) for v, schools in schools_by_value.items()]
    return Case(*whens, output_field=output_field)


def by_school(periods: list[Period], rows, measures, *, school: str = "school_id") -> dict[int, dict[str, int]]:
    """Rows of one grouped query, each a school's counts, as a dictionary by school with a nought for any count of a
    school that had no row."""
    found = {row.pop(school): row for row in rows}
    return {period.school.pk: {m: found.get(period.school.pk, {}).get(m) or 0 for m in measures} for period in periods}
