"""One fictional concern's life, for the history fictional.add_history writes: its kinds and categories, how and
when it was recorded (late only for a person's own account, R12), its acknowledgement and triage, the DSL team's
decisions and actions after triage (referrals, statutory deadlines, the local authority's decision, R30), and its
closing; then a term's concerns written together with bulk_create (no alert, no reminder, no audit entry: they stand
for history). Every account says it is fictional. Nothing here is used on real data.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from concerns import categories
from concerns.demo_pupils import FIRST_NAMES, LAST_NAMES
from concerns.models import (
    LA_OUTCOMES_WITH_SOCIAL_WORKER,
    OWN_ACCOUNT_KINDS,
    Action,
    ActionKind,
    CategoryChoice,
    ChronologyEntry,
    ChronologyKind,
    Concern,
    ConcernCategory,
    ConcernKind,
    ConcernPupil,
    ConcernStatus,
    Decision,
    DecisionKind,
    DomesticAbuseNotification,
    Pupil,
    PupilRole,
    SourceType,
    Triage,
)
from safeguarding import calendar

from .fictional_data import GROUP_WEIGHTS, LA_OUTCOME_WEIGHTS, LEVEL_WEIGHTS, NAMESPACE, SEXUAL_CHILD_ON_CHILD

if TYPE_CHECKING:
    from .fictional import People


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Batch:
    """The rows of one term's history, written together."""

    def __init__(self) -> None:
        self.concerns: list[Concern] = []
        self.links: list[tuple[int, Pupil, str]] = []
        self.categories: list[tuple[int, str, str]] = []
        self.triages: list[tuple[int, str, datetime]] = []
        self.decisions: list[tuple[int, str, datetime]] = []
        # (concern, kind, set, due, done, other fields)
        self.actions: list[tuple[int, str, datetime, datetime | None, datetime | None, dict]] = []
        self.notifications: list[int] = []
        self.chronology: list[tuple[int, str, datetime, str]] = []


def one_concern(batch, index, school, term, recorded_at, rng, pupils, people, levels, now) -> None:
    """One fictional concern recorded at `recorded_at`, and what had become of it by `now`, added to `batch`. Each
    helper below decides one thing; they draw from `rng` in a fixed order, so a seed gives the same history."""
    group, codes = _categories(rng)
    kind, codes = _kind(rng, codes)
    late, written_at, acknowledged_at = _timing(rng, kind, recorded_at)
    level_code = _level(rng, codes, kind)
    triaged_at = acknowledged_at + timedelta(minutes=rng.randint(20, 60 * 28))
    concern = Concern(
        school=school,
        kind=kind,
        author=people.author,
        author_name=people.author_name,
        author_role=people.author_role,
        transcribed_by=people.dsl if kind in (ConcernKind.VERBAL, ConcernKind.PAPER) else None,
        recorded_at=recorded_at,
        first_recorded_at=written_at if kind == ConcernKind.PAPER else None,
        idempotency_key=uuid.uuid5(NAMESPACE, f"{school.pk}:{term.academic_year}:{term.name}:{index}"),
        happened_at=written_at - timedelta(hours=rng.randint(1, 30) if late else rng.randint(0, 3), minutes=15),
        location="Fictional demo record",
        people_present="Fictional demo record: nobody real.",
        source_type=SourceType.FIRST_HAND,
        account="Fictional demo record. In a real school the person who raised it writes here what they saw and "
        "heard, in full.",
        is_late=late,
        is_immediate=level_code == "level_4",
        status=ConcernStatus.ACKNOWLEDGED,
        acknowledged_at=acknowledged_at if acknowledged_at < now else None,
        acknowledged_by=people.dsl if acknowledged_at < now else None,
    )
    number = len(batch.concerns)
    batch.concerns.append(concern)
    _pupils(batch, number, rng, pupils, group.code)
    for code in dict.fromkeys(codes):
        batch.categories.append((number, code, CategoryChoice.REPORTER))
    if kind == ConcernKind.DOMESTIC_ABUSE_NOTIFICATION:
        batch.notifications.append(number)
    batch.chronology.append((number, ChronologyKind.CONCERN_RAISED, recorded_at, "Concern recorded (fictional)."))
    if triaged_at >= now:
        return
    _triage(batch, number, concern, rng, group, level_code, triaged_at, levels)
    last_done = _respond(batch, number, rng, level_code, codes, group.code, triaged_at, now)
    _settle(batch, number, concern, rng, last_done, people, now)


def _categories(rng):
    """What the concern is about: a group of harm by its weight and one of its categories, and now and then a second
    category from any group. The group comes back with the codes."""
    group_code = _pick(rng, GROUP_WEIGHTS)
    group = next(g for g in categories.GROUPS if g.code == group_code)
    codes = [rng.choice(group.categories).code]
    if rng.random() < 0.25:
        codes.append(rng.choice(categories.GROUPS[rng.randrange(len(categories.GROUPS))].categories).code)
    return group, codes


