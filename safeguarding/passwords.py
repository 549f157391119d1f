"""Setting a password without anyone typing it for you: an invitation for a new person, a reset for a forgotten one.

Both are Django's own machinery (its token generator, its confirm view and its password validators), with three
choices of ours:
- The email is sent by the task worker, and the job carries only the person's id and the kind of email: the link
  with its token is made when the email is sent, so no working link ever sits in the task table.
- "Forgot your password?" answers the same whatever address is typed, and sends at most one email per person in
  a few minutes, so nobody learns who has an account here or fills someone's inbox.
- A person invited but not yet signed in has no usable password; a reset still reaches them (Django's own form
  would refuse them), so an invitation that has expired is never a dead end.

An invitation's link works for INVITATION_DAYS, a reset's for PASSWORD_RESET_TIMEOUT (settings.py); either works
once only, since Django's token is made from the password it replaces. Neither email names a child or a case.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from .models import Membership, User

INVITATION = "invitation"
RESET = "reset"
# One reset email per person in this time, however often the form is sent.
RESET_EMAIL_INTERVAL = timedelta(minutes=5)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token under its own salt and lifetime: a reset link never works as an invitation, nor the
    other way round, and an invitation lasts days where a reset lasts an hour."""

    key_salt = "safeguarding.passwords.InvitationTokenGenerator"

    def check_token(self, user, token):
        # Written out rather than inherited: Django's check reads the lifetime from PASSWORD_RESET_TIMEOUT alone.
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > settings.INVITATION_DAYS * 24 * 3600:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_tokens = InvitationTokenGenerator()


def invite(user: User, *, invited_by: User | None) -> None:
    """Queues `user`'s invitation: an email with a link to set their password. Their password is made unusable,
    so the link is the only way in until they set one (or until single sign-on, where the school has it)."""
    from . import tasks  # here: the tasks module imports this one

    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    tasks.send_password_email.enqueue(user.pk, INVITATION, invited_by.pk if invited_by else None)


def password_email(user: User, kind: str, invited_by: User | None = None) -> tuple[str, str]:
    """The subject and body of an invitation or a reset, with a link that works once."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    school = _school_name(user)
    if kind == INVITATION:
        token = invitation_tokens.make_token(user)
        link = settings.SITE_URL + reverse("invitation_accept", kwargs={"uidb64": uid, "token": token})
        days = settings.INVITATION_DAYS
        by = f" {invited_by.get_full_name()} added you." if invited_by and invited_by.get_full_name() else ""
        subject = f"Your account for {school}'s safeguarding records"
        body = (
            f"Hello {user.get_full_name() or user.username},\n\n"
            f"You have an account on {school}'s safeguarding records system, where staff raise and follow up "
            f"worries about children.{by}\n\n"
            f"Your username is: {user.username}\n\n"
            f"Choose your password here (the link works once, for {days} days):\n\n{link}\n\n"
            'If the link has expired, use "Forgot your password?" on the sign-in page, or ask your IT administrator '
            "for a new invitation.\n"
        )
    else:
        token = default_token_generator.make_token(user)
        link = settings.SITE_URL + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
        minutes = settings.PASSWORD_RESET_TIMEOUT // 60
        subject = f"Reset your password for {school}'s safeguarding records"
        body = (
            f"Hello {user.get_full_name() or user.username},\n\n"
            "Someone (we hope you) asked to reset the password of your account on "
            f"{school}'s safeguarding records system. Your username is: {user.username}\n\n"
            f"Choose a new password here (the link works once, for {minutes} minutes):\n\n{link}\n\n"
            "If you did not ask for this, you can ignore this email: your password has not changed. If it keeps "
            "happening, tell your IT administrator.\n"
        )
    return subject, body


def _school_name(user: User) -> str:
    membership = (
        Membership.objects.filter(user=user, school__isnull=False).select_related("school").order_by("pk").first()
    )
    return membership.school.name if membership and membership.school else "your school"


class ForgottenPasswordForm(PasswordResetForm):
    """Django's form, with the email queued (see the module's docstring) instead of sent during the request."""

    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="The one your school uses for you. If it belongs to an account here, a link is on its way.",
    )

    def get_users(self, email):
        # Django's own form leaves out people without a usable password: here that is everyone invited who has not
        # yet chosen one, and an expired invitation must not be a dead end.
        return get_user_model()._default_manager.filter(email__iexact=email, is_active=True).exclude(email="")

    def save(self, **kwargs) -> None:  # type: ignore[override]  # Django's keyword arguments build the email here
        from . import tasks

        for user in self.get_users(self.cleaned_data["email"]):
            if not _reset_recently_queued(user):
                tasks.send_password_email.enqueue(user.pk, RESET, None)


def _reset_recently_queued(user: User) -> bool:
    from django_tasks_db.models import DBTaskResult

    from . import tasks

    recent = DBTaskResult.objects.filter(
        task_path=tasks.send_password_email.module_path, enqueued_at__gte=timezone.now() - RESET_EMAIL_INTERVAL
    )
    return any(job.args_kwargs["args"][:2] == [user.pk, RESET] for job in recent)
