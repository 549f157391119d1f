"""Changes to adult cases (R59–R77). Each function checks safeguarding/access.py, runs in one transaction and
writes the case's own timeline; nothing here touches a child's chronology except the linked welfare concern an
allegation opens for the DSL (R64), which names no adult."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from safeguarding import access, calendar, drafts
from safeguarding.models import Membership, Role, School, User

from .models import (
    EXTERNAL_EMPLOYMENT,
    AdultCase,
    AdultCaseSettings,
    AdultConcernDraft,
    CaseEntry,
    CaseKind,
    CaseMember,
    CaseStatus,
    CaseTask,
    EntryKind,
    Outcome,
    RecordsReview,
    TaskKind,
)
from .routing import route_case, subject_roles
from .selectors import find_patterns
from .tasks import remind_case_task, send_case_email

if TYPE_CHECKING:
    from concerns.models import Concern, Pupil


@dataclass
class AdultConcernInput:
    """What /raise/adult/ (or /raise/practice/) collected, cleaned. Who and when come from the request."""

    idempotency_key: uuid.UUID
    witnessed: str
    kind_hint: str = ""  # CaseKind.PRACTICE for whistleblowing; otherwise the harm tests decide
    subject_user: User | None = None
    subject_name: str = ""
    subject_role: str = ""
    employment: str = ""
    employer: str = ""
    self_referral: bool = False
    names_head: bool = False
    happened_at: datetime | None = None
    non_recent: bool = False
    location: str = ""
    people_present: str = ""
    said: str = ""
    theme: str = ""
    harmed: bool = False
    offence: bool = False
    risk_of_harm: bool = False
    unsuitable: bool = False
    conflict_of_interest: bool = False
    conflict_details: str = ""
    child: Pupil | None = None  # for the linked welfare concern (R64)


def _entry(case: AdultCase, user: User, kind: str, details: str, **fields: Any) -> CaseEntry:
    name, role = user.name_and_role_at(case.school)
    return CaseEntry.objects.create(
        case=case, kind=kind, details=details, author=user, author_name=name, author_role=role, **fields
    )


def _due_next_working_day(now: datetime) -> datetime:
    """R63: the LADO is consulted within one working day (decision 2: working days, not school days)."""
    return calendar.close_of_next_working_day(now)


def _open_task(case: AdultCase, kind: str, owner: User, due_at: datetime) -> CaseTask:
    existing = case.tasks.filter(kind=kind, completed_at__isnull=True).first()
    if existing:
        return existing
    created = CaseTask.objects.create(case=case, kind=kind, owner=owner, due_at=due_at)
    remind_case_task.using(run_after=due_at).enqueue(created.pk)
    return created


def _kind_for(data: AdultConcernInput) -> str:
    if data.kind_hint == CaseKind.PRACTICE:
        return CaseKind.PRACTICE
    meets = data.harmed or data.offence or data.risk_of_harm or data.unsuitable
    return CaseKind.ALLEGATION if meets else CaseKind.LOW_LEVEL


@transaction.atomic
def adult_concern_raise(*, reporter: User, school: School, data: AdultConcernInput) -> AdultCase:
    """R59–R62, R71–R72, R18: saves the reporter's signed record, routes it, opens its deadlines and tells the case
    manager (only that something waits). Sending the same form twice returns the first case."""
    if not access.can_raise_adult_concern(reporter, school):
        raise PermissionDenied
    drafts.lock_author(reporter)  # a draft save arriving now waits, then finds the case sent
    existing = AdultCase.objects.filter(idempotency_key=data.idempotency_key).first()
    if existing is not None:
        if existing.reporter_id != reporter.pk:
            raise PermissionDenied
        # A draft save that was on its way when Send was pressed may have landed after the case: it goes too.
        AdultConcernDraft.objects.filter(author=reporter, idempotency_key=data.idempotency_key).delete()
        return existing

    kind = _kind_for(data)
    subject = reporter if data.self_referral else data.subject_user
    if subject is not None and not Membership.objects.filter(user=subject, school=school).exists():
        raise ValidationError("Choose the adult from the list of people at your school, or type their details.")
    held = subject_roles(school, subject)
    subject_is_head = Role.HEADTEACHER in held or (kind == CaseKind.PRACTICE and data.names_head)
    subject_is_dsl = Role.DSL in held or Role.DEPUTY_DSL in held
    routing = route_case(
        school=school,
        kind=kind,
        subject=subject,
        subject_is_head=subject_is_head,
        subject_is_dsl=subject_is_dsl,
        conflict_of_interest=data.conflict_of_interest,
    )
    name, role = reporter.name_and_role_at(school)
    if subject is not None:
        subject_name, subject_role = subject.name_and_role_at(school)
    else:
        subject_name, subject_role = data.subject_name, data.subject_role
    case = AdultCase(
        school=school,
        kind=kind,
        idempotency_key=data.idempotency_key,
        subject_user=subject,
        subject_name=subject_name if kind != CaseKind.PRACTICE else "",
        subject_role=subject_role if kind != CaseKind.PRACTICE else "",
        employment=data.employment if kind != CaseKind.PRACTICE else "",
        employer=data.employer if data.employment in EXTERNAL_EMPLOYMENT else "",
        subject_is_head=subject_is_head,
        subject_is_dsl=subject_is_dsl,
        reporter=reporter,
        reporter_name=name,
        reporter_role=role,
        raised_at=timezone.now(),
        self_referral=data.self_referral,
        happened_at=data.happened_at,
        non_recent=data.non_recent,
        location=data.location,
        people_present=data.people_present,
        witnessed=data.witnessed,
        said=data.said,
        theme=data.theme if kind == CaseKind.LOW_LEVEL else "",
        harmed=data.harmed,
        offence=data.offence,
        risk_of_harm=data.risk_of_harm,
        unsuitable=data.unsuitable,
        conflict_of_interest=data.conflict_of_interest,
        conflict_details=data.conflict_details if data.conflict_of_interest else "",
        reported_to_lado_directly=routing.to_lado,
        route=routing.route,
        case_manager=routing.case_manager,
        routing_reason=routing.reason,
    )
    case.full_clean()
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        return AdultCase.objects.get(idempotency_key=data.idempotency_key, reporter=reporter)

    routed = f"Reported by {name} ({role}){' about themselves' if data.self_referral else ''}. {routing.reason}"
    _entry(case, reporter, EntryKind.ROUTED, routed)
    now = case.raised_at
    if kind == CaseKind.ALLEGATION:
        _open_task(case, TaskKind.LADO_CONSULTATION, routing.case_manager, _due_next_working_day(now))
        if data.child is not None:
            case.linked_concern = _open_welfare_concern(case=case, reporter=reporter, child=data.child, data=data)
            case.save(update_fields=["linked_concern"])
    if kind != CaseKind.PRACTICE and case.employment in EXTERNAL_EMPLOYMENT:
        _open_task(case, TaskKind.NOTIFY_EMPLOYER, routing.case_manager, _due_next_working_day(now))
    send_case_email.enqueue(case.pk, routing.case_manager.pk, "new")
    if kind == CaseKind.LOW_LEVEL:
        _check_patterns(case)
    AdultConcernDraft.objects.filter(author=reporter, idempotency_key=data.idempotency_key).delete()
    return case


@transaction.atomic
def draft_save(
    *, user: User, school: School, form: str, idempotency_key: uuid.UUID, data: dict
) -> AdultConcernDraft | None:
    """Keeps what the person has typed so far into a form about an adult; only they see it. None when the form was
    sent already: a save still on its way when Send was pressed must not bring a sent concern back as a draft."""
    if not access.can_raise_adult_concern(user, school):
        raise PermissionDenied
    drafts.lock_author(user)
    sent_by = AdultCase.objects.filter(idempotency_key=idempotency_key).values_list("reporter_id", flat=True).first()
    return drafts.save(
        AdultConcernDraft,
        user=user,
        school=school,
        idempotency_key=idempotency_key,
        data=data,
        sent_by=sent_by,
        form=form,
    )


def draft_discard(*, user: User, idempotency_key: uuid.UUID) -> None:
    drafts.discard(AdultConcernDraft, user=user, idempotency_key=idempotency_key)


def _open_welfare_concern(*, case: AdultCase, reporter: User, child: Pupil, data: AdultConcernInput) -> Concern:
    """R64: the child's safety is the DSL's, so an allegation naming a child opens a concern on the DSL's queue.
    It names no adult and does not link back: the details stay behind the wall with the case manager."""
    from concerns.categories import OTHER
    from concerns.models import ConcernKind
    from concerns.services import raising as concern_raising

    if child.school_id != case.school_id:
        raise ValidationError("Choose the child from your own school's roll.")
    happened = data.happened_at or case.raised_at
    return concern_raising.concern_raise(
        author=reporter,
        school=case.school,
        data=concern_raising.ConcernInput(
            idempotency_key=uuid.uuid5(case.idempotency_key, "welfare"),
            subject=child,
            happened_at=happened,
            location=data.location or "Not given",
            people_present="Not recorded here: the case manager holds the details.",
            source_type="first_hand",
            account=(
                "An allegation has been made that an adult who works in or for the school has harmed or may have "
                "harmed this child, or has behaved in a way that may put children at risk. The allegation itself "
                "is held apart by the case manager under Section 9 of the policy. Please make sure the child is "
                "safe now, and decide whether children's social care or the police must be told."
            ),
            category_codes=[OTHER],
            other_category="Allegation about an adult (policy Section 9)",
            is_immediate=data.harmed or data.offence,
            # Not flagged "involves an adult": that flag sends the author back to report the adult, already done.
            involves_adult=False,
        ),
        withheld_from=case.subject_user,
        kind=ConcernKind.ALLEGATION_WELFARE,  # made by the app, not a person's own account: never "late" (R12)
    )


def _check_patterns(case: AdultCase) -> None:
    """R76: two or more low-level concerns about one person in the window, or one theme across several people,
    alert the decision maker and open a review task."""
    settings = AdultCaseSettings.for_school(case.school)
    since = case.raised_at - timedelta(days=settings.pattern_window_days)
    # Only among the cases this decision maker holds: counting others' would hint at cases they may not read.
    recent = list(
        AdultCase.objects.filter(
            school=case.school, kind=CaseKind.LOW_LEVEL, raised_at__gte=since, case_manager=case.case_manager
        )
    )
    if any(case in pattern.cases for pattern in find_patterns(recent, settings)):
        _open_task(case, TaskKind.PATTERN_REVIEW, case.case_manager, calendar.close_of_next_working_day(case.raised_at))
        send_case_email.enqueue(case.pk, case.case_manager.pk, "pattern")


def _refuse_unless_manager(user: User, case: AdultCase) -> None:
    if not access.can_manage_adult_case(user, case):
        raise PermissionDenied


def _refuse_if_closed(case: AdultCase) -> None:
    if not case.is_open:
        raise ValidationError("This case is closed. Reopen it first, with a reason.")


@transaction.atomic
def entry_add(
    *, user: User, case: AdultCase, kind: str, details: str, on: date, reference: str = "", person: str = ""
) -> CaseEntry:
    """R63, R65, R67: the case manager's dated record of what was done."""
    _refuse_unless_manager(user, case)
    _refuse_if_closed(case)
    if on > timezone.localdate():
        raise ValidationError("The date cannot be in the future.")
    return _entry(case, user, kind, details, on=on, reference=reference, person=person)


