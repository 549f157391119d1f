"""Emails about adult cases: that something waits, with a link, and nothing else (R61: never to the subject)."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from safeguarding.tasks import retry_delay

logger = logging.getLogger(__name__)

SUBJECTS = {
    "new": "A confidential report about an adult is waiting for you",
    "pattern": "A pattern of low-level concerns needs your review",
    "task_due": "A deadline on a confidential case is due",
    "shared": "A confidential case has been shared with you",
}


@task()
def send_case_email(case_id: int, user_id: int, reason: str, attempt: int = 1) -> str:
    from safeguarding import access
    from safeguarding.models import User

    from .models import AdultCase

    case = AdultCase.objects.select_related("school").get(pk=case_id)
    person = User.objects.get(pk=user_id)
    # The wall holds in email too: the subject is never told, and only someone who may open the case is.
    if not access.can_view_adult_case(person, case) or not person.email:
        return "not sent"
    link = settings.SITE_URL + reverse("staff_allegations:detail", kwargs={"public_id": case.public_id})
    body = (
        "Please sign in to read it. This email holds no details on purpose: do not forward it.\n\n"
        f"{link}\n\n{case.school.name}.\n"
    )
    try:
        EmailMessage(SUBJECTS[reason], body, settings.DEFAULT_FROM_EMAIL, [person.email]).send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Case email %s not sent (%s); retrying", case.pk, type(error).__name__)
        send_case_email.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
            case_id, user_id, reason, attempt + 1
        )
        return "retry queued"
    return "sent"


@task()
def remind_case_task(task_id: int) -> str:
    """At its due time, an open deadline (the LADO within one working day) is reminded to its owner."""
    from .models import CaseTask

    case_task = CaseTask.objects.select_related("case").get(pk=task_id)
    if not case_task.is_open or case_task.reminded_at is not None:
        return "nothing to remind"
    if timezone.now() < case_task.due_at:
        remind_case_task.using(run_after=case_task.due_at).enqueue(case_task.pk)
        return "not due yet"
    CaseTask.objects.filter(pk=case_task.pk).update(reminded_at=timezone.now())
    send_case_email.enqueue(case_task.case_id, case_task.owner_id, "task_due")
    return "reminded"
