"""The counts of one school's term (R87), read with a fixed number of queries however many records there are.

Every figure is a count of records or of children, never a record: nothing here returns a name, a date of birth, a
form or a line of free text. What the figures mean:

- A concern belongs to the term in which it was recorded. Its kinds are the DSL team's categories where they have
  re-categorised it, otherwise the reporter's; a concern about two kinds of harm counts under each.
- Level of need: the latest triage by the end of the period. Key stage: the child's, from their year group then.
- A referral belongs to the term in which it was decided or made (a decision to refer, or the referral action),
  whenever the concern was raised; a concern counts once for each agency. Its outcome is received when the
  agency's answer is recorded (for children's social care, the "LA decision received?" task done; for the
  others, the referral action done) or the concern has been closed.
- Children open on a plan or early help: children with that flag running on the last day counted.
- Child-on-child: concerns naming an alleged perpetrator who is a pupil, or about a child-on-child category.
- Statutory deadlines: actions whose due time the law, statutory guidance or the policy sets (created by the rules
  in concerns/services.py), due in the period; met when done by the due time.
- CP files between schools (R55, R58): a file sent belongs to the term of the day it was sent, and was on time when
  sent by the day it was due (the 5th school day after leaving); a file received, to the term of the day it came.
  A transfer out is overdue at the end of term when it was due by the last day counted and had not been sent by
  then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Case,
    Count,
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
    Action,
    ActionKind,
    ActionStatus,
    CategoryChoice,
    Concern,
    ConcernCategory,
    ConcernKind,
    ConcernPupil,
    ConcernStatus,
    Decision,
    DecisionKind,
    FileTransfer,
    FlagKind,
    LevelOfNeed,
    PupilFlag,
    PupilRole,
    TransferDirection,
    Triage,
)

from .periods import Period, academic_year_on

# --- What is counted, with the words the report uses ------------------------------------------------------------

GROUPS = [(group.code, group.label) for group in categories.GROUPS]
CHILD_ON_CHILD_CODES = [c.code for g in categories.GROUPS if g.code == "child_on_child" for c in g.categories]

KEY_STAGES = [
    ("eyfs", "Early years (Reception)"),
    ("ks1", "Key stage 1 (Years 1 and 2)"),
    ("ks2", "Key stage 2 (Years 3 to 6)"),
    ("ks3", "Key stage 3 (Years 7 to 9)"),
    ("ks4", "Key stage 4 (Years 10 and 11)"),
    ("ks5", "Key stage 5 (Years 12 and 13)"),
]
KEY_STAGE_UNKNOWN = "unknown"


@dataclass(frozen=True)
class ReferralType:
    code: str
    label: str
    decisions: tuple[str, ...] = ()
    not_referred: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    answered_by: tuple[str, ...] = ()  # the actions whose completion records the agency's answer


REFERRAL_TYPES = (
    ReferralType(
        "csc",
        "Children's social care",
        decisions=(DecisionKind.REFER_CSC,),
        not_referred=(DecisionKind.NOT_REFER_CSC,),
        actions=(ActionKind.CSC_REFERRAL_PHONE, ActionKind.CSC_REFERRAL_ONLINE),
        answered_by=(ActionKind.CSC_DECISION_CHASE,),
    ),
    ReferralType(
        "early_help",
        "Early help",
        decisions=(DecisionKind.EARLY_HELP,),
        actions=(ActionKind.EHA_TAF, ActionKind.VCM_REQUEST),
        answered_by=(ActionKind.EHA_TAF, ActionKind.VCM_REQUEST),
    ),
    ReferralType(
        "police",
        "Police",
        decisions=(DecisionKind.REFER_POLICE,),
        not_referred=(DecisionKind.NOT_REFER_POLICE,),
        actions=(ActionKind.POLICE_EMERGENCY, ActionKind.POLICE_NON_EMERGENCY),
        answered_by=(ActionKind.POLICE_EMERGENCY, ActionKind.POLICE_NON_EMERGENCY),
    ),
    ReferralType(
        "prevent",
        "Prevent",
        decisions=(DecisionKind.REFER_PREVENT,),
        not_referred=(DecisionKind.NOT_REFER_PREVENT,),
        actions=(ActionKind.PREVENT_REFERRAL,),
        answered_by=(ActionKind.PREVENT_REFERRAL,),
    ),
    ReferralType(
        "fgm",
        "FGM: mandatory report to the police",
        actions=(ActionKind.FGM_REPORT,),
        answered_by=(ActionKind.FGM_REPORT,),
    ),
)
# LADO referrals are about adults: they come from staff_allegations.reporting.
LADO = ("lado", "LADO (allegations about adults)")

OPEN_FLAGS = [
    (FlagKind.CHILD_PROTECTION, "Child protection plan"),
    (FlagKind.CHILD_IN_NEED, "Child in need plan"),
    (FlagKind.LOOKED_AFTER, "Looked after"),
    (FlagKind.PREVIOUSLY_LOOKED_AFTER, "Previously looked after"),
    (FlagKind.EARLY_HELP, "Early help"),
]

# The deadlines set by law, statutory guidance or the policy (R29, R30, R32–R35): created by rule, never by choice.
STATUTORY_DEADLINE_KINDS = (
    ActionKind.CSC_WRITTEN_FOLLOW_UP,
    ActionKind.CSC_DECISION_CHASE,
    ActionKind.FGM_REPORT,
    ActionKind.PREVENT_ADVICE,
    ActionKind.PRIVATE_FOSTERING_NOTIFICATION,
    ActionKind.RISK_ASSESSMENT_VICTIM,
    ActionKind.RISK_ASSESSMENT_PERPETRATOR,
    ActionKind.RISK_ASSESSMENT_OTHERS,
    ActionKind.SEPARATION,
)

ALLEGATION_OUTCOMES = ("Substantiated", "Malicious", "False", "Unsubstantiated", "Unfounded")


@dataclass(frozen=True)
class Median:
    """A median wait over `count` concerns (none when there were none)."""

    count: int
    value: timedelta | None


@dataclass
class TermCounts:
    """One school's counts for one period: `counts` by measure key, the two medians, and the staff-case figures
    (None until the register of concerns about adults can give them)."""

    counts: dict[str, int]
    acknowledgement: Median
    triage: Median
    staff: dict | None
    levels: list[tuple[str, str]]


# --- Reading ----------------------------------------------------------------------------------------------------


def _effective_category_in(codes) -> Exists:
    """The concern has one of `codes` among the DSL team's categories, or the reporter's where the DSL team has not
    re-categorised it (R9)."""
    dsl_chose = ConcernCategory.objects.filter(concern=OuterRef(OuterRef("pk")), chosen_by=CategoryChoice.DSL)
    return Exists(
        ConcernCategory.objects.filter(concern=OuterRef("pk"), code__in=list(codes)).filter(
            Q(chosen_by=CategoryChoice.DSL) | Q(~Exists(dsl_chose))
        )
    )


def _concerns_recorded(period: Period) -> QuerySet:
    return Concern.objects.filter(school=period.school, recorded_at__gte=period.start, recorded_at__lt=period.end)


def _dated(field: str, period: Period) -> dict:
    return {f"{field}__gte": period.start, f"{field}__lt": period.end}


def _concern_figures(period: Period) -> dict[str, int]:
    """The concerns recorded in the period: totals, kinds, child-on-child, recording on the day. One query."""
    staff_kinds = [ConcernKind.CONCERN, ConcernKind.VERBAL]
    perpetrator = ConcernPupil.objects.filter(concern=OuterRef("pk"), role=PupilRole.ALLEGED_PERPETRATOR)
    aggregates = {
        "concerns": Count("pk"),
        "domestic_abuse_notifications": Count("pk", filter=Q(kind=ConcernKind.DOMESTIC_ABUSE_NOTIFICATION)),
        "recorded_same_day": Count("pk", filter=Q(kind__in=staff_kinds, is_late=False)),
        "recorded_late": Count("pk", filter=Q(kind__in=staff_kinds, is_late=True)),
        "child_on_child": Count("pk", filter=Q(Exists(perpetrator)) | Q(_effective_category_in(CHILD_ON_CHILD_CODES))),
    }
    for group in categories.GROUPS:
        codes = [c.code for c in group.categories]
        aggregates[f"group:{group.code}"] = Count("pk", filter=Q(_effective_category_in(codes)))
    return _concerns_recorded(period).aggregate(**aggregates)


def _level_figures(period: Period, levels: list[tuple[str, str]]) -> dict[str, int]:
    latest = (
        Triage.objects.filter(concern=OuterRef("pk"), triaged_at__lt=period.end)
        .order_by("-triaged_at", "-pk")
        .values("level__code")[:1]
    )
    rows = _concerns_recorded(period).annotate(level_code=Subquery(latest)).values("level_code").annotate(n=Count("pk"))
    found = {row["level_code"]: row["n"] for row in rows}
    figures = {f"level:{code}": found.pop(code, 0) for code, _ in levels}
    # A level since retired still counts: its concerns stay "triaged" rather than vanish.
    figures["level:none"] = found.pop(None, 0)
    figures["level:other"] = sum(found.values())
    return figures


def _key_stage_figures(period: Period, *, today) -> dict[str, int]:
    """Key stage then: the year group now, less the academic years since (R88: never finer than key stage)."""
    years_since = int(academic_year_on(today)[:4]) - int(period.term.academic_year[:4])
    year_then = ExpressionWrapper(F("pupil__year_group") - Value(years_since), output_field=IntegerField())
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
        ConcernPupil.objects.filter(role=PupilRole.SUBJECT, concern__in=_concerns_recorded(period))
        .annotate(year_then=year_then)
        .annotate(stage=stage)
        .values("stage")
        .annotate(n=Count("concern", distinct=True))
    )
    found = {row["stage"]: row["n"] for row in rows}
    return {f"ks:{code}": found.get(code, 0) for code, _ in KEY_STAGES} | {
        f"ks:{KEY_STAGE_UNKNOWN}": found.get(KEY_STAGE_UNKNOWN, 0)
    }


def _referral_figures(period: Period) -> dict[str, int]:
    """Referrals decided or made in the period, by agency, with their answers. One query over the school's
    concerns, and one over tasks about a child with no concern behind them."""
    aggregates = {}
    for kind in REFERRAL_TYPES:
        referred = Q(
            Exists(
                Decision.objects.filter(concern=OuterRef("pk"), kind__in=kind.decisions, **_dated("decided_at", period))
            )
        ) | Q(
            Exists(Action.objects.filter(concern=OuterRef("pk"), kind__in=kind.actions, **_dated("created_at", period)))
        )
        answered = Q(
            Exists(
                Action.objects.filter(
                    concern=OuterRef("pk"),
                    kind__in=kind.answered_by,
                    status=ActionStatus.DONE,
                    completed_at__lt=period.end,
                )
            )
        ) | Q(status=ConcernStatus.CLOSED, closed_at__lt=period.end)
        aggregates[f"referral:{kind.code}:referred"] = Count("pk", filter=referred)
        aggregates[f"referral:{kind.code}:answered"] = Count("pk", filter=referred & answered)
        aggregates[f"referral:{kind.code}:not_referred"] = Count(
            "pk",
            filter=Q(
                Exists(
                    Decision.objects.filter(
                        concern=OuterRef("pk"), kind__in=kind.not_referred, **_dated("decided_at", period)
                    )
                )
            ),
        )
    figures = Concern.objects.filter(school=period.school, recorded_at__lt=period.end).aggregate(**aggregates)
    # A referral task about a child with no concern behind it counts too.
    without_concern = Action.objects.filter(
        school=period.school, concern__isnull=True, created_at__gte=period.start, created_at__lt=period.end
    ).aggregate(
        **{
            f"{kind.code}:referred": Count("pk", filter=Q(kind__in=kind.actions))
            for kind in REFERRAL_TYPES
            if kind.actions
        },
        **{
            f"{kind.code}:answered": Count(
                "pk", filter=Q(kind__in=kind.actions, status=ActionStatus.DONE, completed_at__lt=period.end)
            )
            for kind in REFERRAL_TYPES
            if kind.actions
        },
    )
    for key, value in without_concern.items():
        figures[f"referral:{key}"] += value
    for kind in REFERRAL_TYPES:
        figures[f"referral:{kind.code}:awaiting"] = (
            figures[f"referral:{kind.code}:referred"] - figures[f"referral:{kind.code}:answered"]
        )
    return figures


def _open_flag_figures(period: Period) -> dict[str, int]:
    rows = (
        PupilFlag.objects.filter(
            school=period.school, kind__in=[kind for kind, _ in OPEN_FLAGS], starts_on__lte=period.as_at
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.as_at))
        .values("kind")
        .annotate(n=Count("pupil", distinct=True))
    )
    found = {row["kind"]: row["n"] for row in rows}
    return {f"open:{kind}": found.get(kind, 0) for kind, _ in OPEN_FLAGS}


def _action_figures(period: Period) -> dict[str, int]:
    """Statutory deadlines that fell in the period, met or missed; actions overdue on the last day counted."""
    actions = Action.objects.filter(school=period.school)
    met = Q(completed_at__isnull=False, completed_at__lte=F("due_at"))
    statutory_due = Q(kind__in=STATUTORY_DEADLINE_KINDS, **_dated("due_at", period))
    return actions.aggregate(
        deadlines_met=Count("pk", filter=statutory_due & met),
        deadlines_missed=Count("pk", filter=statutory_due & ~met),
        overdue_actions=Count(
            "pk",
            filter=Q(created_at__lt=period.end, due_at__lt=period.end)
            & (Q(completed_at__isnull=True) | Q(completed_at__gte=period.end)),
        ),
    )


def _transfer_figures(period: Period) -> dict[str, int]:
    """CP files sent (on time or late) and received in the period, and transfers out overdue on its last day. One
    query."""
    sent = Q(direction=TransferDirection.OUT, sent_on__gte=period.starts_on, sent_on__lte=period.as_at)
    on_time = Q(due_on__isnull=False, sent_on__lte=F("due_on"))
    late = Q(due_on__isnull=True) | Q(sent_on__gt=F("due_on"))
    return FileTransfer.objects.filter(school=period.school).aggregate(
        transfers_sent=Count("pk", filter=sent),
        transfers_sent_on_time=Count("pk", filter=sent & on_time),
        transfers_sent_late=Count("pk", filter=sent & late),
        transfers_received=Count(
            "pk",
            filter=Q(direction=TransferDirection.IN, received_on__gte=period.starts_on, received_on__lte=period.as_at),
        ),
        transfers_overdue=Count(
            "pk",
            filter=Q(direction=TransferDirection.OUT, recorded_at__lt=period.end, due_on__lte=period.as_at)
            & (Q(sent_on__isnull=True) | Q(sent_on__gt=period.as_at)),
        ),
    )


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
    in_periods = Q(pk__in=[])
    for period in periods:
        in_periods |= Q(school=period.school, recorded_at__gte=period.start, recorded_at__lt=period.end)
    end = max(period.end for period in periods)
    raised = Concern.objects.filter(in_periods, kind=ConcernKind.CONCERN)
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


def staff_counts(period: Period) -> dict | None:
    """Counts from the register of concerns about adults (cases about the Head left out and counted apart)."""
    try:
        from staff_allegations.reporting import term_counts as adult_term_counts
    except ImportError:  # the register is not installed here
        return None
    return adult_term_counts(school=period.school, starts_on=period.starts_on, ends_on=period.as_at)


def open_at_start(period: Period) -> int:
    """Allegations open on the eve of the period: last term's "open at the end", whatever was entered before."""
    from staff_allegations.reporting import term_counts as adult_term_counts

    eve = period.starts_on - timedelta(days=1)
    return adult_term_counts(school=period.school, starts_on=eve, ends_on=eve)["allegations_open_at_end"]