@transaction.atomic
def task_complete(
    *, user: User, task: CaseTask, outcome: str, referred: bool | None = None, reference: str = ""
) -> CaseTask:
    """R63: the LADO consultation needs the reference, advice and agreed course, or the reason for not referring;
    R75: who at the employer was told and when."""
    case = task.case
    if not (
        access.can_manage_adult_case(user, case)
        or (task.owner_id == user.pk and access.can_view_adult_case(user, case))
    ):
        raise PermissionDenied
    task = CaseTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if not task.is_open:
        raise ValidationError("This task is already done.")
    if not outcome.strip():
        raise ValidationError("Say what was done.")
    if task.kind == TaskKind.LADO_CONSULTATION:
        if referred is None:
            raise ValidationError("Say whether the case was referred to the LADO.")
        if referred and not reference.strip():
            raise ValidationError("Give the LADO reference.")
    name, _ = user.name_and_role_at(case.school)
    task.completed_at = timezone.now()
    task.completed_by_name = name
    task.outcome, task.referred, task.reference = outcome, referred, reference
    task.save()
    if task.kind == TaskKind.LADO_CONSULTATION:
        what = "Referred to the LADO" if referred else "Decided not to refer to the LADO"
        _entry(case, user, EntryKind.LADO, f"{what}. {outcome}", reference=reference)
    elif task.kind == TaskKind.NOTIFY_EMPLOYER:
        _entry(case, user, EntryKind.EMPLOYER_INFORMED, outcome)
    else:
        _entry(case, user, EntryKind.NOTE, f"Pattern of low-level concerns reviewed: {outcome}")
    return task


