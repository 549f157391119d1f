"""Who is told, and when (R19–R22): the alerts to the DSL team on a new concern, escalation to the senior leaders
when nobody has acknowledged it in time (R20, counted in school hours), acknowledging, the DSL team's "away" mark
(R21) and the cover rota (R22). Never to the adult an allegation is about (R61).

Proved by tests/concerns/test_escalation.py, test_acknowledge.py, test_alert_email.py, test_queue_live.py.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from concerns import tasks
from concerns.models import (
    Action,
    ActionKind,
    ActionStatus,
    Alert,
    AlertReason,
    ChronologyKind,
    Concern,
    ConcernStatus,
    CoverShift,
    Unavailability,
)
from concerns.selectors import available_dsl_team, senior_leaders
from concerns.services.actions import action_mark_done
from concerns.services.chronology import chronology_add
from safeguarding import access, calendar
from safeguarding.models import Membership, School, User


def escalation_due(*, school: School, recorded_at: datetime, is_immediate: bool) -> datetime:
    """R20: when an unacknowledged concern goes to the senior leaders, counted in school hours."""
    minutes = school.escalate_immediate_after_minutes if is_immediate else school.escalate_routine_after_minutes
    return calendar.add_school_minutes(school, recorded_at, minutes)


def _alert(concern: Concern, recipient: User, reason: str) -> Alert | None:
    if concern.withheld_from_id is not None and concern.withheld_from_id == recipient.pk:
        return None  # R61: never to the adult the allegation is about
    alert, created = Alert.objects.get_or_create(concern=concern, recipient=recipient, reason=reason)
    if created:
        tasks.send_alert_email.enqueue(alert.pk)
        return alert
    return None


def concern_alert_team(concern: Concern) -> None:
    """R19: the DSL and every deputy at once; R21: if all of them are away, the senior leaders instead."""
    team = [u for u in available_dsl_team(school=concern.school) if u.pk != concern.author_id]
    if team:
        for person in team:
            _alert(concern, person, AlertReason.NEW_CONCERN)
    else:
        for person in senior_leaders(school=concern.school):
            _alert(concern, person, AlertReason.REROUTED)
    tasks.escalate_if_unacknowledged.using(run_after=concern.escalation_due_at).enqueue(concern.pk)


@transaction.atomic
def concern_escalate_if_unacknowledged(*, concern_id: int, now: datetime | None = None) -> list[Alert]:
    """R20: a concern nobody in the DSL team acknowledged in time goes to the senior leaders (Head, Deputy Head)."""
    now = now or timezone.now()
    concern = Concern.objects.select_for_update().get(pk=concern_id)
    if concern.is_acknowledged or concern.escalated_at is not None:
        return []
    if concern.escalation_due_at and now < concern.escalation_due_at:
        # Run early (a worker clock ahead of the database's): check again when it is due.
        tasks.escalate_if_unacknowledged.using(run_after=concern.escalation_due_at).enqueue(concern.pk)
        return []
    concern.escalated_at = now
    concern.save(update_fields=["escalated_at"])
    alerts = [_alert(concern, person, AlertReason.ESCALATED) for person in senior_leaders(school=concern.school)]
    return [a for a in alerts if a is not None]


@transaction.atomic
def concern_acknowledge(*, user: User, concern: Concern) -> Concern:
    """One click, recorded with who and when; it stops the escalation (R20, R25). A senior leader acknowledging
    gets a task to share the concern and what they did with the DSL, open until the DSL acknowledges it (R21)."""
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if not access.can_acknowledge(user, concern):
        raise PermissionDenied
    dsl_team = access.is_dsl_team(user, concern.school)
    if concern.acknowledged_at is None:
        concern.acknowledged_at = timezone.now()
        concern.acknowledged_by = user
        if concern.status == ConcernStatus.NEW:
            concern.status = ConcernStatus.ACKNOWLEDGED
        concern.save(update_fields=["acknowledged_at", "acknowledged_by", "status"])
        chronology_add(
            concern=concern, kind=ChronologyKind.ACKNOWLEDGED, by=user, summary=acknowledged_summary(user, concern)
        )
        if not dsl_team:
            Action.objects.get_or_create(
                concern=concern,
                kind=ActionKind.SHARE_WITH_DSL,
                status=ActionStatus.OPEN,
                defaults={"school": concern.school, "owner": user, "created_by": user, "due_at": timezone.now()},
            )
    if dsl_team:
        # R21: the DSL keeps lead responsibility; seeing the concern closes the hand-back task.
        for action in concern.actions.filter(kind=ActionKind.SHARE_WITH_DSL, status=ActionStatus.OPEN):
            action_mark_done(action, user=user, outcome="Acknowledged by the DSL team.")
    return concern


def acknowledged_summary(user: User, concern: Concern) -> str:
    name, role = user.name_and_role_at(concern.school)
    return f"Concern acknowledged by {name} ({role})."


@transaction.atomic
def availability_set(*, user: User, school: School, away: bool) -> None:
    """R21: a DSL or deputy marks themselves away (or back); alerts go to whoever is available."""
    if not access.can_set_own_availability(user, school):
        raise PermissionDenied
    now = timezone.now()
    current = Unavailability.objects.filter(user=user, school=school, ends_at__isnull=True)
    if away and not current.exists():
        Unavailability.objects.create(user=user, school=school, starts_at=now)
    elif not away:
        for period in current:
            period.ends_at = now
            period.save(update_fields=["ends_at"])


@transaction.atomic
def cover_shift_add(
    *, user: User, school: School, person: User, starts_at: datetime, ends_at: datetime, note: str = ""
) -> CoverShift:
    """R22: the DSL puts someone on the holiday or out-of-hours cover rota; they get alerts while it runs."""
    if not access.is_dsl_team(user, school):
        raise PermissionDenied
    if not Membership.objects.filter(user=person, school=school).exists():
        raise ValidationError("Choose someone who works at this school.")
    shift = CoverShift(school=school, user=person, starts_at=starts_at, ends_at=ends_at, note=note)
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def cover_shift_end(*, user: User, shift: CoverShift) -> None:
    """Ends a running shift now; a shift that has not started is taken off the rota (the audit log keeps it)."""
    if not access.is_dsl_team(user, shift.school):
        raise PermissionDenied
    now = timezone.now()
    if shift.starts_at >= now:
        # Not begun (or beginning this very instant, when ending it would leave it no time at all): off the rota.
        shift.delete()
        return
    shift.ends_at = min(shift.ends_at, now)
    shift.save(update_fields=["ends_at"])