def _kind(rng, codes):
    """How it came in: mostly raised by a member of staff; now and then a police domestic abuse notification (about
    domestic abuse alone), an account given verbally or a paper form. The codes come back, as the kind leaves them."""
    if rng.random() < 0.06:
        return ConcernKind.DOMESTIC_ABUSE_NOTIFICATION, ["domestic_abuse"]
    if rng.random() < 0.05:
        return ConcernKind.VERBAL, codes
    if rng.random() < 0.04:
        return ConcernKind.PAPER, codes
    return ConcernKind.CONCERN, codes


def _timing(rng, kind, recorded_at):
    """Whether it was recorded late, when it was written and when the DSL team acknowledged it."""
    # R12: only a person's own account can be late; a police notification never is.
    late = kind in OWN_ACCOUNT_KINDS and rng.random() < 0.07
    # A paper form is written first and entered by the DSL team later: lateness runs from when it was written.
    written_at = recorded_at - timedelta(hours=rng.randint(1, 20)) if kind == ConcernKind.PAPER else recorded_at
    acknowledged_at = recorded_at + timedelta(minutes=rng.choice([4, 8, 12, 15, 20, 30, 45, 70, 120]))
    return late, written_at, acknowledged_at


def _level(rng, codes, kind) -> str:
    """The level of need it is triaged at: by its weight, but FGM and a police notification at level 3 or 4."""
    level_code = _pick(rng, LEVEL_WEIGHTS)
    if "fgm" in codes or kind == ConcernKind.DOMESTIC_ABUSE_NOTIFICATION:
        level_code = "level_3" if rng.random() < 0.5 else "level_4"
    return level_code


def _pupils(batch, number, rng, pupils, group_code) -> None:
    """Who it is about: one pupil; for child-on-child, often another named as the alleged perpetrator."""
    subject = rng.choice(pupils)
    batch.links.append((number, subject, PupilRole.SUBJECT))
    if group_code == "child_on_child" and rng.random() < 0.6:
        other = rng.choice(pupils)
        if other.pk != subject.pk:
            batch.links.append((number, other, PupilRole.ALLEGED_PERPETRATOR))


def _triage(batch, number, concern, rng, group, level_code, triaged_at, levels) -> None:
    """Its triage, now and then with the DSL team re-categorising it (R9: the reporter's choice stays)."""
    if rng.random() < 0.08:
        batch.categories.append((number, rng.choice(group.categories).code, CategoryChoice.DSL))
    batch.triages.append((number, level_code, triaged_at))
    concern.status = ConcernStatus.TRIAGED
    batch.chronology.append((number, ChronologyKind.TRIAGED, triaged_at, f"Triaged: {levels[level_code].label}."))


def _respond(batch, number, rng, level_code, codes, group_code, triaged_at, now):
    """The DSL team's decisions and actions after triage, each action done only if it was by `now` (an "LA decision
    received?" task done records the local authority's decision, R30). Returns when the last action was done, or
    None while one is still open."""
    last_done = triaged_at
    for kind_, decision_kind, due, done in _responses(rng, level_code, codes, group_code, triaged_at):
        if decision_kind:
            batch.decisions.append((number, decision_kind, triaged_at))
        if kind_:
            done = done if done and done < now else None
            fields = {}
            if kind_ == ActionKind.CSC_DECISION_CHASE and done is not None:
                fields = _la_decision(rng, level_code, done)
            batch.actions.append((number, kind_, triaged_at, due, done, fields))
            if done is None:
                last_done = None
            elif last_done is not None:
                last_done = max(last_done, done)
    return last_done


def _settle(batch, number, concern, rng, last_done, people, now) -> None:
    """Where it stands by `now`: its actions open, closed some days after the last was done, or monitored."""
    if batch.actions and batch.actions[-1][0] == number:
        concern.status = ConcernStatus.ACTIONS_OPEN
    closing = (last_done or now) + timedelta(days=rng.randint(7, 40))
    if last_done is not None and closing < now:
        concern.status = ConcernStatus.CLOSED
        concern.closed_at, concern.closed_by = closing, people.dsl
        concern.outcome_summary = "Fictional demo record: closed once the actions were done."
        batch.chronology.append((number, ChronologyKind.CLOSED, closing, "Concern closed (fictional)."))
    elif last_done is not None:
        concern.status = ConcernStatus.MONITORING


def _la_decision(rng, level_code, done: datetime) -> dict:
    """What the local authority decided, recorded when the "LA decision received?" task was done (R30): the decision
    of the day it came, with a fictional social worker when it brings one."""
    outcome = _pick(rng, LA_OUTCOME_WEIGHTS.get(level_code, LA_OUTCOME_WEIGHTS["level_3"]))
    fields = {"la_outcome": outcome, "la_decided_on": timezone.localtime(done).date()}
    if outcome in LA_OUTCOMES_WITH_SOCIAL_WORKER:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        fields["social_worker"] = f"{name} (fictional), Children's Social Care"
    return fields