@transaction.atomic
def low_level_decide(*, user: User, case: AdultCase, decision: str, action_taken: str) -> AdultCase:
    """R73: the decision maker records the decision and the action taken."""
    _refuse_unless_manager(user, case)
    _refuse_if_closed(case)
    if case.kind != CaseKind.LOW_LEVEL:
        raise ValidationError("Only a low-level concern is decided this way.")
    if not decision.strip() or not action_taken.strip():
        raise ValidationError("Record both the decision and the action taken.")
    name, _ = user.name_and_role_at(case.school)
    case.decision, case.action_taken = decision, action_taken
    case.decided_at, case.decided_by_name = timezone.now(), name
    case.version += 1
    case.save()
    _entry(case, user, EntryKind.DECISION, f"{decision} Action taken: {action_taken}")
    return case


@transaction.atomic
def case_escalate(*, user: User, case: AdultCase, reason: str) -> AdultCase:
    """R74: a low-level concern that meets the harm threshold, on its own or as a pattern, becomes an allegation;
    its history stays on the same record. If the DSL decided it, the allegation goes to the Head (or Chair)."""
    _refuse_unless_manager(user, case)
    _refuse_if_closed(case)
    if case.kind != CaseKind.LOW_LEVEL:
        raise ValidationError("Only a low-level concern can be escalated.")
    if not reason.strip():
        raise ValidationError("Say why it now meets the harm threshold.")
    routing = route_case(
        school=case.school,
        kind=CaseKind.ALLEGATION,
        subject=case.subject_user,
        subject_is_head=case.subject_is_head,
        subject_is_dsl=case.subject_is_dsl,
        conflict_of_interest=case.conflict_of_interest,
    )
    case.kind = CaseKind.ALLEGATION
    previous_manager = case.case_manager
    if routing.case_manager.pk != previous_manager.pk:
        case.case_manager, case.route, case.routing_reason = routing.case_manager, routing.route, routing.reason
        CaseMember.objects.get_or_create(case=case, user=previous_manager, defaults={"added_by": user})
    case.version += 1
    case.save()
    _entry(case, user, EntryKind.ESCALATED, f"Escalated from a low-level concern to an allegation: {reason}")
    _open_task(case, TaskKind.LADO_CONSULTATION, case.case_manager, _due_next_working_day(timezone.now()))
    if case.case_manager.pk != user.pk:
        send_case_email.enqueue(case.pk, case.case_manager.pk, "new")
    return case


