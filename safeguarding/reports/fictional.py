"""Fictional schools' past terms, for the demo's reports (load_demo) and for benchmarks at volume (generate_volume).

Everything here is invented: pupils are drawn from lists of common names, events are spread at random (with a fixed
seed, so the same every time) and every account of a concern says it is fictional. The records are written with
bulk_create: they stand for history that happened before the demo was loaded, so no alert is sent, no reminder is
queued, and the audit log does not fill with thousands of creations by nobody. Nothing here is used on real data.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from concerns import categories
from concerns.demo_pupils import FIRST_NAMES, LAST_NAMES, upn_check_letter
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
    FileTransfer,
    FlagKind,
    LaOutcome,
    LevelOfNeed,
    Pupil,
    PupilFlag,
    PupilRole,
    SourceType,
    TransferDirection,
    TransferMethod,
    Triage,
)
from safeguarding import calendar
from safeguarding.models import School, Term, TermName, User

from .periods import academic_year_on

NAMESPACE = uuid.UUID("0c2f6a54-8d1e-4b7a-a3f5-6e21c9b4d870")

# How often each kind of concern comes up (roughly a secondary school's mix), and how serious each turns out.
GROUP_WEIGHTS = {
    "abuse_neglect": 22,
    "child_on_child": 18,
    "health_wellbeing": 16,
    "home_family": 14,
    "education_absence": 10,
    "images_online": 8,
    "exploitation_violence": 4,
    "other": 4,
    "harmful_practices": 2,
    "extremism": 2,
}
LEVEL_WEIGHTS = {"information_only": 14, "level_1": 34, "level_2": 26, "level_3": 16, "level_4": 10}
# What the local authority decides about a referral to children's social care (R30), by the level it was made at.
LA_OUTCOME_WEIGHTS = {
    "level_4": {
        LaOutcome.SECTION_47: 55,
        LaOutcome.SECTION_17: 25,
        LaOutcome.EARLY_HELP: 5,
        LaOutcome.NO_FURTHER_ACTION: 10,
        LaOutcome.OTHER: 5,
    },
    "level_3": {
        LaOutcome.SECTION_47: 10,
        LaOutcome.SECTION_17: 35,
        LaOutcome.EARLY_HELP: 30,
        LaOutcome.NO_FURTHER_ACTION: 20,
        LaOutcome.OTHER: 5,
    },
}
SEXUAL_CHILD_ON_CHILD = ("sexual_harassment", "harmful_sexual_behaviour", "sexual_violence")


# --- Term dates -------------------------------------------------------------------------------------------------


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _friday_on_or_before(day: date) -> date:
    while day.weekday() != 4:
        day -= timedelta(days=1)
    return day


def _week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=4)


def term_dates(first_year: int) -> list[dict]:
    """Plausible English term dates for the academic year starting in `first_year`, with half terms."""
    last_monday_of_may = date(first_year + 1, 5, 31) - timedelta(days=date(first_year + 1, 5, 31).weekday())
    autumn_half = _week_of(date(first_year, 10, 27))
    spring_half = _week_of(date(first_year + 1, 2, 16))
    summer_half = _week_of(last_monday_of_may)
    return [
        {
            "name": TermName.AUTUMN,
            "starts_on": _weekday_on_or_after(date(first_year, 9, 3)),
            "ends_on": _friday_on_or_before(date(first_year, 12, 19)),
            "half_term_starts_on": autumn_half[0],
            "half_term_ends_on": autumn_half[1],
        },
        {
            "name": TermName.SPRING,
            "starts_on": _weekday_on_or_after(date(first_year + 1, 1, 5)),
            "ends_on": _friday_on_or_before(date(first_year + 1, 3, 27)),
            "half_term_starts_on": spring_half[0],
            "half_term_ends_on": spring_half[1],
        },
        {
            "name": TermName.SUMMER,
            "starts_on": _weekday_on_or_after(date(first_year + 1, 4, 13)),
            "ends_on": _friday_on_or_before(date(first_year + 1, 7, 22)),
            "half_term_starts_on": summer_half[0],
            "half_term_ends_on": summer_half[1],
        },
    ]


def ensure_terms(school: School, first_years: list[int]) -> list[Term]:
    """The school's terms for those academic years: each added unless it, or a term over the same days, is there."""
    terms = []
    for first_year in first_years:
        academic_year = f"{first_year}-{(first_year + 1) % 100:02d}"
        for dates in term_dates(first_year):
            existing = Term.objects.filter(school=school, academic_year=academic_year, name=dates["name"]).first()
            if existing is None:
                overlapping = Term.objects.filter(
                    school=school, starts_on__lte=dates["ends_on"], ends_on__gte=dates["starts_on"]
                ).exists()
                if overlapping:
                    continue
                existing = Term(school=school, academic_year=academic_year, **dates)
                existing.full_clean()
                existing.save()
            terms.append(existing)
    return terms


