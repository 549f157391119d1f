"""Counts of adult cases for the trustees' termly report (R87, R88): counts only, nothing else leaves the wall.

A case about the Headteacher is left out of every figure: the Chair reports it outside the pack (R88). It is
counted once, in `left_out_about_head`, which the report shows to the Chair alone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from safeguarding.models import School

from .models import AdultCase, CaseKind, CaseStatus, CaseTask, Outcome, TaskKind


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def term_counts(*, school: School, starts_on: date, ends_on: date) -> dict:
    """One school's counts from `starts_on` to `ends_on`, both days included."""
    return term_counts_by_school(spans={school.pk: (starts_on, ends_on)})[school.pk]


def term_counts_by_school(*, spans: dict[int, tuple[date, date]]) -> dict[int, dict]:
    """The counts of several schools at once, each over its own days: one set of five queries for each distinct span
    (the schools of a trust mostly share their term dates), however many schools there are."""
    by_span: dict[tuple[date, date], list[int]] = defaultdict(list)
    for school_id, span in spans.items():
        by_span[span].append(school_id)
    result = {}
    for (starts_on, ends_on), school_ids in by_span.items():
        result.update(_counts_over(school_ids, starts_on=starts_on, ends_on=ends_on))
    return result


def _per_school(queryset, key: str = "school_id", **aggregates) -> dict[int, dict]:
    return {row[key]: row for row in queryset.values(key).annotate(**aggregates).order_by()}


def _counts_over(school_ids: list[int], *, starts_on: date, ends_on: date) -> dict[int, dict]:
    start, end = _start(starts_on), _start(ends_on + timedelta(days=1))
    cases = AdultCase.objects.filter(school_id__in=school_ids)
    about_head = cases.filter(subject_is_head=True)
    counted = cases.filter(subject_is_head=False).exclude(kind=CaseKind.PRACTICE)
    raised_in_term = Q(raised_at__gte=start, raised_at__lt=end)
    # Typed Any, not Count: unpacked into _per_school, a dict of Counts could (to mypy) be filling its `key`.
    closed_as: dict[str, Any] = {
        outcome.value: Count("pk", filter=Q(outcome=outcome.value, closed_at__gte=start, closed_at__lt=end))
        for outcome in Outcome
    }
    allegations = _per_school(
        counted.filter(kind=CaseKind.ALLEGATION),
        opened=Count("pk", filter=raised_in_term),
        open_at_end=Count(
            "pk",
            filter=Q(raised_at__lt=end) & (Q(status=CaseStatus.OPEN) | Q(closed_at__gte=end)),
        ),
        **closed_as,
    )
    low_level = _per_school(counted.filter(raised_in_term, kind=CaseKind.LOW_LEVEL), n=Count("pk"))
    lado = _per_school(
        CaseTask.objects.filter(
            case__in=counted,
            kind=TaskKind.LADO_CONSULTATION,
            referred=True,
            completed_at__gte=start,
            completed_at__lt=end,
        ),
        key="case__school_id",
        n=Count("pk"),
    )
    head = _per_school(about_head.filter(raised_in_term), n=Count("pk"))
    result = {}
    for school_id in school_ids:
        figures = allegations.get(school_id, {})
        result[school_id] = {
            "allegations_opened": figures.get("opened", 0),
            "allegations_open_at_end": figures.get("open_at_end", 0),
            "allegations_by_outcome": {outcome.label: figures.get(outcome.value, 0) for outcome in Outcome},
            "low_level_concerns": low_level.get(school_id, {}).get("n", 0),
            "lado_referrals": lado.get(school_id, {}).get("n", 0),
            "left_out_about_head": head.get(school_id, {}).get("n", 0),
        }
    return result
