"""The counts about the concerns recorded in a term and the children they are about (R87), for each school's period
of one term, each in one query whatever the number of schools (the medians in a few). Every one is a count, never a
record. What the figures mean:

- A concern belongs to the term in which it was recorded. Its kinds are the DSL team's categories where they have
  re-categorised it, otherwise the reporter's (R9); a concern about two kinds of harm counts under each.
- Recorded on the day, recorded late, recorded by staff: a person's own account only (concerns.models
  OWN_ACCOUNT_KINDS: raised by staff, given verbally, written on a paper form). A police domestic abuse
  notification and the concern an allegation about an adult opens are never late (R12) and are counted apart, so
  the concerns recorded are those three kinds added up.
- Level of need: the latest triage by the end of the period. Key stage: the child's, from their year group then
  (R88: never finer than key stage).
- Child-on-child: concerns naming an alleged perpetrator who is a pupil, or about a child-on-child category.
- Children open on a plan or early help: children with that flag running on the last day counted.
- The waits (R19–R20, R25): from a concern raised by a member of staff to its acknowledgement, and to its first
  triage, as medians.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from concerns import categories
from concerns.models import (
    OWN_ACCOUNT_KINDS,
    CategoryChoice,
    Concern,
    ConcernCategory,
    ConcernKind,
    ConcernPupil,
    PupilFlag,
    PupilRole,
    Triage,
)

from .measures import CHILD_ON_CHILD_CODES, GROUPS, KEY_STAGE_UNKNOWN, KEY_STAGES, OPEN_FLAGS, Median
from .periods import Period, academic_year_on
from .querying import by_school, each, per_school


def _effective_category_in(codes) -> Exists:
    """The concern has one of `codes` among the DSL team's categories, or the reporter's where the DSL team has not
    re-categorised it (R9)."""
    dsl_chose = ConcernCategory.objects.filter(concern=OuterRef(OuterRef("pk")), chosen_by=CategoryChoice.DSL)
    return Exists(
        ConcernCategory.objects.filter(concern=OuterRef("pk"), code__in=list(codes)).filter(
            Q(chosen_by=CategoryChoice.DSL) | Q(~Exists(dsl_chose))
        )
    )


def _recorded_in(schools: list[int], period: Period, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}school__in": schools,
            f"{prefix}recorded_at__gte": period.start,
            f"{prefix}recorded_at__lt": period.end,
        }
    )


def _concerns_recorded(periods: list[Period]) -> QuerySet:
    return Concern.objects.filter(each(periods, _recorded_in)).order_by()


def concern_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
    """The concerns recorded in the period: totals, police notifications, child-on-child, recording on the day. One
    query."""
    own_account = list(OWN_ACCOUNT_KINDS)
    perpetrator = ConcernPupil.objects.filter(concern=OuterRef("pk"), role=PupilRole.ALLEGED_PERPETRATOR)
    aggregates = {
        "concerns": Count("pk"),
        "domestic_abuse_notifications": Count("pk", filter=Q(kind=ConcernKind.DOMESTIC_ABUSE_NOTIFICATION)),
        "opened_by_allegation": Count("pk", filter=Q(kind=ConcernKind.ALLEGATION_WELFARE)),
        "recorded_same_day": Count("pk", filter=Q(kind__in=own_account, is_late=False)),
        "recorded_late": Count("pk", filter=Q(kind__in=own_account, is_late=True)),
        "child_on_child": Count("pk", filter=Q(Exists(perpetrator)) | Q(_effective_category_in(CHILD_ON_CHILD_CODES))),
    }
    rows = _concerns_recorded(periods).values("school_id").annotate(**aggregates)
    return by_school(periods, rows, aggregates)


def group_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
    """The concerns of each kind (group of categories), by their effective categories (R9). One query over the
    categories of the period's concerns, rather than a test of every concern for every kind."""
    dsl_chose = ConcernCategory.objects.filter(concern=OuterRef("concern"), chosen_by=CategoryChoice.DSL)
    group = Case(
        *(When(code__in=[c.code for c in g.categories], then=Value(g.code)) for g in categories.GROUPS),
        output_field=CharField(),
    )
    rows = (
        ConcernCategory.objects.filter(each(periods, lambda schools, p: _recorded_in(schools, p, "concern__")))
        .filter(Q(chosen_by=CategoryChoice.DSL) | ~Exists(dsl_chose))
        .order_by()
        .annotate(group=group)
        .values("concern__school_id", "group")
        .annotate(n=Count("concern", distinct=True))
    )
    found: dict[int, dict] = {period.school.pk: {} for period in periods}
    for row in rows:
        found[row["concern__school_id"]][row["group"]] = row["n"]
    return {
        school_id: {f"group:{code}": groups.get(code, 0) for code, _ in GROUPS} for school_id, groups in found.items()
    }


