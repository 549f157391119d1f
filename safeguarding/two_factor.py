"""The second factor's life cycle (R86, issue 13): backup codes, and the IT administrator's reset.

- Backup codes: ten one-time codes, shown once when they are made and kept only as keyed hashes, in django-otp's
  static device. `backup_codes_make` makes a set (replacing the old one), `backup_code_use` spends one.
- The reset: `two_factor_reset` deletes a person's authenticator and backup codes, logs it and emails them.

Tests: tests/test_backup_codes.py, tests/test_two_factor_reset.py.
"""

from __future__ import annotations

import base64
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime

from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import formats, timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks import task

from . import access
from .models import User
from .tasks import retry_delay

logger = logging.getLogger(__name__)

# Like TOTPDevice's in SafeguardingConfig.ready(): a backup code used, a new set and a reset reach the person's
# school's audit log. django-otp's models cannot be given the method in the usual way.
StaticDevice.get_additional_data = lambda device: device.user.get_additional_data()
StaticToken.get_additional_data = lambda token: token.device.user.get_additional_data()

BACKUP_CODE_COUNT = 10
BACKUP_DEVICE_NAME = "Backup codes"
# Ten characters from 31 that cannot be misread for one another (no 0 or o, 1, i or l): about 49 bits each, shown
# in two groups of five.
BACKUP_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
BACKUP_CODE_LENGTH = 10
_HASH_SALT = "safeguarding.two_factor.backup_code"

# Why a keyed hash in django-otp's StaticToken, not Django's password hashers in a model of our own:
# - StaticToken.token holds 16 characters; a password hasher's output (algorithm, iterations, salt, hash) is ~90.
#   Keeping django-otp's static device keeps its throttling, otp_login and the device list working unchanged.
# - A password hasher is slow on purpose because passwords are guessable. These codes are ~49 random bits, and a
#   typed code must be checked against all ten (nothing says which one it is): ten PBKDF2 runs would take seconds
#   per attempt.
# - The hash is an HMAC keyed from SECRET_KEY, so a copy of the database alone cannot even test a guess offline.
#   Codes made under a key still in SECRET_KEY_FALLBACKS keep working after a rotation; with the key gone they no
#   longer match, and people make a new set.
# The stored value is never accepted as a code: `backup_code_use` hashes what is typed before comparing, and
# nothing here calls StaticDevice.verify_token (which would compare the typed text with the stored value).


def _digest(code: str, secret: str) -> str:
    """A code's stored form: 16 characters (96 bits) of its HMAC-SHA256, as StaticToken.token holds 16."""
    mac = salted_hmac(_HASH_SALT, code, secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(mac).decode()[:16]


def normalise_backup_code(typed: str) -> str:
    """A code as typed ("ABCDE-23456", "abcde 23456") in the form it is hashed in: lower case, no gaps."""
    return "".join(typed.split()).replace("-", "").lower()


def _new_code() -> str:
    return "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))


def _shown(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def backup_device_for(user: User) -> StaticDevice | None:
    """The person's backup codes, or None if they have never had a set."""
    return StaticDevice.objects.filter(user=user).order_by("pk").first()


def backup_codes_left(*, user: User) -> int:
    device = backup_device_for(user)
    return device.token_set.count() if device else 0


@transaction.atomic
def backup_codes_make(*, user: User) -> list[str]:
    """A new set of ten backup codes for `user`, replacing any old set; returns the codes, to be shown once.

    Only their hashes are stored. The device is kept (only its codes are replaced), so a session that signed in
    with a backup code stays signed in.
    """
    if not access.requires_two_factor(user):
        raise PermissionDenied
    device = backup_device_for(user)
    if device is None:
        device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    for old in device.token_set.all():
        old.delete()  # one by one, so each shows in the audit log
    codes = [_new_code() for _ in range(BACKUP_CODE_COUNT)]
    for code in codes:
        StaticToken.objects.create(device=device, token=_digest(code, settings.SECRET_KEY))
    return [_shown(code) for code in codes]


@dataclass(frozen=True)
class BackupCodeAttempt:
    accepted: bool
    throttled: bool
    left: int  # codes still unused after this attempt
    device: StaticDevice | None


def backup_code_use(*, user: User, code: str) -> BackupCodeAttempt:
    """Spends one of the person's backup codes: each works once. Wrong codes are throttled as django-otp throttles
    wrong authenticator codes (OTP_STATIC_THROTTLE_FACTOR: 1, 2, 4... seconds after each failure in a row).

    The typed code is hashed and compared with every stored hash in constant time, all of them every time, so how
    long a check takes says nothing about the codes. The device row is locked, so the same code sent twice at
    once is accepted only once.
    """
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user).order_by("pk").first()
        if device is None:
            return BackupCodeAttempt(accepted=False, throttled=False, left=0, device=None)
        allowed, _ = device.verify_is_allowed()
        tokens = list(device.token_set.all())
        if not allowed:
            return BackupCodeAttempt(accepted=False, throttled=True, left=len(tokens), device=device)
        normalised = normalise_backup_code(code)
        digests = [_digest(normalised, secret) for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)]
        match = None
        for token in tokens:
            for digest in digests:
                if constant_time_compare(token.token, digest) and match is None:
                    match = token
        if match is None:
            device.throttle_increment()
            return BackupCodeAttempt(accepted=False, throttled=False, left=len(tokens), device=device)
        match.delete()
        device.throttle_reset(commit=False)
        device.set_last_used_timestamp(commit=False)
        device.save()
    return BackupCodeAttempt(accepted=True, throttled=False, left=len(tokens) - 1, device=device)


