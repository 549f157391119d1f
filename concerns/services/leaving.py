"""A child leaving, due to leave, or missing (R38, R56, R57, R91): the chronology line, the tasks it sets (tell the
social worker at once, tell the local authority of home education or a child missing from education, consider
sharing with the next school before they go), the last known school, and opening the CP file's transfer.

Proved by tests/concerns/test_inform_social_worker.py, test_share_before_leaving.py, test_last_known_school.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from concerns import tasks
from concerns.models import (
    SENDS_CP_FILE,
    Action,
    ActionKind,
    ActionStatus,
    ChronologyKind,
    Destination,
    FileTransfer,
    FlagKind,
    KeyPerson,
    KeyPersonKind,
    Pupil,
    PupilEvent,
    PupilEventKind,
    keeps_record,
)
from concerns.selectors import has_cp_file
from concerns.services.actions import action_mark_done, action_open
from concerns.services.chronology import as_sentence, chronology_add
from concerns.services.transfers import file_transfer_out_open
from contacts.models import Purpose
from contacts.selectors import contacts_for_purpose
from safeguarding import access, calendar
from safeguarding.models import User

# Policy Section 6: for these children the social worker is told at once when they leave or go missing.
SOCIAL_WORKER_FLAGS: dict[str, str] = {  # FlagKind: how the plan reads in a sentence
    FlagKind.CHILD_PROTECTION: "on a child protection plan",
    FlagKind.CHILD_IN_NEED: "on a child in need plan",
    FlagKind.LOOKED_AFTER: "looked after",
}


@dataclass
class PupilEventResult:
    """What recording a leaving or an absence did: the event, and the task to inform the social worker (created
    now, already open, or none because the child has no current plan and is not looked after)."""

    event: PupilEvent
    task: Action | None = None
    task_created: bool = False
    social_workers: list[KeyPerson] = field(default_factory=list)
    transfer: FileTransfer | None = None  # R55: the CP file to send, when the child who left has one
    notify_task: Action | None = None  # a child who left for home education or missing education: tell the LA
    share_task: Action | None = None  # R56: consider sharing with the new school, set now for this leaving


def social_workers_text(people: Iterable[KeyPerson]) -> str:
    """The social workers as the person making the call needs them: name, team and phone."""
    return "; ".join(
        f"{p.name} ({p.relationship_or_team}{', ' + p.phone if p.phone else ', no phone number recorded'})"
        for p in people
    )


# R56: children for whom sharing with the new school before they leave must be considered (KCSIE Annex C).
SHARE_BEFORE_LEAVING_FLAGS = {**SOCIAL_WORKER_FLAGS, FlagKind.PREVENT_CHANNEL: "supported through Channel (Prevent)"}


# How a destination reads after "Where to:" in a chronology line (R57).
DESTINATION_WORDS: dict[str, str] = {  # keyed by Destination, read with the event's plain str
    Destination.SCHOOL: "another school in England",
    Destination.INDEPENDENT: "an independent school",
    Destination.POST_16: "post-16 education or training",
    Destination.HOME_EDUCATION: "elective home education",
    Destination.MISSING: "not known (child missing education)",
    Destination.ABROAD: "abroad",
    Destination.DIED: "the child died",
}


def _what_happened(event: PupilEvent) -> str:
    if event.kind == PupilEventKind.LEFT:
        return f"the child left the school on {event.on:%-d %B %Y}"
    if event.kind == PupilEventKind.LEAVING:
        return f"the child is due to leave the school on {event.on:%-d %B %Y}"
    return f"the child has an unexplained absence or is missing, from {event.on:%-d %B %Y}"


def _inform_social_worker_notes(event: PupilEvent, reasons: list[str], people: list[KeyPerson]) -> str:
    notes = f"Tell the child's social worker now that {_what_happened(event)}. The child is {' and '.join(reasons)}. "
    if people:
        return notes + f"Social worker: {social_workers_text(people)}."
    return notes + (
        "No social worker is recorded on the child's file: ask children's social care who it is, tell them, and add "
        "the social worker to the file."
    )


@transaction.atomic
def pupil_event_record(*, user: User, pupil: Pupil, event: PupilEvent) -> PupilEventResult:
    """R38: records that the child left the school (and takes them off roll), is due to leave (R56), or has an
    unexplained absence or is missing, with its chronology line. If the child who left or is missing is on a child
    protection or child in need plan, or looked after, on the day recorded or on the day it happened, the person
    recording gets an open task, due now, to inform the child's social worker, with whom to call in its notes;
    never a second one while one is open. A leaving (ahead or on the day) of a child with a social worker or in
    Channel also sets R56's task to consider sharing with the new school. Each task rule is one helper below,
    returning the task and the sentence it adds to the chronology line."""
    if not access.can_view_pupil_file(user, pupil):
        raise PermissionDenied
    pupil = Pupil.objects.select_for_update().select_related("school").get(pk=pupil.pk)
    _save_event(user=user, pupil=pupil, event=event)

    today = timezone.localdate()
    current = [
        f
        for f in pupil.flags.filter(kind__in=SHARE_BEFORE_LEAVING_FLAGS)
        if f.is_current(today) or f.is_current(event.on)
    ]
    share_reasons = list(dict.fromkeys(SHARE_BEFORE_LEAVING_FLAGS[f.kind] for f in current))
    # R38 is about a child who has left or is missing; a leaving still to come is told through R56's task.
    reasons = (
        [] if event.kind == PupilEventKind.LEAVING else [r for r in share_reasons if r in SOCIAL_WORKER_FLAGS.values()]
    )
    people = list(pupil.key_people.filter(kind=KeyPersonKind.SOCIAL_WORKER).order_by("name"))
    result = PupilEventResult(event=event, social_workers=people)

    name, role = user.name_and_role_at(pupil.school)
    summary = _event_sentence(event) + f" Recorded by {name} ({role})."
    result.notify_task, said = _notify_la_task(user=user, pupil=pupil, event=event, by=(name, role))
    summary += said
    if reasons:
        result.task, result.task_created, said = _inform_social_worker_task(
            user=user, pupil=pupil, event=event, reasons=reasons, people=people
        )
        summary += said
    if share_reasons and event.kind != PupilEventKind.ABSENT:
        result.share_task, said = _share_task(
            user=user,
            pupil=pupil,
            event=event,
            share_reasons=share_reasons,
            also=bool(reasons),
            people=people,
            by=(name, role),
        )
        summary += said
    kinds: dict[str, ChronologyKind] = {
        PupilEventKind.LEFT: ChronologyKind.LEFT,
        PupilEventKind.LEAVING: ChronologyKind.LEAVING,
    }
    kind = kinds.get(event.kind, ChronologyKind.ABSENT)
    chronology_add(concern=None, pupil=pupil, kind=kind, by=user, summary=summary)
    if event.kind == PupilEventKind.LEFT and event.destination in SENDS_CP_FILE and has_cp_file(pupil, day=event.on):
        result.transfer = file_transfer_out_open(user=user, pupil=pupil, event=event)
    return result


def _save_event(*, user: User, pupil: Pupil, event: PupilEvent) -> None:
    """The event itself; a child who has left comes off roll, and whether this school keeps the whole record is
    settled now (R57)."""
    event.school = pupil.school
    event.pupil = pupil
    event.recorded_by = user
    event.recorded_by_name, event.recorded_by_role = user.name_and_role_at(pupil.school)
    if event.kind == PupilEventKind.ABSENT:
        event.destination = ""
    event.full_clean()
    if event.kind == PupilEventKind.LEFT:
        event.keeps_record = keeps_record(event.destination, date_of_birth=pupil.date_of_birth, left_on=event.on)
    event.save()
    if event.kind == PupilEventKind.LEFT:
        pupil.on_roll, pupil.left_on = False, event.on
        pupil.save(update_fields=["on_roll", "left_on"])


def _event_sentence(event: PupilEvent) -> str:
    """What happened, where the child went, and who keeps the record, as the chronology line begins."""
    if event.kind == PupilEventKind.LEFT:
        summary = f"Left the school on {event.on:%-d %B %Y}. Destination and circumstances: "
    elif event.kind == PupilEventKind.LEAVING:
        summary = f"Due to leave the school on {event.on:%-d %B %Y}. Destination and circumstances: "
    else:
        summary = (
            f"Unexplained absence or missing, from {event.on:%-d %B %Y}. Where the child is believed to be, and the "
            "circumstances: "
        )
    summary = as_sentence(summary + event.details)
    if event.destination == Destination.DIED:
        summary += " The child died."
    elif event.destination:
        summary += f" Where to: {DESTINATION_WORDS[event.destination]}."
    if event.kind == PupilEventKind.LEFT:
        summary += (
            " This school is the child's last known school, so it keeps the whole record."
            if event.keeps_record
            else " The record goes on with the child; this school keeps a record of where it went and applies the "
            "retention policy to its own copy."
        )
    return summary


def _notify_la_task(*, user: User, pupil: Pupil, event: PupilEvent, by: tuple[str, str]) -> tuple[Action | None, str]:
    """The Pupil Registration Regulations' rule: a child gone to home education or missing from education is told
    to the local authority now, by the person recording."""
    if event.kind != PupilEventKind.LEFT or event.destination not in NOTIFY_LA_DESTINATIONS:
        return None, ""
    task = action_open(
        pupil=pupil,
        kind=ActionKind.CME_EHE_NOTIFICATION,
        user=user,
        owner=user,
        due_at=timezone.now(),
        notes=_notify_la_notes(event),
        add_line=False,  # the event's own line says so
    )
    name, role = by
    return task, (
        f" A task was set for {name} ({role}) to tell the local authority (children missing education / "
        "home education) now."
    )


def _inform_social_worker_task(
    *, user: User, pupil: Pupil, event: PupilEvent, reasons: list[str], people: list[KeyPerson]
) -> tuple[Action, bool, str]:
    """R38: the child's social worker is told at once; one open task is enough, and its owner is told of a later
    event in its notes. Returns the task, whether it is new, and the sentence."""
    existing = Action.objects.filter(
        pupil=pupil, concern__isnull=True, kind=ActionKind.INFORM_SOCIAL_WORKER, status=ActionStatus.OPEN
    ).first()
    if existing is None:
        task = action_open(
            pupil=pupil,
            kind=ActionKind.INFORM_SOCIAL_WORKER,
            user=user,
            owner=user,
            due_at=timezone.now(),
            notes=_inform_social_worker_notes(event, reasons, people),
            add_line=False,  # the event's own line says so
        )
    else:
        existing.notes = f"{existing.notes}\nLater recorded: {_what_happened(event)}.".strip()
        existing.save(update_fields=["notes"])
        task = existing
    assert task.owner is not None  # action_open gives every action an owner (the one named, else the user)
    owner_name, owner_role = task.owner.name_and_role_at(pupil.school)
    if existing is None:
        return (
            task,
            True,
            (
                f" The child is {' and '.join(reasons)}, so a task was set for {owner_name} ({owner_role}) to inform "
                "the child's social worker immediately."
            ),
        )
    return (
        task,
        False,
        (
            f" The child is {' and '.join(reasons)}; the task to inform the child's social worker, for "
            f"{owner_name} ({owner_role}), was already open."
        ),
    )


def _share_task(
    *,
    user: User,
    pupil: Pupil,
    event: PupilEvent,
    share_reasons: list[str],
    also: bool,
    people: list[KeyPerson],
    by: tuple[str, str],
) -> tuple[Action | None, str]:
    """R56: for a child with a social worker or in Channel, sharing with the new school is considered before they
    leave (or, once they have left, done). `also` when the social worker's task was set too."""
    task = _share_before_leaving(user=user, pupil=pupil, event=event, reasons=share_reasons, people=people)
    if task is None:
        return None, ""
    name, role = by
    why = "A task was also set" if also else f"The child is {' and '.join(share_reasons)}, so a task was set"
    what = (
        "share what the new school needs, now that the child has left"
        if event.kind == PupilEventKind.LEFT
        else "consider sharing information with the new school before the child leaves"
    )
    return task, f" {why} for {name} ({role}) to {what}."