def _responses(rng, level_code, codes, group_code, at):
    """What the DSL team did after triage: (action kind, decision kind, due, done)."""
    responses = []
    next_day_close = calendar.close_of_next_working_day(at)

    def took(hours_low, hours_high):
        return at + timedelta(hours=rng.uniform(hours_low, hours_high))

    if level_code == "level_4":
        responses.append((ActionKind.CSC_REFERRAL_PHONE, DecisionKind.REFER_CSC, at, at + timedelta(minutes=20)))
        responses.append((ActionKind.CSC_WRITTEN_FOLLOW_UP, None, at + timedelta(hours=48), took(6, 56)))
        responses.append((ActionKind.CSC_DECISION_CHASE, None, next_day_close, took(4, 40)))
        if rng.random() < 0.3:
            responses.append((ActionKind.POLICE_NON_EMERGENCY, DecisionKind.REFER_POLICE, at, took(1, 6)))
    elif level_code == "level_3":
        if rng.random() < 0.7:
            responses.append((ActionKind.CSC_REFERRAL_ONLINE, DecisionKind.REFER_CSC, at, took(1, 8)))
            responses.append((ActionKind.CSC_DECISION_CHASE, None, next_day_close, took(6, 40)))
        else:
            responses.append((None, DecisionKind.NOT_REFER_CSC, None, None))
            responses.append((ActionKind.EHA_TAF, DecisionKind.EARLY_HELP, at + timedelta(days=10), took(24, 300)))
    elif level_code == "level_2":
        responses.append((ActionKind.EHA_TAF, DecisionKind.EARLY_HELP, at + timedelta(days=10), took(24, 300)))
    elif level_code == "level_1":
        responses.append((ActionKind.PASTORAL_SUPPORT, DecisionKind.MONITOR, at + timedelta(days=7), took(24, 200)))
    else:
        responses.append((None, DecisionKind.NO_FURTHER_ACTION, None, None))
    if "radicalisation" in codes:
        responses.append((ActionKind.PREVENT_ADVICE, None, next_day_close, took(2, 30)))
        refer = rng.random() < 0.5
        responses.append(
            (
                ActionKind.PREVENT_REFERRAL if refer else None,
                DecisionKind.REFER_PREVENT if refer else DecisionKind.NOT_REFER_PREVENT,
                None,
                took(5, 60) if refer else None,
            )
        )
    if "fgm" in codes:
        responses.append((ActionKind.FGM_REPORT, None, next_day_close, took(2, 20)))
    if any(code in SEXUAL_CHILD_ON_CHILD for code in codes):
        for kind in (ActionKind.RISK_ASSESSMENT_VICTIM, ActionKind.RISK_ASSESSMENT_PERPETRATOR):
            responses.append((kind, None, next_day_close, took(3, 34)))
    return responses


@transaction.atomic
def write_batch(batch: Batch, people: People, levels) -> None:
    concerns = Concern.objects.bulk_create(batch.concerns, batch_size=500)
    ConcernPupil.objects.bulk_create(
        [ConcernPupil(concern=concerns[n], pupil=pupil, role=role) for n, pupil, role in batch.links], batch_size=500
    )
    ConcernCategory.objects.bulk_create(
        [ConcernCategory(concern=concerns[n], code=code, chosen_by=by) for n, code, by in batch.categories],
        batch_size=500,
        ignore_conflicts=True,
    )
    DomesticAbuseNotification.objects.bulk_create(
        [
            DomesticAbuseNotification(
                concern=concerns[n], police_reference=f"DEMO-{concerns[n].pk:05d}", child_present=False
            )
            for n in batch.notifications
        ]
    )
    by = {"triaged_by": people.dsl, "triaged_by_name": people.dsl_name, "triaged_by_role": people.dsl_role}
    Triage.objects.bulk_create(
        [
            Triage(concern=concerns[n], level=levels[code], rationale="Fictional demo record.", triaged_at=at, **by)
            for n, code, at in batch.triages
        ],
        batch_size=500,
    )
    Decision.objects.bulk_create(
        [
            Decision(
                concern=concerns[n],
                kind=kind,
                rationale="Fictional demo record.",
                decided_by=people.dsl,
                decided_by_name=people.dsl_name,
                decided_by_role=people.dsl_role,
                decided_at=at,
            )
            for n, kind, at in batch.decisions
        ],
        batch_size=500,
    )
    Action.objects.bulk_create(
        [
            Action(
                school=concerns[n].school,
                concern=concerns[n],
                kind=kind,
                owner=people.dsl,
                created_by=people.dsl,
                created_at=created,
                due_at=due,
                status="done" if done else "open",
                completed_at=done,
                completed_by=people.dsl if done else None,
                outcome="Fictional demo record." if done else "",
                reassignable=kind != ActionKind.FGM_REPORT,
                **fields,
            )
            for n, kind, created, due, done, fields in batch.actions
        ],
        batch_size=500,
    )
    subjects = {n: pupil for n, pupil, role in batch.links if role == PupilRole.SUBJECT}
    ChronologyEntry.objects.bulk_create(
        [
            ChronologyEntry(
                pupil=subjects[n],
                concern=concerns[n],
                kind=kind,
                occurred_at=at,
                summary=summary,
                author=people.dsl,
                author_name=people.dsl_name,
                author_role=people.dsl_role,
            )
            for n, kind, at, summary in batch.chronology
        ],
        batch_size=500,
    )
