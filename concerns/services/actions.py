"""Actions and their deadlines (R28–R35, R39): the tasks the law or the policy sets from what a concern is about
(referral, FGM report, risk assessments, follow-up within 48 clock hours), the actions the DSL adds, completing,
reassigning, and the local authority's decision on a referral with its social worker (R30, R50).

Proved by tests/concerns/test_actions.py, test_action_reminders.py, test_la_decision.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from concerns import tasks
from concerns.models import (
    LA_OUTCOMES_WITH_SOCIAL_WORKER,
    Action,
    ActionKind,
    ActionStatus,
    ChronologyKind,
    Concern,
    ConcernStatus,
    KeyPerson,
    KeyPersonKind,
    LaOutcome,
    Pupil,
)
from concerns.services.chronology import as_sentence, chronology_add, refuse_if_closed
from concerns.services.pupil_file import profile_record_save
from safeguarding import access, calendar
from safeguarding.models import Membership, User

CHILD_ON_CHILD_SEXUAL = {
    "sexual_violence",
    "sexual_harassment",
    "sexual_activity_without_consent",
    "harmful_sexual_behaviour",
}


RISK_ASSESSMENTS = (
    ActionKind.RISK_ASSESSMENT_VICTIM,
    ActionKind.RISK_ASSESSMENT_PERPETRATOR,
    ActionKind.RISK_ASSESSMENT_OTHERS,
)


RISK_ASSESSMENT_REVIEW_DAYS = 28


FOLLOW_UP_HOURS = 48  # R29: clock hours, not working hours (decision 2)


def _end_of_next_working_day(moment: datetime) -> datetime:
    return calendar.close_of_next_working_day(moment)


def action_open(
    *,
    kind: str,
    user: User,
    concern: Concern | None = None,
    pupil: Pupil | None = None,
    owner: User | None = None,
    due_at: datetime | None = None,
    add_line: bool = True,
    always_new: bool = False,
    **fields: Any,
) -> Action:
    """Creates the action unless one of its kind is already open on the concern (or, for a pupil-level task given
    `pupil` and no concern, on the child; `always_new` makes one anyway): moves the concern to "Actions open",
    writes the chronology line (unless the caller writes its own) and queues the reminder for the due time."""
    if concern is not None:
        school, existing = concern.school, concern.actions.filter(kind=kind, status=ActionStatus.OPEN).first()
        pupil = None
    else:
        assert pupil is not None, "an action goes on a concern or, as a pupil-level task, on a child"
        school = pupil.school
        existing = Action.objects.filter(pupil=pupil, concern__isnull=True, kind=kind, status=ActionStatus.OPEN).first()
    if existing and not always_new:
        return existing
    action = Action(
        school=school,
        concern=concern,
        pupil=pupil,
        kind=kind,
        owner=owner or user,
        created_by=user,
        due_at=due_at,
        **fields,
    )
    action.full_clean()
    action.save()
    if concern is not None and concern.status in (
        ConcernStatus.NEW,
        ConcernStatus.ACKNOWLEDGED,
        ConcernStatus.TRIAGED,
    ):
        concern.status = ConcernStatus.ACTIONS_OPEN
        concern.save(update_fields=["status"])
    if add_line:
        name, role = user.name_and_role_at(school)
        owner_name, owner_role = (owner or user).name_and_role_at(school)  # action.owner, as set above
        when = f", due {timezone.localtime(due_at):%-d %B %Y at %H:%M}" if due_at else ""
        chronology_add(
            concern=concern,
            pupil=pupil,
            kind=ChronologyKind.ACTION_ADDED,
            by=user,
            summary=f"Action set by {name} ({role}): {action.get_kind_display()}, for {owner_name} ({owner_role})"
            f"{when}.",
        )
    if due_at is not None:
        tasks.remind_action_due.using(run_after=due_at).enqueue(action.pk)
    return action


def action_mark_done(action: Action, *, user: User, outcome: str, also: tuple[str, ...] = ()) -> None:
    """Closes an open action with what was done, by whom and when; callers write their own chronology line."""
    action.status, action.outcome = ActionStatus.DONE, outcome
    action.completed_at, action.completed_by = timezone.now(), user
    action.save(update_fields=["status", "outcome", "completed_at", "completed_by", *also])


def action_rules_apply(*, concern: Concern, user: User, category_codes: list[str], known_fgm: bool) -> None:
    """The tasks the law or the policy sets from what a concern is about (R32–R35), created at triage."""
    codes = set(category_codes) or set(concern.categories.values_list("code", flat=True))
    now = timezone.now()
    if known_fgm:
        # R32: the report is the personal duty of the teacher who found it, by the close of the next working day.
        action_open(
            concern=concern,
            kind=ActionKind.FGM_REPORT,
            user=user,
            owner=concern.author,
            due_at=_end_of_next_working_day(concern.recorded_at),
            reassignable=False,
        )
    if "radicalisation" in codes:
        action_open(concern=concern, kind=ActionKind.PREVENT_ADVICE, user=user, due_at=_end_of_next_working_day(now))
    if "private_fostering" in codes:
        action_open(
            concern=concern,
            kind=ActionKind.PRIVATE_FOSTERING_NOTIFICATION,
            user=user,
            due_at=_end_of_next_working_day(now),
        )
    if codes & CHILD_ON_CHILD_SEXUAL:
        due = _end_of_next_working_day(now)
        for kind in RISK_ASSESSMENTS:
            action_open(
                concern=concern,
                kind=kind,
                user=user,
                due_at=due,
                # Four weeks on, moved to the next school day when that falls in a holiday or on a bank holiday.
                review_on=calendar.school_day_on_or_after(
                    concern.school, timezone.localtime(due).date() + timedelta(days=RISK_ASSESSMENT_REVIEW_DAYS)
                ),
            )
    if "sexual_violence" in codes:
        # R35: rape or assault by penetration: separation now. The DSL closes it, with the reason, if it is not that.
        action_open(concern=concern, kind=ActionKind.SEPARATION, user=user, due_at=now)


@transaction.atomic
def action_add(
    *,
    user: User,
    concern: Concern,
    kind: str,
    owner: User | None = None,
    due_at: datetime | None = None,
    notes: str = "",
) -> Action:
    """R28: the DSL team adds an action with an owner and a due time; some kinds bring their own deadlines."""
    if not access.can_triage(user, concern.school):
        raise PermissionDenied
    refuse_if_closed(concern)
    owner = owner or user
    if kind == ActionKind.FGM_REPORT:
        owner = concern.author
    if not Membership.objects.filter(user=owner, school=concern.school).exists():
        raise ValidationError("The owner must work at this school.")
    now = timezone.now()
    if kind == ActionKind.FGM_REPORT:
        due_at = _end_of_next_working_day(concern.recorded_at)
    action = action_open(
        concern=concern,
        kind=kind,
        user=user,
        owner=owner,
        due_at=due_at,
        notes=notes,
        reassignable=kind != ActionKind.FGM_REPORT,
    )
    if kind == ActionKind.CSC_REFERRAL_PHONE:
        # R29: the written follow-up on the LA online system within 48 clock hours of the call.
        action_open(
            concern=concern,
            kind=ActionKind.CSC_WRITTEN_FOLLOW_UP,
            user=user,
            owner=owner,
            due_at=now + timedelta(hours=FOLLOW_UP_HOURS),
        )
    if kind in (ActionKind.CSC_REFERRAL_PHONE, ActionKind.CSC_REFERRAL_ONLINE):
        # R30: the LA decides within one working day; chase it if it has not come.
        action_open(
            concern=concern,
            kind=ActionKind.CSC_DECISION_CHASE,
            user=user,
            owner=owner,
            due_at=calendar.end_of_working_day(calendar.add_working_days(timezone.localtime(now).date(), 1)),
        )
    return action


# R55, R58: these close when the transfer's last step is recorded on the child's file, never by "Done".
TRANSFER_TASKS: dict[str, str] = {  # ActionKind: why "Done" does not close it
    ActionKind.SEND_CP_FILE: "This task closes only when the receiving school's confirmation of receipt (who and "
    "when) is recorded under Moving schools on the child's file.",
    ActionKind.CONFIRM_CP_FILE_RECEIPT: "This task closes when you record, under Moving schools on the child's "
    "file, the date you confirmed receipt to the sending school.",
}


@transaction.atomic
def action_complete(*, user: User, action: Action, outcome: str, reference: str = "") -> Action:
    """Marks an action done with its outcome. The FGM report needs the police reference (R32); the LA decision
    needs what was decided (R30)."""
    action = _lock_action(user=user, action=action)
    if action.kind == ActionKind.CSC_DECISION_CHASE and action.is_open:
        raise ValidationError("Record what the local authority decided: the decision, its date and the social worker.")
    if action.kind == ActionKind.SHARE_WITH_DSL:
        # R21: it closes when the DSL team takes the concern back (their acknowledgement), not by its owner.
        raise ValidationError("This closes when the DSL team acknowledges the concern.")
    if action.kind in TRANSFER_TASKS and action.is_open:
        raise ValidationError(TRANSFER_TASKS[action.kind])
    if not action.is_open:
        return action
    errors = {}
    if not outcome.strip():
        errors["outcome"] = "Say what was done."
    if action.kind == ActionKind.FGM_REPORT and not reference.strip():
        errors["reference"] = "Give the police reference of your report (101)."
    if errors:
        raise ValidationError(errors)
    action.reference = reference
    action_mark_done(action, user=user, outcome=outcome, also=("reference",))
    name, role = user.name_and_role_at(action.school)
    ref = f" Reference: {reference}." if reference else ""
    chronology_add(
        concern=action.concern,
        pupil=action.pupil if action.concern_id is None else None,
        kind=ChronologyKind.ACTION_DONE,
        by=user,
        summary=f"{action.get_kind_display()}: done by {name} ({role}). {outcome}{ref}",
    )
    return action


def _lock_action(*, user: User, action: Action) -> Action:
    action = (
        Action.objects.select_for_update(of=("self",)).select_related("school", "concern", "pupil").get(pk=action.pk)
    )
    if not access.can_complete_action(user, action):
        raise PermissionDenied
    return action


@transaction.atomic
def la_decision_record(
    *,
    user: User,
    action: Action,
    la_outcome: str,
    decided_on: date | None,
    social_worker_name: str = "",
    social_worker_team: str = "",
    notes: str = "",
) -> Action:
    """R30: answers "LA decision received?" with what the local authority decided (a choice the file and the
    trustees' figures count), when, and the social worker it allocated, who joins the child's key people (R50)."""
    action = _lock_action(user=user, action=action)
    if action.kind != ActionKind.CSC_DECISION_CHASE:
        raise ValidationError("Only the local authority's decision on a referral is recorded this way.")
    if not action.is_open:
        return action
    social_worker_name, social_worker_team = social_worker_name.strip(), social_worker_team.strip()
    errors = {}
    if la_outcome not in LaOutcome.values:
        errors["la_outcome"] = "Choose what the local authority decided."
    referred_on = timezone.localtime(action.created_at).date()
    if decided_on is None:
        errors["la_decided_on"] = "Give the date of the decision."
    elif decided_on > timezone.localdate():
        errors["la_decided_on"] = "This date is in the future. Give the date it happened."
    elif decided_on < referred_on:
        errors["la_decided_on"] = f"This is before the referral ({referred_on:%-d %B %Y}). Check the date."
    if la_outcome in LA_OUTCOMES_WITH_SOCIAL_WORKER and not social_worker_name:
        errors["social_worker_name"] = "Give the allocated social worker's full name."
    if errors:
        raise ValidationError(errors)
    sentence = f"The local authority decided: {LaOutcome(la_outcome).label}, on {decided_on:%-d %B %Y}."
    if social_worker_name:
        sentence += f" Allocated social worker: {social_worker_name} ({social_worker_team or 'team not given'})."
    if notes.strip():
        sentence += " " + as_sentence(notes.strip())
    action.la_outcome, action.la_decided_on = la_outcome, decided_on
    action.social_worker = ", ".join(part for part in (social_worker_name, social_worker_team) if part)[:200]
    action_mark_done(action, user=user, outcome=sentence, also=("la_outcome", "la_decided_on", "social_worker"))
    name, role = user.name_and_role_at(action.school)
    chronology_add(
        concern=action.concern,
        kind=ChronologyKind.ACTION_DONE,
        by=user,
        summary=f"{action.get_kind_display()}: done by {name} ({role}). {sentence}",
    )
    # Only referrals open a decision chase (action_add), and always on the referral's concern.
    assert action.concern is not None
    subject = action.concern.subject
    known = KeyPerson.objects.filter(pupil=subject, kind=KeyPersonKind.SOCIAL_WORKER, name__iexact=social_worker_name)
    if social_worker_name and not known.exists():
        # Whoever owns the task may record the decision; the social worker goes on the file either way.
        profile_record_save(
            user=user,
            pupil=subject,
            record=KeyPerson(
                kind=KeyPersonKind.SOCIAL_WORKER,
                name=social_worker_name,
                relationship_or_team=social_worker_team or "Children's social care",
                notes=f"Allocated after the local authority's decision of {decided_on:%-d %B %Y}.",
            ),
        )
    return action


@transaction.atomic
def action_reassign(*, user: User, action: Action, owner: User) -> Action:
    """Gives an action to someone else, except the FGM report, which stays with the person who found it (R32)."""
    if not access.can_triage(user, action.school):
        raise PermissionDenied
    if not action.reassignable:
        raise ValidationError(
            "The FGM report is the personal legal duty of the person who found it; it cannot be passed on."
        )
    if not Membership.objects.filter(user=owner, school=action.school).exists():
        raise ValidationError("The owner must work at this school.")
    action.owner = owner
    action.save(update_fields=["owner"])
    name, role = user.name_and_role_at(action.school)
    owner_name, owner_role = owner.name_and_role_at(action.school)
    chronology_add(
        concern=action.concern,
        pupil=action.pupil if action.concern_id is None else None,
        kind=ChronologyKind.ACTION_ADDED,
        by=user,
        summary=f"{action.get_kind_display()}: given by {name} ({role}) to {owner_name} ({owner_role}).",
    )
    return action
