"""What alert emails say. Nothing about the child or the concern leaves the app by email (R19): only that a
concern awaits, how urgent it is, and a link to sign in and read it."""

from django.conf import settings
from django.urls import reverse

from .models import AlertReason


def alert_email(alert) -> tuple[str, str]:
    concern = alert.concern
    link = settings.SITE_URL + reverse("concerns:detail", kwargs={"public_id": concern.public_id})
    urgency = "URGENT: " if concern.is_immediate else ""
    if alert.reason == AlertReason.ESCALATED:
        subject = f"{urgency}Safeguarding concern not yet acknowledged"
        opening = (
            "A safeguarding concern has not been acknowledged by the DSL team in time, so it has come to you as a "
            "senior leader."
        )
    elif alert.reason == AlertReason.REROUTED:
        subject = f"{urgency}Safeguarding concern waiting: the DSL team is away"
        opening = "A safeguarding concern has been raised while the DSL team is away, so it has come to you."
    else:
        subject = f"{urgency}New safeguarding concern waiting"
        opening = "A new safeguarding concern has been raised and is waiting for the DSL team."
    action = (
        "It is marked Immediate: please open it now." if concern.is_immediate else "Please open it and acknowledge it."
    )
    body = (
        f"{opening}\n\n{action}\n\n{link}\n\n"
        f"{concern.school.name}. This email holds no details on purpose: sign in to read the concern.\n"
    )
    return subject, body


def action_reminder_email(action) -> tuple[str, str]:
    """A reminder that an action is due: no child, no detail, only the link to the person's own list, the concern,
    or (for a pupil-level task, R38) the child's file, depending on what they may open."""
    from safeguarding import access

    if action.concern is not None and access.can_view_concern(action.owner, action.concern):
        link = settings.SITE_URL + reverse("concerns:detail", kwargs={"public_id": action.concern.public_id})
    elif action.concern is None and access.can_view_pupil_file(action.owner, action.pupil):
        link = settings.SITE_URL + reverse("concerns:pupil_file", kwargs={"public_id": action.pupil.public_id})
    else:
        link = settings.SITE_URL + reverse("concerns:my_concerns")
    subject = "Safeguarding action due"
    body = (
        "A safeguarding action you own is due now. Please sign in to see it and record what was done.\n\n"
        f"{link}\n\n{action.school.name}. This email holds no details on purpose.\n"
    )
    return subject, body