@transaction.atomic
def member_add(*, user: User, case: AdultCase, person: User) -> CaseMember:
    """The case manager shares a case (e.g. with the DSL, R73). Never with its subject (R61)."""
    _refuse_unless_manager(user, case)
    if access.is_adult_case_subject(person, case) or person.pk == case.case_manager_id:
        raise ValidationError("That person cannot be added to this case.")
    if not Membership.objects.filter(user=person, school=case.school).exists():
        raise ValidationError("Choose someone who works at the school.")
    member, created = CaseMember.objects.get_or_create(case=case, user=person, defaults={"added_by": user})
    if created:
        name, role = person.name_and_role_at(case.school)
        _entry(case, user, EntryKind.SHARED, f"Shared with {name} ({role}).")
        send_case_email.enqueue(case.pk, person.pk, "shared")
    return member


@transaction.atomic
def retention_set(
    *, user: User, case: AdultCase, retirement_on: date | None, left_employment_on: date | None
) -> AdultCase:
    """R80, R81: the dates the review date is computed from."""
    _refuse_unless_manager(user, case)
    case.retirement_on, case.left_employment_on = retirement_on, left_employment_on
    case.version += 1
    case.save(update_fields=["retirement_on", "left_employment_on", "version"])
    review = case.review_on()
    _entry(
        case,
        user,
        EntryKind.NOTE,
        "Retention dates updated; the record comes up for review "
        + (f"on {review:%-d %B %Y}." if review else "when the person leaves."),
    )
    return case


