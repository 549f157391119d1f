"""What every app's background jobs share, and the core's own job, the password emails (the apps' jobs live in each
app's `tasks.py`; all run in the task worker: `manage.py db_worker`; `make run` starts it).

django-tasks has no retries and no scheduler: a job that must eventually succeed re-enqueues itself with a
growing delay, and timed work (escalation) is enqueued with `run_after` when its clock starts.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

# Seconds to wait before each retry of an alert email: quick at first, then every 15 minutes until it goes.
RETRY_DELAYS = (30, 60, 120, 300, 600, 900)

logger = logging.getLogger(__name__)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1])


# A password email the mail server does not take is tried again this many times, then given up with a warning in
# the log: the person asks for a new one, or the IT administrator sends the invitation again.
PASSWORD_EMAIL_ATTEMPTS = 10


@task()
def send_password_email(user_id: int, kind: str, invited_by_id: int | None, attempt: int = 1) -> str:
    """An invitation or a password reset (safeguarding/passwords.py), made and sent now: the link and its token
    exist only in the email itself, never in this job."""
    from .models import User
    from .passwords import password_email

    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None:
        return "no active person with an address"
    invited_by = User.objects.filter(pk=invited_by_id).first() if invited_by_id else None
    subject, body = password_email(user, kind, invited_by)
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as error:
        # The log names the person by number only.
        if attempt >= PASSWORD_EMAIL_ATTEMPTS:
            logger.warning("Password email (%s) for person %s not sent after %s tries", kind, user_id, attempt)
            return "given up"
        delay = retry_delay(attempt)
        logger.warning(
            "Password email (%s) for person %s not sent (%s); retrying in %ss",
            kind,
            user_id,
            type(error).__name__,
            delay.seconds,
        )
        send_password_email.using(run_after=timezone.now() + delay).enqueue(user_id, kind, invited_by_id, attempt + 1)
        return "retry queued"
    return "sent"