def active_levels() -> list[tuple[str, str]]:
    return list(LevelOfNeed.objects.filter(is_active=True).order_by("order").values_list("code", "label"))


def term_counts(*, period: Period, levels: list[tuple[str, str]], today) -> TermCounts:
    """Every count of the report for one school's period (about a dozen queries, whatever the volume)."""
    counts: dict[str, int] = {}
    counts.update(_concern_figures(period))
    counts.update(_level_figures(period, levels))
    counts.update(_key_stage_figures(period, today=today))
    counts.update(_referral_figures(period))
    counts.update(_open_flag_figures(period))
    counts.update(_action_figures(period))
    counts.update(_transfer_figures(period))
    counts["deadlines_due"] = counts["deadlines_met"] + counts["deadlines_missed"]
    counts["recorded_by_staff"] = counts["recorded_same_day"] + counts["recorded_late"]
    staff = staff_counts(period)
    if staff is not None:
        counts["allegations_opened"] = staff["allegations_opened"]
        counts["allegations_open_at_end"] = staff["allegations_open_at_end"]
        for outcome in ALLEGATION_OUTCOMES:
            counts[f"allegation_outcome:{outcome}"] = staff["allegations_by_outcome"].get(outcome, 0)
        counts["allegations_concluded"] = sum(counts[f"allegation_outcome:{o}"] for o in ALLEGATION_OUTCOMES)
        counts["low_level_concerns"] = staff["low_level_concerns"]
        counts["referral:lado:referred"] = staff["lado_referrals"]
    acknowledgement, triage = waits([period])
    return TermCounts(counts=counts, acknowledgement=acknowledgement, triage=triage, staff=staff, levels=levels)