# --- Pupils -----------------------------------------------------------------------------------------------------


def add_pupils(school: School, *, count: int, seed: int, establishment: str, year_groups=(7, 8, 9, 10, 11)) -> int:
    """`count` fictional pupils, none if the school has pupils already. UPNs use a made-up authority (999)."""
    if Pupil.objects.filter(school=school).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 (fictional data; nothing secret)
    today = timezone.localdate()
    first_year = today.year if today.month >= 9 else today.year - 1
    pupils, upns = [], set()
    for slot in range(count):
        year_group = year_groups[slot % len(year_groups)]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        born_from = date(first_year - 5 - year_group, 9, 1)
        while True:
            digits = f"999{establishment}{(born_from.year + 5) % 100:02d}{rng.randrange(1, 1000):03d}"
            upn = upn_check_letter(digits) + digits
            if upn not in upns:
                break
        upns.add(upn)
        pupils.append(
            Pupil(
                school=school,
                legal_first_name=first,
                legal_last_name=last,
                date_of_birth=born_from + timedelta(days=rng.randrange(365)),
                upn=upn,
                year_group=year_group,
                form=f"{year_group}{'ABCD'[slot // len(year_groups) % 4]}",
                search_text=f"{first.lower()} {last.lower()}",
            )
        )
    Pupil.objects.bulk_create(pupils, batch_size=500)
    return len(pupils)


# --- History ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """Who the fictional history names: the account each record points to, with the name and role it shows."""

    author: User
    author_name: str
    author_role: str
    dsl: User
    dsl_name: str
    dsl_role: str = "Designated Safeguarding Lead"


def _school_days(term: Term, until: date) -> list[date]:
    days = []
    day = term.starts_on
    while day <= min(term.ends_on, until):
        in_half_term = term.half_term_starts_on and term.half_term_starts_on <= day <= term.half_term_ends_on
        if calendar.is_working_day(day) and not in_half_term:
            days.append(day)
        day += timedelta(days=1)
    return days