def level_figures(periods: list[Period], levels: list[tuple[str, str]]) -> dict[int, dict[str, int]]:
    end = per_school(periods, lambda p: p.end, school="school_id", output_field=DateTimeField())
    latest = (
        Triage.objects.filter(concern=OuterRef("pk"), triaged_at__lt=OuterRef("period_end"))
        .order_by("-triaged_at", "-pk")
        .values("level__code")[:1]
    )
    rows = (
        _concerns_recorded(periods)
        .annotate(period_end=end, level_code=Subquery(latest))
        .values("school_id", "level_code")
        .annotate(n=Count("pk"))
    )
    found: dict[int, dict] = {period.school.pk: {} for period in periods}
    for row in rows:
        found[row["school_id"]][row["level_code"]] = row["n"]
    figures = {}
    for school_id, by_level in found.items():
        school_figures = {f"level:{code}": by_level.pop(code, 0) for code, _ in levels}
        # A level since retired still counts: its concerns stay "triaged" rather than vanish.
        school_figures["level:none"] = by_level.pop(None, 0)
        school_figures["level:other"] = sum(by_level.values())
        figures[school_id] = school_figures
    return figures


def key_stage_figures(periods: list[Period], *, today) -> dict[int, dict[str, int]]:
    """Key stage then: the year group now, less the academic years since (R88: never finer than key stage)."""
    this_year = int(academic_year_on(today)[:4])
    years_since = per_school(
        periods,
        lambda p: this_year - int(p.term.academic_year[:4]),
        school="concern__school_id",
        output_field=IntegerField(),
    )
    year_then = ExpressionWrapper(F("pupil__year_group") - years_since, output_field=IntegerField())
    stage = Case(
        When(year_then__lte=0, then=Value("eyfs")),
        When(year_then__lte=2, then=Value("ks1")),
        When(year_then__lte=6, then=Value("ks2")),
        When(year_then__lte=9, then=Value("ks3")),
        When(year_then__lte=11, then=Value("ks4")),
        When(year_then__lte=13, then=Value("ks5")),
        default=Value(KEY_STAGE_UNKNOWN),
    )
    rows = (
        ConcernPupil.objects.filter(
            each(periods, lambda schools, p: _recorded_in(schools, p, "concern__")), role=PupilRole.SUBJECT
        )
        .order_by()
        .annotate(year_then=year_then)
        .annotate(stage=stage)
        .values("concern__school_id", "stage")
        .annotate(n=Count("concern", distinct=True))
    )
    found: dict[int, dict] = {period.school.pk: {} for period in periods}
    for row in rows:
        found[row["concern__school_id"]][row["stage"]] = row["n"]
    return {
        school_id: {f"ks:{code}": stages.get(code, 0) for code, _ in KEY_STAGES}
        | {f"ks:{KEY_STAGE_UNKNOWN}": stages.get(KEY_STAGE_UNKNOWN, 0)}
        for school_id, stages in found.items()
    }


def open_flag_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
    def running(schools: list[int], period: Period) -> Q:
        return Q(school__in=schools, starts_on__lte=period.as_at) & (
            Q(ends_on__isnull=True) | Q(ends_on__gte=period.as_at)
        )

    rows = (
        PupilFlag.objects.filter(each(periods, running), kind__in=[kind for kind, _ in OPEN_FLAGS])
        .order_by()
        .values("school_id", "kind")
        .annotate(n=Count("pupil", distinct=True))
    )
    found: dict[int, dict] = {period.school.pk: {} for period in periods}
    for row in rows:
        found[row["school_id"]][row["kind"]] = row["n"]
    return {
        school_id: {f"open:{kind}": flags.get(kind, 0) for kind, _ in OPEN_FLAGS} for school_id, flags in found.items()
    }


def _median(queryset: QuerySet, field: str) -> Median:
    """The median of `field` without reading every row: a count, then the middle one or two (two queries)."""
    count = queryset.count()
    if not count:
        return Median(0, None)
    middle = list(queryset.order_by(field).values_list(field, flat=True)[(count - 1) // 2 : count // 2 + 1])
    return Median(count, sum(middle, timedelta()) / len(middle))


def waits(periods: list[Period]) -> tuple[Median, Median]:
    """R19–R20, R25: from a concern raised by a member of staff to its acknowledgement, and to its first triage,
    over one school's period or several schools' together (a trust's median is not a median of medians)."""
    end = max(period.end for period in periods)
    raised = _concerns_recorded(periods).filter(kind=ConcernKind.CONCERN)
    # For a trust, "by the end" is the latest of its schools' ends: their periods end within days of each other.
    to_acknowledge = raised.filter(acknowledged_at__isnull=False, acknowledged_at__lt=end).annotate(
        wait=ExpressionWrapper(F("acknowledged_at") - F("recorded_at"), output_field=DurationField())
    )
    first_triage = Triage.objects.filter(concern=OuterRef("pk")).order_by("triaged_at").values("triaged_at")[:1]
    to_triage = (
        raised.annotate(first_triaged_at=Subquery(first_triage))
        .filter(first_triaged_at__isnull=False, first_triaged_at__lt=end)
        .annotate(wait=ExpressionWrapper(F("first_triaged_at") - F("recorded_at"), output_field=DurationField()))
    )
    return _median(to_acknowledge, "wait"), _median(to_triage, "wait")
