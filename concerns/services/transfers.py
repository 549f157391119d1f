"""Moving schools (R55, R58): the CP file sent to the next school (separately from the education record, within
five school days, with proof of receipt), and a file received from the last one, each step closing its task
and writing its chronology line.

Proved by tests/concerns/test_file_transfers.py.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from concerns.models import (
    ActionKind,
    ChronologyKind,
    FileTransfer,
    Pupil,
    PupilEvent,
    TransferDirection,
)
from concerns.selectors import is_child_on_child_case
from concerns.services.actions import action_mark_done, action_open
from concerns.services.chronology import as_sentence, chronology_add
from safeguarding import access, calendar
from safeguarding.models import Role, School, User
from safeguarding.selectors import people_at


def _day(value: date) -> str:
    return f"{value:%A %-d %B %Y}"


def file_transfer_out_open(*, user: User, pupil: Pupil, event: PupilEvent) -> FileTransfer:
    """R55: the task to send the CP file, due at the end of the 5th school day after leaving (or the 5th of the new
    term), and the transfer it closes. While one is still open, that one stands (a leaving recorded twice)."""
    existing = (
        FileTransfer.objects.filter(pupil=pupil, direction=TransferDirection.OUT, receipt_confirmed_on__isnull=True)
        .select_related("action")
        .first()
    )
    if existing is not None:
        return existing
    due_on = calendar.transfer_due(pupil.school, event.on)
    action = action_open(
        pupil=pupil,
        kind=ActionKind.SEND_CP_FILE,
        user=user,
        owner=user,
        due_at=calendar.school_day_end(pupil.school, due_on),
        notes="Send the CP file separately from the main pupil file, by a secure method, then record it here with "
        "the receiving school's confirmation of receipt.",
        add_line=False,  # the line below says so
    )
    name, role = user.name_and_role_at(pupil.school)
    transfer = FileTransfer(
        school=pupil.school,
        pupil=pupil,
        direction=TransferDirection.OUT,
        event=event,
        due_on=due_on,
        action=action,
        recorded_by=user,
        recorded_by_name=name,
        recorded_by_role=role,
    )
    transfer.full_clean()
    transfer.save()
    assert action.owner is not None  # action_open gives every action an owner (the one named, else the user)
    owner_name, owner_role = action.owner.name_and_role_at(pupil.school)
    chronology_add(
        concern=None,
        pupil=pupil,
        kind=ChronologyKind.CP_FILE_DUE,
        by=user,
        summary=f"The CP file must be sent to the next school by the end of the school day on {_day(due_on)}, the "
        f"fifth school day after the child left. A task was set for {owner_name} ({owner_role}).",
    )
    return transfer


def _lock_transfer(*, user: User, transfer: FileTransfer, direction: str) -> FileTransfer:
    if not access.can_view_pupil_file(user, transfer.pupil):
        raise PermissionDenied
    locked = (
        FileTransfer.objects.select_for_update(of=("self",))
        .select_related("pupil__school", "event", "action")
        .get(pk=transfer.pk)
    )
    if locked.direction != direction:
        raise ValidationError("This is not that kind of transfer.")
    return locked


def _finish_transfer(*, user: User, transfer: FileTransfer, sentence: str, after: str = "") -> None:
    """Recording the last step of a transfer closes its task with `sentence`, and writes the chronology line."""
    if transfer.action is not None and transfer.action.is_open:
        action_mark_done(transfer.action, user=user, outcome=sentence)
    name, role = user.name_and_role_at(transfer.school)
    chronology_add(
        concern=None,
        pupil=transfer.pupil,
        kind=ChronologyKind.CP_FILE_RECEIPT_CONFIRMED,
        by=user,
        summary=f"{sentence} Recorded by {name} ({role}){after}.",
    )


@transaction.atomic
def file_transfer_sent(
    *,
    user: User,
    transfer: FileTransfer,
    sent_on: date | None,
    method: str,
    other_school: str,
    other_school_contact: str = "",
    onward_support: str = "",
) -> FileTransfer:
    """R55: the CP file went to the next school: when, how, and to whom. The task stays open until the receiving
    school confirms receipt. R56: for a child-on-child case, what onward support needs and risks were passed on."""
    transfer = _lock_transfer(user=user, transfer=transfer, direction=TransferDirection.OUT)
    if transfer.sent_on is not None:
        raise ValidationError("The file is already recorded as sent.")
    errors = {}
    if is_child_on_child_case(transfer.pupil) and not onward_support.strip():
        errors["onward_support"] = (
            "This child was part of a child-on-child case: record the onward support needs and risks passed on to "
            "the new school."
        )
    if not other_school.strip():
        errors["other_school"] = "Give the school the file went to."
    if not method:
        errors["method"] = "Say how the file was sent."
    if not sent_on:
        errors["sent_on"] = "Give the date the file was sent."
    if errors:
        raise ValidationError(errors)
    assert sent_on is not None  # no date is one of the errors just raised
    transfer.sent_on, transfer.method = sent_on, method
    transfer.other_school, transfer.other_school_contact = other_school.strip(), other_school_contact.strip()
    transfer.onward_support = onward_support.strip()
    transfer.full_clean()
    transfer.save(update_fields=["sent_on", "method", "other_school", "other_school_contact", "onward_support"])
    name, role = user.name_and_role_at(transfer.school)
    to = transfer.other_school + (f", for {transfer.other_school_contact}" if transfer.other_school_contact else "")
    timing = (
        ("on time" if transfer.sent_on_time else f"after the day it was due ({transfer.due_on:%-d %B %Y})")
        if transfer.due_on
        else ""
    )
    chronology_add(
        concern=None,
        pupil=transfer.pupil,
        kind=ChronologyKind.CP_FILE_SENT,
        by=user,
        summary=f"CP file sent to {to} {transfer.method_words} on {_day(transfer.sent_on)}"
        + (f", {timing}" if timing else "")
        + (
            f". Onward support needs and risks passed on: {as_sentence(transfer.onward_support)[:-1]}"
            if transfer.onward_support
            else ""
        )
        + f". Recorded by {name} ({role}). Waiting for the receiving school to confirm receipt.",
    )
    return transfer


@transaction.atomic
def file_transfer_receipt_confirmed(
    *, user: User, transfer: FileTransfer, confirmed_by: str, confirmed_on: date | None
) -> FileTransfer:
    """R55: the receiving school confirmed receipt (who, when). This, and only this, closes the task to send the
    file."""
    transfer = _lock_transfer(user=user, transfer=transfer, direction=TransferDirection.OUT)
    if transfer.sent_on is None:
        raise ValidationError("Record that the file was sent first.")
    if transfer.receipt_confirmed_on is not None:
        raise ValidationError("Receipt is already confirmed.")
    errors = {}
    if not confirmed_by.strip():
        errors["receipt_confirmed_by"] = "Say who at the receiving school confirmed receipt."
    if not confirmed_on:
        errors["receipt_confirmed_on"] = "Give the date receipt was confirmed."
    if errors:
        raise ValidationError(errors)
    assert confirmed_on is not None  # no date is one of the errors just raised
    transfer.receipt_confirmed_by, transfer.receipt_confirmed_on = confirmed_by.strip(), confirmed_on
    transfer.full_clean()
    transfer.save(update_fields=["receipt_confirmed_by", "receipt_confirmed_on"])
    sentence = (
        f"{transfer.other_school} confirmed receipt of the CP file: {transfer.receipt_confirmed_by}, "
        f"on {_day(confirmed_on)}."
    )
    _finish_transfer(user=user, transfer=transfer, sentence=sentence, after="; the task to send the file is done")
    return transfer


def _told_of_arrival(school: School) -> list[User]:
    """R58: the DSL, the deputies and the SENCo."""
    return list(people_at(school, roles=(*access.DSL_TEAM, Role.SENCO)).order_by("pk"))


@transaction.atomic
def file_transfer_received(*, user: User, pupil: Pupil, transfer: FileTransfer) -> FileTransfer:
    """R58: a CP file came from the child's previous school. It goes on the chronology; the recorder gets a task to
    confirm receipt to the sender by the close of the next working day; the DSL, the deputies and the SENCo are
    told on My concerns (a notice with the child's name and the date, nothing of the file)."""
    if not access.can_view_pupil_file(user, pupil):
        raise PermissionDenied
    errors = {}
    if not transfer.other_school.strip():
        errors["other_school"] = "Give the school the file came from."
    if not transfer.received_on:
        errors["received_on"] = "Give the date the file was received."
    if not transfer.method:
        errors["method"] = "Say how the file came."
    if errors:
        raise ValidationError(errors)
    assert transfer.received_on is not None  # no date is one of the errors just raised
    name, role = user.name_and_role_at(pupil.school)
    transfer.school, transfer.pupil, transfer.direction = pupil.school, pupil, TransferDirection.IN
    transfer.recorded_by, transfer.recorded_by_name, transfer.recorded_by_role = user, name, role
    transfer.full_clean()
    transfer.action = action_open(
        pupil=pupil,
        kind=ActionKind.CONFIRM_CP_FILE_RECEIPT,
        user=user,
        owner=user,
        due_at=calendar.close_of_next_working_day(timezone.now()),
        notes=f"Confirm to {transfer.other_school} that the CP file arrived, then record the date on the child's file.",
        add_line=False,
        always_new=True,  # each file received has its own sender to answer
    )
    transfer.save()
    transfer.told.set(_told_of_arrival(pupil.school))
    from_whom = transfer.other_school + (f" ({transfer.other_school_contact})" if transfer.other_school_contact else "")
    chronology_add(
        concern=None,
        pupil=pupil,
        kind=ChronologyKind.CP_FILE_RECEIVED,
        by=user,
        summary=f"CP file received from {from_whom} {transfer.method_words} on "
        f"{_day(transfer.received_on)}. Recorded by {name} ({role}), who is to confirm receipt to the sending school "
        "by the close of the next working day. The DSL, the deputies and the SENCo were told.",
    )
    return transfer


@transaction.atomic
def file_transfer_confirmation_sent(
    *, user: User, transfer: FileTransfer, confirmation_sent_on: date | None
) -> FileTransfer:
    """R58: receipt was confirmed to the sending school; that closes the task."""
    transfer = _lock_transfer(user=user, transfer=transfer, direction=TransferDirection.IN)
    if transfer.confirmation_sent_on is not None:
        raise ValidationError("Receipt is already confirmed to the sending school.")
    if not confirmation_sent_on:
        raise ValidationError({"confirmation_sent_on": "Give the date you confirmed receipt."})
    transfer.confirmation_sent_on = confirmation_sent_on
    transfer.full_clean()
    transfer.save(update_fields=["confirmation_sent_on"])
    sentence = f"Receipt of the CP file confirmed to {transfer.other_school} on {_day(confirmation_sent_on)}."
    _finish_transfer(user=user, transfer=transfer, sentence=sentence)
    return transfer
