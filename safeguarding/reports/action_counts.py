"""The counts about what was done in a term (R87): referrals and their answers, the local authority's decisions
(R30), statutory deadlines and overdue actions, and CP files between schools (R55, R58), for each school's period of
one term in a fixed number of queries whatever the number of schools. Every one is a count, never a record. What
the figures mean:

- A referral belongs to the term in which it was decided or made (a decision to refer, or the referral action),
  whenever the concern was raised; a concern counts once for each agency. Its outcome is received when the
  agency's answer is recorded (for children's social care, the "LA decision received?" task done; for the
  others, the referral action done) or the concern has been closed.
- The local authority's decisions (R30): the "LA decision received?" tasks done with the decision recorded, by
  outcome, in the term of the decision's date (or of the day the task was done, when no date was given), whenever
  the referral was made.
- Statutory deadlines: actions whose due time the law, statutory guidance or the policy sets (created by the rules
  in concerns/services/actions.py), due in the period; met when done by the due time.
- CP files between schools (R55, R58): a file sent belongs to the term of the day it was sent, and was on time when
  sent by the day it was due (the 5th school day after leaving); a file received, to the term of the day it came.
  A transfer out is overdue at the end of term when it was due by the last day counted and had not been sent by
  then.
"""

from __future__ import annotations

from django.db.models import BooleanField, Case, Count, DateTimeField, ExpressionWrapper, F, Q

from concerns.models import (
    Action,
    ActionKind,
    ActionStatus,
    ConcernStatus,
    Decision,
    FileTransfer,
    LaOutcome,
    TransferDirection,
)

from .measures import LA_OUTCOMES, REFERRAL_TYPES, STATUTORY_DEADLINE_KINDS
from .periods import Period
from .querying import by_school, each, per_school


def referral_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
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
        return per_school(periods, lambda p: p.end, school=school, output_field=DateTimeField())

    def closed_by_end(school: str) -> ExpressionWrapper:
        closed = Q(concern__status=ConcernStatus.CLOSED, concern__closed_at__lt=end(school))
        return ExpressionWrapper(closed, output_field=BooleanField())

    decisions = (
        Decision.objects.filter(
            each(
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
            each(periods, lambda schools, p: Q(school__in=schools, created_at__gte=p.start, created_at__lt=p.end)),
            kind__in=list(action_agencies),
        )
        .filter(Q(concern__isnull=True) | Q(concern__recorded_at__lt=end("school_id")))
        .order_by()
    )

    referred: dict[tuple[int, str], set[int]] = {}
    not_referred: dict[tuple[int, str], set[int]] = {}
    closed: set[int] = set()
    loose: dict[tuple[int, str], list[int]] = {}  # tasks about a child with no concern behind them: [made, answered]

    decision_rows = decisions.annotate(closed=closed_by_end("concern__school_id")).values_list(
        "concern__school_id", "concern_id", "kind", "closed"
    )
    for school_id, concern_id, kind, is_closed in decision_rows:
        if is_closed:
            closed.add(concern_id)
        if kind in decision_agencies:
            referred.setdefault((school_id, decision_agencies[kind]), set()).add(concern_id)
        else:
            not_referred.setdefault((school_id, not_referred_agencies[kind]), set()).add(concern_id)
    done_by_end = ExpressionWrapper(Q(status=ActionStatus.DONE, completed_at__lt=end("school_id")), BooleanField())
    action_rows = actions.annotate(closed=closed_by_end("school_id"), done=done_by_end).values_list(
        "school_id", "concern_id", "kind", "closed", "done"
    )
    for school_id, concern_id, kind, is_closed, done in action_rows:
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


def la_decision_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
    """R30: the local authority's decisions recorded on the "LA decision received?" tasks, by the decision's date
    (or, with no date, the day the task was done), by outcome. One query."""

    def decided_in(schools: list[int], period: Period) -> Q:
        chase = Q(school__in=schools, kind=ActionKind.CSC_DECISION_CHASE, status=ActionStatus.DONE)
        dated = Q(la_decided_on__gte=period.starts_on, la_decided_on__lte=period.as_at)
        undated = Q(la_decided_on__isnull=True, completed_at__gte=period.start, completed_at__lt=period.end)
        return (chase & dated) | (chase & undated)

    rows = (
        Action.objects.filter(each(periods, decided_in), la_outcome__in=LaOutcome.values)
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


def action_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
    """Statutory deadlines that fell in the period, met or missed; actions overdue on the last day counted. One
    query, over the actions due in the period and those still open (or done only after it) at its end."""
    met = Q(completed_at__isnull=False, completed_at__lte=F("due_at"))

    def statutory_due(schools: list[int], period: Period) -> Q:
        return Q(school__in=schools, kind__in=STATUTORY_DEADLINE_KINDS, due_at__gte=period.start, due_at__lt=period.end)

    def overdue(schools: list[int], period: Period) -> Q:
        # Written as two branches, each with its own condition on completed_at, so each can use the index.
        due_before = Q(school__in=schools, created_at__lt=period.end, due_at__lt=period.end)
        return (due_before & Q(completed_at__isnull=True)) | (due_before & Q(completed_at__gte=period.end))

    due, late = each(periods, statutory_due), each(periods, overdue)
    aggregates = {
        "deadlines_met": Count("pk", filter=due & met),
        "deadlines_missed": Count("pk", filter=due & ~met),
        "overdue_actions": Count("pk", filter=late),
    }
    rows = Action.objects.filter(due | late).order_by().values("school_id").annotate(**aggregates)
    return by_school(periods, rows, aggregates)


def transfer_figures(periods: list[Period]) -> dict[int, dict[str, int]]:
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

    sent, received, overdue = (each(periods, f) for f in (sent_in, received_in, overdue_at_end))
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
    return by_school(periods, rows, aggregates)