def _aware(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Batch:
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


def add_history(
    school: School,
    *,
    term: Term,
    count: int,
    pupils: list[Pupil],
    people: People,
    seed: int,
    now: datetime | None = None,
) -> int:
    """About `count` fictional concerns recorded in `term` (to today at most), with their triage, decisions,
    referrals, statutory deadlines (some missed) and closing. Nothing is added if this term's history is there."""
    now = now or timezone.now()
    first_key = uuid.uuid5(NAMESPACE, f"{school.pk}:{term.academic_year}:{term.name}:0")
    if Concern.objects.filter(idempotency_key=first_key).exists() or not pupils:
        return 0
    days = _school_days(term, timezone.localtime(now).date())
    if not days:
        return 0
    if term.starts_on <= timezone.localtime(now).date() <= term.ends_on:
        count = max(1, round(count * len(days) / max(1, len(_school_days(term, term.ends_on)))))
    # A child in the history was on this school's roll then: no Year 7 of today in last year's concerns.
    years_since = int(academic_year_on(timezone.localtime(now).date())[:4]) - int(term.academic_year[:4])
    youngest = min(p.year_group for p in pupils)
    pupils = [p for p in pupils if p.year_group - years_since >= youngest] or pupils
    rng = random.Random(seed)  # noqa: S311 (fictional data; nothing secret)
    levels = {level.code: level for level in LevelOfNeed.objects.all()}
    batch = _Batch()
    for index in range(count):
        recorded_at = _aware(rng.choice(days), rng.randint(8, 15), rng.randint(0, 59))
        if recorded_at >= now:
            continue
        _one_concern(batch, index, school, term, recorded_at, rng, pupils, people, levels, now)
    _write(batch, people, levels)
    return len(batch.concerns)


def _one_concern(batch, index, school, term, recorded_at, rng, pupils, people, levels, now) -> None:
    group_code = _pick(rng, GROUP_WEIGHTS)
    group = next(g for g in categories.GROUPS if g.code == group_code)
    codes = [rng.choice(group.categories).code]
    if rng.random() < 0.25:
        codes.append(rng.choice(categories.GROUPS[rng.randrange(len(categories.GROUPS))].categories).code)
    kind = ConcernKind.CONCERN
    if rng.random() < 0.06:
        kind, codes = ConcernKind.DOMESTIC_ABUSE_NOTIFICATION, ["domestic_abuse"]
    elif rng.random() < 0.05:
        kind = ConcernKind.VERBAL
    elif rng.random() < 0.04:
        kind = ConcernKind.PAPER
    # R12: only a person's own account can be late; a police notification never is.
    late = kind in OWN_ACCOUNT_KINDS and rng.random() < 0.07
    # A paper form is written first and entered by the DSL team later: lateness runs from when it was written.
    written_at = recorded_at - timedelta(hours=rng.randint(1, 20)) if kind == ConcernKind.PAPER else recorded_at
    acknowledged_at = recorded_at + timedelta(minutes=rng.choice([4, 8, 12, 15, 20, 30, 45, 70, 120]))
    level_code = _pick(rng, LEVEL_WEIGHTS)
    if "fgm" in codes or kind == ConcernKind.DOMESTIC_ABUSE_NOTIFICATION:
        level_code = "level_3" if rng.random() < 0.5 else "level_4"
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
    subject = rng.choice(pupils)
    batch.links.append((number, subject, PupilRole.SUBJECT))
    if group_code == "child_on_child" and rng.random() < 0.6:
        other = rng.choice(pupils)
        if other.pk != subject.pk:
            batch.links.append((number, other, PupilRole.ALLEGED_PERPETRATOR))
    for code in dict.fromkeys(codes):
        batch.categories.append((number, code, CategoryChoice.REPORTER))
    if kind == ConcernKind.DOMESTIC_ABUSE_NOTIFICATION:
        batch.notifications.append(number)
    batch.chronology.append((number, ChronologyKind.CONCERN_RAISED, recorded_at, "Concern recorded (fictional)."))
    if triaged_at >= now:
        return
    if rng.random() < 0.08:
        # Re-categorised by the DSL team (R9): the reporter's choice stays.
        batch.categories.append((number, rng.choice(group.categories).code, CategoryChoice.DSL))
    batch.triages.append((number, level_code, triaged_at))
    concern.status = ConcernStatus.TRIAGED
    batch.chronology.append((number, ChronologyKind.TRIAGED, triaged_at, f"Triaged: {levels[level_code].label}."))
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
def _write(batch: _Batch, people: People, levels) -> None:
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


FLAG_SHARES = {
    FlagKind.CHILD_PROTECTION: 0.025,
    FlagKind.CHILD_IN_NEED: 0.04,
    FlagKind.LOOKED_AFTER: 0.02,
    FlagKind.PREVIOUSLY_LOOKED_AFTER: 0.012,
    FlagKind.EARLY_HELP: 0.05,
}


FICTIONAL_SCHOOLS = ("Brookfield Academy", "Meadowbank School", "Oakley Vale School", "St Cuthbert's High School")


def _leaver(school: School, rng: random.Random, left_on: date, taken: set[str]) -> Pupil:
    """A fictional pupil who left on `left_on` (off the roll), made for a CP file sent on: a file sent to the next
    school never belongs to a child still on this school's roll. Not saved; UPNs in `taken` are avoided."""
    year_group = rng.choice((7, 8, 9, 10, 11))
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    while (upn := upn_check_letter(digits := f"999{rng.randrange(10**9):09d}") + digits) in taken:
        pass
    taken.add(upn)
    year_began = left_on.year if left_on.month >= 9 else left_on.year - 1
    return Pupil(
        school=school,
        legal_first_name=first,
        legal_last_name=last,
        date_of_birth=date(year_began - 5 - year_group, 9, 1) + timedelta(days=rng.randrange(365)),
        upn=upn,
        year_group=year_group,
        on_roll=False,
        left_on=left_on,
        search_text=f"{first.lower()} {last.lower()}",
    )


def add_transfers(school: School, *, term: Term, pupils: list[Pupil], people: People, seed: int) -> int:
    """CP files sent and received in `term` (to today at most), R55 and R58: a few each way, most sent within the
    5 school days, some late. Files sent belong to fictional leavers made for them (off the roll); files received,
    to pupils on the roll. Every one is finished (sent, receipt confirmed both ways), so nothing waits in a queue
    and no task is made. Nothing is added if the term already has transfers."""
    today = timezone.localdate()
    term_end = min(term.ends_on, today)
    recorded = FileTransfer.objects.filter(school=school, recorded_at__date__gte=term.starts_on)
    if recorded.filter(recorded_at__date__lte=term.ends_on).exists() or not pupils:
        return 0
    days = _school_days(term, term_end)
    if not days:
        return 0
    rng = random.Random(seed)  # noqa: S311 (fictional data; nothing secret)
    school_calendar = calendar.SchoolCalendar.for_school(school)
    methods = list(TransferMethod.values)
    rows = []

    def row(pupil, direction, on, **fields):
        return FileTransfer(
            school=school,
            pupil=pupil,
            direction=direction,
            other_school=rng.choice(FICTIONAL_SCHOOLS),
            method=rng.choice(methods),
            recorded_by=people.dsl,
            recorded_by_name=people.dsl_name,
            recorded_by_role=people.dsl_role,
            recorded_at=_aware(on, 12, 0),
            **fields,
        )

    taken = set(Pupil.objects.filter(school=school).values_list("upn", flat=True))
    for _ in range(rng.randint(5, 9)):
        left_on = rng.choice(days)
        due_on = school_calendar.transfer_due(left_on)
        # Most go within the 5 school days; about one in six a few days late.
        sent_on = left_on + timedelta(days=rng.randint(1, 6)) if rng.random() < 0.83 else due_on + timedelta(days=3)
        confirmed_on = sent_on + timedelta(days=rng.randint(0, 3))
        if confirmed_on > term_end:
            continue
        leaver = _leaver(school, rng, left_on, taken)
        leaver.save()
        rows.append(
            row(
                leaver,
                TransferDirection.OUT,
                left_on,
                due_on=due_on,
                sent_on=sent_on,
                receipt_confirmed_by="Fictional DSL, Designated Safeguarding Lead",
                receipt_confirmed_on=confirmed_on,
            )
        )
    for pupil in rng.sample(pupils, min(len(pupils), rng.randint(4, 8))):
        received_on = rng.choice(days)
        rows.append(
            row(
                pupil,
                TransferDirection.IN,
                received_on,
                received_on=received_on,
                confirmation_sent_on=min(received_on + timedelta(days=rng.randint(0, 1)), term_end),
            )
        )
    FileTransfer.objects.bulk_create(rows)
    return len(rows)


def add_flags(school: School, *, pupils: list[Pupil], people: People, seed: int, since: date) -> int:
    """Plans and statuses over the terms since `since`: some begun, some ended. None if the school has flags."""
    if PupilFlag.objects.filter(school=school).exists() or not pupils:
        return 0
    rng = random.Random(seed)  # noqa: S311 (fictional data; nothing secret)
    today = timezone.localdate()
    span = (today - since).days
    flags = []
    for kind, share in FLAG_SHARES.items():
        for pupil in rng.sample(pupils, max(1, round(len(pupils) * share * 1.6))):
            starts_on = since + timedelta(days=rng.randrange(max(1, span)))
            ends_on = starts_on + timedelta(days=rng.randint(60, 400)) if rng.random() < 0.35 else None
            flags.append(
                PupilFlag(
                    school=school,
                    pupil=pupil,
                    kind=kind,
                    starts_on=starts_on,
                    ends_on=ends_on if ends_on and ends_on < today else None,
                    source="Fictional demo record",
                    recorded_by=people.dsl,
                    recorded_by_name=people.dsl_name,
                    recorded_by_role=people.dsl_role,
                    recorded_at=timezone.make_aware(datetime.combine(starts_on, time(12))),
                )
            )
    PupilFlag.objects.bulk_create(flags, batch_size=500)
    return len(flags)
