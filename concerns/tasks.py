"""The children's app's background jobs (R19, R20, R39), run by the task worker (`manage.py db_worker`).

The services import this module at the top (`from concerns import tasks`) to enqueue its jobs. The one job that
calls back into a service, the escalation, imports that service when it runs: importing it here would make a
cycle, since the services must load before anything can enqueue.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from safeguarding.tasks import retry_delay

from .models import Action, Alert
from .notifications import action_reminder_email, alert_email

logger = logging.getLogger(__name__)


@task()
def send_alert_email(alert_id: int) -> str:
    """R19: tells one person a concern awaits, by email with no child's name and no detail: only a link and the
    urgency. Sent once: a sent alert is never sent again; a failure is retried until the mail server takes it."""
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update(of=("self",))
            .select_related("concern__school", "recipient")
            .get(pk=alert_id)
        )
        if alert.emailed_at is not None:
            return "already sent"
        if not alert.recipient.email:
            return "no address"
        subject, body = alert_email(alert)
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [alert.recipient.email])
        try:
            message.send(fail_silently=False)
        except (smtplib.SMTPException, OSError) as error:
            alert.email_attempts += 1
            alert.save(update_fields=["email_attempts"])
            delay = retry_delay(alert.email_attempts)
            # The log names the alert by number only: no person, no child.
            logger.warning(
                "Alert email %s not sent (%s); retrying in %ss", alert.pk, type(error).__name__, delay.seconds
            )
            send_alert_email.using(run_after=timezone.now() + delay).enqueue(alert.pk)
            return "retry queued"
        alert.email_attempts += 1
        alert.emailed_at = timezone.now()
        alert.save(update_fields=["email_attempts", "emailed_at"])
    return "sent"


@task()
def escalate_if_unacknowledged(concern_id: int) -> str:
    """R20: at the escalation time, a concern still unacknowledged goes to the senior leaders."""
    from .services.alerting import concern_escalate_if_unacknowledged  # not at the top: see the docstring

    alerts = concern_escalate_if_unacknowledged(concern_id=concern_id)
    return f"{len(alerts)} senior leaders alerted"


@task()
def remind_action_due(action_id: int) -> str:
    """At its due time, an action still open is reminded to its owner by email (no detail, just a link); it also
    shows as overdue on the DSL team's queue (R39). Reminded once."""
    with transaction.atomic():
        # Lock only the action row: the owner, concern and pupil are nullable joins, which PostgreSQL will not lock
        # (FOR UPDATE). A pupil-level task (R38) has no concern.
        action = (
            Action.objects.select_for_update(of=("self",))
            .select_related("school", "concern__school", "pupil__school", "owner")
            .get(pk=action_id)
        )
        if not action.is_open or action.reminded_at is not None or action.owner is None:
            return "nothing to remind"
        if action.due_at and timezone.now() < action.due_at:
            remind_action_due.using(run_after=action.due_at).enqueue(action.pk)
            return "not due yet"
        if action.owner.email:
            subject, body = action_reminder_email(action)
            try:
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [action.owner.email]).send()
            except (smtplib.SMTPException, OSError) as error:
                logger.warning("Reminder for action %s not sent (%s); retrying", action.pk, type(error).__name__)
                remind_action_due.using(run_after=timezone.now() + retry_delay(3)).enqueue(action.pk)
                return "retry queued"
        action.reminded_at = timezone.now()
        action.save(update_fields=["reminded_at"])
    return "reminded"
