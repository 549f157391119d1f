"""The counts of one term for a school, or for every school of a trust at once (R87), read with a fixed number of
queries however many schools there are and however many years of records they hold: each figure reads only the
rows of the period, through an index, and counts every school's period in the same query.

Every figure is a count of records or of children, never a record: nothing here returns a name, a date of birth, a
form or a line of free text. What the figures mean:

- A concern belongs to the term in which it was recorded. Its kinds are the DSL team's categories where they have
  re-categorised it, otherwise the reporter's; a concern about two kinds of harm counts under each.
- Recorded on the day, recorded late, recorded by staff: a person's own account only (concerns.models
  OWN_ACCOUNT_KINDS: raised by staff, given verbally, written on a paper form). A police domestic abuse
  notification and the concern an allegation about an adult opens are never late (R12) and are counted apart, so
  the concerns recorded are those three kinds added up.
- Level of need: the latest triage by the end of the period. Key stage: the child's, from their year group then.
- A referral belongs to the term in which it was decided or made (a decision to refer, or the referral action),
  whenever the concern was raised; a concern counts once for each agency. Its outcome is received when the
  agency's answer is recorded (for children's social care, the "LA decision received?" task done; for the
  others, the referral action done) or the concern has been closed.
- The local authority's decisions (R30): the "LA decision received?" tasks done with the decision recorded, by
  outcome, in the term of the decision's date (or of the day the task was done, when no date was given), whenever
  the referral was made.
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

import operator
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce

from django.db.models import (
    BooleanField,
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
    LaOutcome,
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
# R30: what the local authority decided about a referral to children's social care, in the words of its task.
LA_OUTCOMES = list(LaOutcome.choices)

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
    """One school's counts for one period: `counts` by measure key, the staff-case figures (None until the register
    of concerns about adults can give them) and, where they were measured, the two medians."""

    counts: dict[str, int]
    staff: dict | None
    levels: list[tuple[str, str]]
    acknowledgement: Median | None = None
    triage: Median | None = None


# --- Reading ----------------------------------------------------------------------------------------------------
# Every function below takes the periods of several schools (one term, each school's own dates) and answers for each
# school. The rows are picked by one condition for each set of schools counting the same days (most of a trust's
# schools share their term dates), joined by OR, so each reads its own range of an index on (school, date): nothing
# scans a school's history to find the rows of one term.


def _alike(periods: list[Period]) -> list[tuple[list[int], Period]]:
    """The schools whose periods count the same days, with one of those periods."""
    groups: dict[tuple, list[Period]] = {}
    for period in periods:
        groups.setdefault((period.start, period.end), []).append(period)
    return [([p.school.pk for p in group], group[0]) for group in groups.values()]


def _each(periods: list[Period], condition) -> Q:
    """`condition(schools, period)` for each set of schools counting the same days, joined by OR."""
    return reduce(operator.or_, (condition(schools, period) for schools, period in _alike(periods)))


def _per_school(periods: list[Period], value, *, school: str, output_field) -> Case:
    """A value that depends on the row's school (its period's end, its years since), for a correlated subquery."""
    schools_by_value: dict = {}
    for period in periods:
        schools_by_value.setdefault(value(period), []).append(period.school.pk)
    whens = [When(**{f"{school}__in": schools}, then=Value(v)) for v, schools in schools_by_value.items()]
    return Case(*whens, output_field=output_field)


def _by_school(periods: list[Period], rows, measures, *, school: str = "school_id") -> dict[int, dict[str, int]]:
    """Rows of one grouped query, each a school's counts, as a dictionary by school with a nought for any count of a
    school that had no row."""
    found = {row.pop(school): row for row in rows}
    return {period.school.pk: {m: found.get(period.school.pk, {}).get(m) or 0 for m in measures} for period in periods}


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
    return Concern.objects.filter(_each(periods, _recorded_in)).order_by()


def _concern_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
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
    return _by_school(periods, rows, aggregates)


def _group_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
    """The concerns of each kind (group of categories), by their effective categories (R9). One query over the
    categories of the period's concerns, rather than a test of every concern for every kind."""
    dsl_chose = ConcernCategory.objects.filter(concern=OuterRef("concern"), chosen_by=CategoryChoice.DSL)
    group = Case(
        *(When(code__in=[c.code for c in g.categories], then=Value(g.code)) for g in categories.GROUPS),
        output_field=CharField(),
    )
    rows = (
        ConcernCategory.objects.filter(_each(periods, lambda schools, p: _recorded_in(schools, p, "concern__")))
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


def _level_figures(periods: list[Period], levels: list[tuple[str, str]]) -> dict[int, dict[str, int]]:
    end = _per_school(periods, lambda p: p.end, school="school_id", output_field=DateTimeField())
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


def _key_stage_figures(periods: list[Period], *, today) -> dict[int, dict[str, int]]:
    """Key stage then: the year group now, less the academic years since (R88: never finer than key stage)."""
    this_year = int(academic_year_on(today)[:4])
    years_since = _per_school(
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
            _each(periods, lambda schools, p: _recorded_in(schools, p, "concern__")), role=PupilRole.SUBJECT
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


def _referral_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
    """Referrals decided or made in the period, by agency, with their answers. Three queries, each starting from
    the rows dated in the period (decisions by when they were made, actions by when they were set) rather than from
    the school's concerns: the decisions, the referral actions (with or without a concern behind them), and the
    answers given to the concerns those touch. Each row says what the period's end makes of it (recorded by then,
    closed by then, answered by then), so only numbers and codes come back; the sets are put together here, where a
    concern counts once an agency."""
    decision_agencies = {kind: t.code for t in REFERRAL_TYPES for kind in t.decisions}
    not_referred_agencies = {kind: t.code for t in REFERRAL_TYPES for kind in t.not_referred}
    action_agencies = {kind: t.code for t in REFERRAL_TYPES for kind in t.actions}
    answering: dict[str, set[str]] = {}
    for t in REFERRAL_TYPES:
        for kind in t.answered_by:
            answering.setdefault(kind, set()).add(t.code)

    def end(school: str) -> Case:
        return _per_school(periods, lambda p: p.end, school=school, output_field=DateTimeField())

    def closed_by_end(school: str) -> ExpressionWrapper:
        closed = Q(concern__status=ConcernStatus.CLOSED, concern__closed_at__lt=end(school))
        return ExpressionWrapper(closed, output_field=BooleanField())

    decisions = (
        Decision.objects.filter(
            _each(
                periods,
                lambda schools, p: Q(concern__school__in=schools, decided_at__gte=p.start, decided_at__lt=p.end),
            ),
            kind__in=[*decision_agencies, *not_referred_agencies],
        )
        .filter(concern__recorded_at__lt=end("concern__school_id"))
        .order_by()
    )
    # An action's school is its concern's (concerns.services.action_add), so the actions are found by their own.
    actions = (
        Action.objects.filter(
            _each(periods, lambda schools, p: Q(school__in=schools, created_at__gte=p.start, created_at__lt=p.end)),
            kind__in=list(action_agencies),
        )
        .filter(Q(concern__isnull=True) | Q(concern__recorded_at__lt=end("school_id")))
        .order_by()
    )

    referred: dict[tuple[int, str], set[int]] = {}
    not_referred: dict[tuple[int, str], set[int]] = {}
    closed: set[int] = set()
    loose: dict[tuple[int, str], list[int]] = {}  # tasks about a child with no concern behind them: [made, answered]

    rows = decisions.annotate(closed=closed_by_end("concern__school_id")).values_list(
        "concern__school_id", "concern_id", "kind", "closed"
    )
    for school_id, concern_id, kind, is_closed in rows:
        if is_closed:
            closed.add(concern_id)
        if kind in decision_agencies:
            referred.setdefault((school_id, decision_agencies[kind]), set()).add(concern_id)
        else:
            not_referred.setdefault((school_id, not_referred_agencies[kind]), set()).add(concern_id)
    done_by_end = ExpressionWrapper(Q(status=ActionStatus.DONE, completed_at__lt=end("school_id")), BooleanField())
    rows = actions.annotate(closed=closed_by_end("school_id"), done=done_by_end).values_list(
        "school_id", "concern_id", "kind", "closed", "done"
    )
    for school_id, concern_id, kind, is_closed, done in rows:
        agency = action_agencies[kind]
        if concern_id is None:
            counts = loose.setdefault((school_id, agency), [0, 0])
            counts[0] += 1
            counts[1] += bool(done)
        else:
            if is_closed:
                closed.add(concern_id)
            referred.setdefault((school_id, agency), set()).add(concern_id)

    # The agency's answer, given by the end of the period, for the concerns referred (whenever the task was set).
    # One set of concerns (a union, not two IN tests joined by OR), so the answers are read through the index on
    # each concern's actions.
    touched = decisions.values("concern_id").union(actions.values("concern_id"), all=True)
    answers = (
        Action.objects.filter(concern__in=touched, kind__in=list(answering), status=ActionStatus.DONE)
        .filter(completed_at__lt=end("concern__school_id"))
        .order_by()
        .values_list("concern_id", "kind")
        .distinct()
    )
    answered = {(concern_id, agency) for concern_id, kind in answers for agency in answering[kind]}

    figures = {}
    for period in periods:
        school_id = period.school.pk
        school_figures = {}
        for t in REFERRAL_TYPES:
            concerns = referred.get((school_id, t.code), set())
            made, loose_answered = loose.get((school_id, t.code), (0, 0))
            school_figures[f"referral:{t.code}:referred"] = len(concerns) + made
            school_figures[f"referral:{t.code}:answered"] = (
                sum(1 for c in concerns if c in closed or (c, t.code) in answered) + loose_answered
            )
            school_figures[f"referral:{t.code}:awaiting"] = (
                school_figures[f"referral:{t.code}:referred"] - school_figures[f"referral:{t.code}:answered"]
            )
            school_figures[f"referral:{t.code}:not_referred"] = len(not_referred.get((school_id, t.code), ()))
        figures[school_id] = school_figures
    return figures


def _la_decision_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
    """R30: the local authority's decisions recorded on the "LA decision received?" tasks, by the decision's date
    (or, with no date, the day the task was done), by outcome. One query."""

    def decided_in(schools: list[int], period: Period) -> Q:
        chase = Q(school__in=schools, kind=ActionKind.CSC_DECISION_CHASE, status=ActionStatus.DONE)
        dated = Q(la_decided_on__gte=period.starts_on, la_decided_on__lte=period.as_at)
        undated = Q(la_decided_on__isnull=True, completed_at__gte=period.start, completed_at__lt=period.end)
        return (chase & dated) | (chase & undated)

    rows = (
        Action.objects.filter(_each(periods, decided_in), la_outcome__in=LaOutcome.values)
        .order_by()
        .values("school_id", "la_outcome")
        .annotate(n=Count("pk"))
    )
    found: dict[int, dict] = {period.school.pk: {} for period in periods}
    for row in rows:
        found[row["school_id"]][row["la_outcome"]] = row["n"]
    figures = {}
    for school_id, outcomes in found.items():
        school_figures = {f"la_outcome:{code}": outcomes.get(code, 0) for code, _ in LA_OUTCOMES}
        school_figures["la_decisions"] = sum(school_figures.values())
        figures[school_id] = school_figures
    return figures


def _open_flag_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
    def running(schools: list[int], period: Period) -> Q:
        return Q(school__in=schools, starts_on__lte=period.as_at) & (
            Q(ends_on__isnull=True) | Q(ends_on__gte=period.as_at)
        )

    rows = (
        PupilFlag.objects.filter(_each(periods, running), kind__in=[kind for kind, _ in OPEN_FLAGS])
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


def _action_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
    """Statutory deadlines that fell in the period, met or missed; actions overdue on the last day counted. One
    query, over the actions due in the period and those still open (or done only after it) at its end."""
    met = Q(completed_at__isnull=False, completed_at__lte=F("due_at"))

    def statutory_due(schools: list[int], period: Period) -> Q:
        return Q(school__in=schools, kind__in=STATUTORY_DEADLINE_KINDS, due_at__gte=period.start, due_at__lt=period.end)

    def overdue(schools: list[int], period: Period) -> Q:
        # Written as two branches, each with its own condition on completed_at, so each can use the index.
        due_before = Q(school__in=schools, created_at__lt=period.end, due_at__lt=period.end)
        return (due_before & Q(completed_at__isnull=True)) | (due_before & Q(completed_at__gte=period.end))

    due, late = _each(periods, statutory_due), _each(periods, overdue)
    aggregates = {
        "deadlines_met": Count("pk", filter=due & met),
        "deadlines_missed": Count("pk", filter=due & ~met),
        "overdue_actions": Count("pk", filter=late),
    }
    rows = Action.objects.filter(due | late).order_by().values("school_id").annotate(**aggregates)
    return _by_school(periods, rows, aggregates)


def _transfer_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
    """CP files sent (on time or late) and received in the period, and transfers out overdue on its last day. One
    query."""

    def sent_in(schools: list[int], p: Period) -> Q:
        return Q(school__in=schools, direction=TransferDirection.OUT, sent_on__gte=p.starts_on, sent_on__lte=p.as_at)

    def received_in(schools: list[int], p: Period) -> Q:
        return Q(
            school__in=schools, direction=TransferDirection.IN, received_on__gte=p.starts_on, received_on__lte=p.as_at
        )

    def overdue_at_end(schools: list[int], p: Period) -> Q:
        return Q(school__in=schools, direction=TransferDirection.OUT, recorded_at__lt=p.end, due_on__lte=p.as_at) & (
            Q(sent_on__isnull=True) | Q(sent_on__gt=p.as_at)
        )

    sent, received, overdue = (_each(periods, f) for f in (sent_in, received_in, overdue_at_end))
    on_time = Q(due_on__isnull=False, sent_on__lte=F("due_on"))
    late = Q(due_on__isnull=True) | Q(sent_on__gt=F("due_on"))
    aggregates = {
        "transfers_sent": Count("pk", filter=sent),
        "transfers_sent_on_time": Count("pk", filter=sent & on_time),
        "transfers_sent_late": Count("pk", filter=sent & late),
        "transfers_received": Count("pk", filter=received),
        "transfers_overdue": Count("pk", filter=overdue),
    }
    rows = (
        FileTransfer.objects.filter(school__in=[p.school for p in periods])
        .order_by()
        .values("school_id")
        .annotate(**aggregates)
    )
    return _by_school(periods, rows, aggregates)


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


def staff_counts(periods: list[Period]) -> dict[int, dict] | None:
    """Counts from the register of concerns about adults for each school's period (cases about the Head left out and
    counted apart), in a fixed number of queries however many schools; None where the register is not installed."""
    try:
        from staff_allegations.reporting import term_counts_by_school
    except ImportError:  # the register is not installed here
        return None
    return term_counts_by_school(spans={p.school.pk: (p.starts_on, p.as_at) for p in periods})


def open_at_start(periods: list[Period]) -> dict[int, int]:
    """Allegations open on the eve of each school's period: last term's "open at the end", whatever was entered
    before."""
    from staff_allegations.reporting import term_counts_by_school

    eves = {p.school.pk: (p.starts_on - timedelta(days=1),) * 2 for p in periods}
    return {school_id: c["allegations_open_at_end"] for school_id, c in term_counts_by_school(spans=eves).items()}


def active_levels() -> list[tuple[str, str]]:
    return list(LevelOfNeed.objects.filter(is_active=True).order_by("order").values_list("code", "label"))


def schools_term_counts(*, periods: list[Period], levels: list[tuple[str, str]], today) -> dict[int, TermCounts]:
    """Every count of the report for each school's period of one term, without the medians (which are measured only
    for what a report shows: see `waits`). About a dozen queries whatever the number of schools, plus the register's
    counts of adult cases, which it gives school by school."""
    if not periods:
        return {}
    counts: dict[int, dict[str, int]] = {period.school.pk: {} for period in periods}
    for figures in (
        _concern_figures(periods),
        _group_figures(periods),
        _level_figures(periods, levels),
        _key_stage_figures(periods, today=today),
        _referral_figures(periods),
        _la_decision_figures(periods),
        _open_flag_figures(periods),
        _action_figures(periods),
        _transfer_figures(periods),
    ):
        for school_id, school_figures in figures.items():
            counts[school_id].update(school_figures)
    result = {}
    register = staff_counts(periods)
    for period in periods:
        school_counts = counts[period.school.pk]
        school_counts["deadlines_due"] = school_counts["deadlines_met"] + school_counts["deadlines_missed"]
        school_counts["recorded_by_staff"] = school_counts["recorded_same_day"] + school_counts["recorded_late"]
        staff = register[period.school.pk] if register is not None else None
        if staff is not None:
            school_counts["allegations_opened"] = staff["allegations_opened"]
            school_counts["allegations_open_at_end"] = staff["allegations_open_at_end"]
            for outcome in ALLEGATION_OUTCOMES:
                school_counts[f"allegation_outcome:{outcome}"] = staff["allegations_by_outcome"].get(outcome, 0)
            school_counts["allegations_concluded"] = sum(
                school_counts[f"allegation_outcome:{o}"] for o in ALLEGATION_OUTCOMES
            )
            school_counts["low_level_concerns"] = staff["low_level_concerns"]
            school_counts["referral:lado:referred"] = staff["lado_referrals"]
        result[period.school.pk] = TermCounts(counts=school_counts, staff=staff, levels=levels)
    return result


def term_counts(*, period: Period, levels: list[tuple[str, str]], today) -> TermCounts:
    """Every count of the report for one school's period, with its two medians."""
    counted = schools_term_counts(periods=[period], levels=levels, today=today)[period.school.pk]
    counted.acknowledgement, counted.triage = waits([period])
    return counted
