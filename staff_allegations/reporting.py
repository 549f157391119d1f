"""Counts of adult cases for the trustees' termly report (R87, R88): counts only, nothing else leaves the wall.

A case about the Headteacher is left out of every figure: the Chair reports it outside the pack (R88). It is
counted once, in `left_out_about_head`, which the report shows to the Chair alone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from safeguarding.models import School

from .models import AdultCase, CaseKind, CaseStatus, CaseTask, Outcome, TaskKind


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def term_counts(*, school: School, starts_on: date, ends_on: date) -> dict:
    start, end = _start(starts_on), _start(ends_on + timedelta(days=1))
    cases = AdultCase.objects.filter(school=school)
    about_head = cases.filter(subject_is_head=True)
    counted = cases.filter(subject_is_head=False).exclude(kind=CaseKind.PRACTICE)
    allegations = counted.filter(kind=CaseKind.ALLEGATION)
    raised_in_term = Q(raised_at__gte=start, raised_at__lt=end)
    figures = allegations.aggregate(
        opened=Count("pk", filter=raised_in_term),
        open_at_end=Count(
            "pk",
            filter=Q(raised_at__lt=end) & (Q(status=CaseStatus.OPEN) | Q(closed_at__gte=end)),
        ),
        **{
            outcome.value: Count("pk", filter=Q(outcome=outcome.value, closed_at__gte=start, closed_at__lt=end))
            for outcome in Outcome
        },
    )
    return {
        "allegations_opened": figures["opened"],
        "allegations_open_at_end": figures["open_at_end"],
        "allegations_by_outcome": {outcome.label: figures[outcome.value] for outcome in Outcome},
        "low_level_concerns": counted.filter(raised_in_term, kind=CaseKind.LOW_LEVEL).count(),
        "lado_referrals": CaseTask.objects.filter(
            case__in=counted,
            kind=TaskKind.LADO_CONSULTATION,
            referred=True,
            completed_at__gte=start,
            completed_at__lt=end,
        ).count(),
        "left_out_about_head": about_head.filter(raised_in_term).count(),
    }