# The Pupil Registration Regulations: the LA is told when a child leaves for home education or goes missing from
# education, no later than the name comes off the roll.
NOTIFY_LA_DESTINATIONS = frozenset({Destination.HOME_EDUCATION, Destination.MISSING})


def _notify_la_notes(event: PupilEvent) -> str:
    happened = _what_happened(event)
    notes = (
        f"{happened[0].upper()}{happened[1:]}: {DESTINATION_WORDS[event.destination]}. Tell the local authority's "
        "children missing education team now, before or as the child's name comes off the roll."
    )
    # The directory's current CME entries (R91), with their area; any entry flagged as doubtful is left out.
    contacts = [
        c
        for c in contacts_for_purpose(school=event.school, purposes=[Purpose.CME])
        if not c.data_warning and (c.email or c.phone)
    ]
    if not contacts:
        return notes + " No children missing education contact is in the key-contacts directory: add one."
    found = "; ".join(
        f"{c.role} ({c.get_area_display()}): {', '.join(v for v in (c.phone, c.email) if v)}" for c in contacts
    )
    return f"{notes} {found}."


def _share_before_leaving(
    *, user: User, pupil: Pupil, event: PupilEvent, reasons: list[str], people: list[KeyPerson]
) -> Action | None:
    """R56: the person recording a leaving (ahead of time, or on the day) is prompted to consider sharing
    information with the new school before the child leaves: due by the start of the leaving day, or now if that
    has passed. One per leaving: a prompt set since the child last left (the leaving recorded ahead, then the day)
    is brought forward instead, or closed if the child left with no new school to share with."""
    # This leaving began with the first leaving event recorded since the child last left (if they ever did and
    # came back): prompts set from then on are this leaving's.
    leavings = PupilEvent.objects.filter(pupil=pupil, kind__in=(PupilEventKind.LEFT, PupilEventKind.LEAVING))
    previous_left = leavings.filter(kind=PupilEventKind.LEFT).exclude(pk=event.pk).order_by("-recorded_at").first()
    if previous_left is not None:
        leavings = leavings.filter(recorded_at__gt=previous_left.recorded_at)
    began = leavings.order_by("recorded_at").values_list("recorded_at", flat=True).first() or event.recorded_at
    earlier = Action.objects.filter(
        pupil=pupil, concern__isnull=True, kind=ActionKind.SHARE_BEFORE_LEAVING, created_at__gte=began
    )
    no_new_school = event.kind == PupilEventKind.LEFT and event.destination not in SENDS_CP_FILE
    due_at = timezone.now()
    if event.kind == PupilEventKind.LEAVING:
        due_at = max(due_at, calendar.school_day_start(pupil.school, event.on))
    if earlier.exists():
        for task in earlier.filter(status=ActionStatus.OPEN):
            if no_new_school:
                outcome = f"Not needed: {_what_happened(event)} ({DESTINATION_WORDS[event.destination]})."
                action_mark_done(task, user=user, outcome=outcome)
                continue
            task.notes = f"{task.notes}\nLater recorded: {_what_happened(event)}.".strip()
            moved = task.due_at is None or due_at < task.due_at
            task.due_at = due_at if moved else task.due_at
            task.save(update_fields=["due_at", "notes"])
            if moved:
                tasks.remind_action_due.using(run_after=due_at).enqueue(task.pk)
        return None
    if no_new_school:
        return None
    if event.kind == PupilEventKind.LEFT:
        ask = (
            "The child has left: share what the new school needs now, so that support is in place from the first "
            "day (KCSIE Annex C)."
        )
    else:
        ask = (
            "Consider sharing information with the new school before the child leaves, so that support is in place "
            "from the first day (KCSIE Annex C)."
        )
    notes = (
        f"The child is {' and '.join(reasons)}, and {_what_happened(event)}. {ask} Record what you share, with whom "
        "and why, in the information-sharing log, or record here why you decided not to."
    )
    if people:
        notes += f" Social worker: {social_workers_text(people)}."
    return action_open(
        pupil=pupil,
        kind=ActionKind.SHARE_BEFORE_LEAVING,
        user=user,
        owner=user,
        due_at=due_at,
        notes=notes,
        add_line=False,  # the event's own line says so
    )