# --- The IT administrator's reset -------------------------------------------------------------------------------


def can_reset_two_factor(user: User, person: User) -> bool:
    """The IT administrator resets someone else's second factor; never their own (a reset of one's own would let a
    stolen password alone set up a new authenticator), and only a superuser resets a superuser's."""
    if not access.can_use_admin(user) or person.pk == user.pk:
        return False
    return user.is_superuser or not person.is_superuser


def two_factor_reset(*, user: User, person: User) -> int:
    """Deletes `person`'s authenticator app and backup codes, so that their next sign-in links a new app (after the
    password), and tells them by email. Each deletion, and the reset itself, shows in their school's audit log with
    who did it. Returns how many devices were deleted."""
    if not can_reset_two_factor(user, person):
        raise PermissionDenied
    with transaction.atomic():
        deleted = 0
        for totp in TOTPDevice.objects.filter(user=person):
            totp.delete()
            deleted += 1
        for static in StaticDevice.objects.filter(user=person):
            for token in static.token_set.all():
                token.delete()  # before the device, so each row can still find the person's school
            static.delete()
            deleted += 1
        reset_at = timezone.now()
        LogEntry.objects.log_create(
            person,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            changes={"two-factor sign-in": ["set up", "reset by the IT administrator"]},
        )
        # Enqueued in the transaction: the email goes if and only if the reset is kept (decision 0005).
        send_two_factor_reset_email.enqueue(person.pk, user.pk, reset_at.isoformat())
    return deleted


def two_factor_reset_email(*, person: User, reset_by: User, reset_at: datetime) -> tuple[str, str]:
    """What the reset email says: who, when, and what to do if it was not asked for. No child, no case."""
    at = timezone.localtime(reset_at)
    when = f"{formats.date_format(at, 'l j F Y')} at {formats.date_format(at, 'H:i')}"
    school = access.current_school(person)
    who = reset_by.get_full_name() or reset_by.get_username()
    subject = "Your two-factor sign-in was reset"
    body = (
        f"Hello {person.first_name or person.get_username()},\n\n"
        f"Your two-factor sign-in to Safeguarding records was reset by {who} (IT administration) on {when}. "
        "The authenticator app and the backup codes you had no longer work. The next time you sign in, you will "
        "be asked to link an authenticator app again, and you will be given new backup codes.\n\n"
        "If you did not ask for this, contact your IT administrator or your Designated Safeguarding Lead at once: "
        "someone else may be trying to get into your account.\n\n"
        f"{school.name + '. ' if school else ''}This email holds no details of any record.\n"
    )
    return subject, body


@task()
def send_two_factor_reset_email(person_id: int, reset_by_id: int, reset_at: str, attempt: int = 1) -> str:
    """Tells a person their second factor was reset; retried until the mail server takes it."""
    person = User.objects.get(pk=person_id)
    if not person.email:
        return "no address"
    reset_by = User.objects.get(pk=reset_by_id)
    subject, body = two_factor_reset_email(person=person, reset_by=reset_by, reset_at=datetime.fromisoformat(reset_at))
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]).send()
    except (smtplib.SMTPException, OSError) as error:
        # The log names the person by number only.
        logger.warning("Two-factor reset email to user %s not sent (%s); retrying", person.pk, type(error).__name__)
        send_two_factor_reset_email.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
            person_id, reset_by_id, reset_at, attempt + 1
        )
        return "retry queued"
    return "sent"