@transaction.atomic
def case_close(
    *,
    user: User,
    case: AdultCase,
    summary: str,
    outcome: str = "",
    lessons_learnt: str = "",
    copy_given_on: date | None = None,
) -> AdultCase:
    """R66, R68, R70: an allegation closes with one of KCSIE's five outcomes and a summary; lessons learnt are
    asked for, and needed when substantiated. Open deadlines must be done first."""
    _refuse_unless_manager(user, case)
    _refuse_if_closed(case)
    problems = []
    open_tasks = [t.get_kind_display() for t in case.tasks.filter(completed_at__isnull=True)]
    if open_tasks:
        problems.append("Finish these first: " + "; ".join(open_tasks) + ".")
    if not summary.strip():
        problems.append("Write a summary of the case: how it was followed up and resolved.")
    if case.kind == CaseKind.ALLEGATION:
        if outcome not in Outcome.values:
            problems.append("Choose the outcome.")
        elif outcome == Outcome.SUBSTANTIATED and not lessons_learnt.strip():
            problems.append("A substantiated allegation needs the lessons learnt.")
    elif case.kind == CaseKind.LOW_LEVEL and not case.decided_at:
        problems.append("Record the decision and the action taken first.")
    if problems:
        raise ValidationError(problems)
    name, _ = user.name_and_role_at(case.school)
    case.status = CaseStatus.CLOSED
    case.outcome = outcome if case.kind == CaseKind.ALLEGATION else ""
    case.summary, case.lessons_learnt, case.copy_given_on = summary, lessons_learnt, copy_given_on
    case.closed_at, case.closed_by_name = timezone.now(), name
    case.version += 1
    case.save()
    closing = f"Closed. {summary}"
    if case.outcome:
        closing = f"Closed as {case.get_outcome_display().lower()}. {summary}"
    _entry(case, user, EntryKind.CLOSED, closing)
    return case


@transaction.atomic
def case_reopen(*, user: User, case: AdultCase, reason: str) -> AdultCase:
    _refuse_unless_manager(user, case)
    if case.is_open:
        raise ValidationError("This case is already open.")
    if not reason.strip():
        raise ValidationError("Say why the case is reopened.")
    case.status, case.closed_at = CaseStatus.OPEN, None
    case.version += 1
    case.save(update_fields=["status", "closed_at", "version"])
    _entry(case, user, EntryKind.REOPENED, f"Reopened: {reason}")
    return case


@transaction.atomic
def records_reviewed(*, user: User, school: School, notes: str) -> RecordsReview:
    """R76: a dated log that the low-level concern records were reviewed."""
    if not access.can_log_records_review(user, school):
        raise PermissionDenied
    name, role = user.name_and_role_at(school)
    return RecordsReview.objects.create(
        school=school, reviewed_by=user, reviewed_by_name=f"{name} ({role})", notes=notes
    )


@transaction.atomic
def settings_save(*, user: User, settings: AdultCaseSettings) -> AdultCaseSettings:
    """Decision 4, R76: the Headteacher's choices for the school's register."""
    if not access.can_mark_head_away(user, settings.school):
        raise PermissionDenied
    settings.full_clean()
    settings.save()
    return settings
