"""What the DSL team records on a concern besides triage (R36, R37, R41–R47): attachments, contact with parents, the
child's voice, information shared and its lawful basis, meetings, professional disagreements, notes shared with
staff on a need-to-know basis, and the mirror record made for each other child in a child-on-child case (R10).

Proved by tests/concerns/test_parents_voice_sharing.py, test_meetings_and_disagreements.py, test_staff_notes.py,
test_mirror_records.py.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from concerns import categories
from concerns.models import (
    Attachment,
    CategoryChoice,
    ChildVoice,
    ChronologyKind,
    Concern,
    Disagreement,
    InformationShare,
    Meeting,
    MirrorRecord,
    MirrorStatus,
    ParentContact,
    ParentsTold,
    ShareDirection,
    StaffNote,
)
from concerns.services.chronology import category_labels, chronology_add, refuse_if_closed
from concerns.services.raising import UploadedFile
from safeguarding import access
from safeguarding.models import Membership, User

# The records the DSL team writes on a concern through _record_on_concern; the one given is the one given back.
_OnConcern = TypeVar("_OnConcern", ParentContact, ChildVoice, InformationShare, Meeting, Disagreement, StaffNote)


@transaction.atomic
def attachment_add(*, user: User, concern: Concern, upload: UploadedFile, override_reason: str = "") -> Attachment:
    """The DSL team adds a file to a concern. On a nudes concern it needs a recorded reason (R11 override)."""
    if not access.can_triage(user, concern.school):
        raise PermissionDenied
    nudes = concern.categories.filter(code=categories.NUDES).exists()
    if nudes and not override_reason.strip():
        raise ValidationError({"override_reason": "Record why this file must be kept."})
    attachment = Attachment.objects.create(
        concern=concern,
        file=upload.file,
        original_name=upload.name[:255],
        content_type=upload.content_type,
        size=upload.size,
        uploaded_by=user,
        override_reason=override_reason if nudes else "",
    )
    name, role = user.name_and_role_at(concern.school)
    reason = f" Kept despite the rule against images of this kind, because: {override_reason}" if nudes else ""
    chronology_add(
        concern=concern, kind=ChronologyKind.ATTACHMENT, by=user, summary=f"File attached by {name} ({role}).{reason}"
    )
    return attachment


def _record_on_concern(*, user: User, concern: Concern, record: _OnConcern, kind: str, summary: str) -> _OnConcern:
    """Saves a record the DSL team writes on a concern, with who wrote it, and its chronology line."""
    if not access.can_triage(user, concern.school):
        raise PermissionDenied
    refuse_if_closed(concern)
    record.concern = concern
    record.recorded_by = user
    record.recorded_by_name, record.recorded_by_role = user.name_and_role_at(concern.school)
    record.full_clean()
    record.save()
    chronology_add(
        concern=concern,
        kind=kind,
        by=user,
        summary=f"{summary} Recorded by {record.recorded_by_name} ({record.recorded_by_role}).",
    )
    return record


@transaction.atomic
def parent_contact_record(*, user: User, concern: Concern, record: ParentContact) -> ParentContact:
    """R45: told, not told (with the reason and whether CSC or the police advised), or not yet."""
    if record.told == ParentsTold.YES:
        when = timezone.localtime(record.told_at) if record.told_at else None
        summary = f"Parents or carers told: {record.who_was_told}, by {record.told_by}" + (
            f", on {when:%-d %B %Y at %H:%M}." if when else "."
        )
    elif record.told == ParentsTold.NO:
        advice = " Children's social care or the police advised." if record.csc_advice_sought else ""
        summary = f"Parents or carers not told. Reason: {record.reason_not_told}.{advice}"
    else:
        summary = "Parents or carers not yet told."
    return _record_on_concern(user=user, concern=concern, record=record, kind=ChronologyKind.PARENTS, summary=summary)


@transaction.atomic
def child_voice_record(*, user: User, concern: Concern, record: ChildVoice) -> ChildVoice:
    """R46: the child's wishes and feelings, and whether they were taken into account."""
    summary = (
        f"The child's wishes and feelings: {record.wishes_and_feelings} "
        f"Taken into account: {record.get_taken_into_account_display().lower()}."
        + (f" {record.how}" if record.how else "")
    )
    return _record_on_concern(
        user=user, concern=concern, record=record, kind=ChronologyKind.CHILD_VOICE, summary=summary
    )


@transaction.atomic
def information_share_record(*, user: User, concern: Concern, record: InformationShare) -> InformationShare:
    """R41, R42: sharing outside business as usual, and refusals, each with its lawful basis and reason."""
    who = f"{record.recipient_name} ({record.recipient_role}, {record.agency})"
    if record.direction == ShareDirection.SHARED:
        kind, opening = ChronologyKind.INFORMATION_SHARED, f"Information shared with {who}: {record.what}"
    else:
        kind, opening = ChronologyKind.INFORMATION_REFUSED, f"Request from {who} refused: {record.what}"
    summary = (
        f"{opening}. Purpose: {record.purpose}. Lawful basis: {record.get_lawful_basis_display()}. "
        f"{record.get_consent_display()}. Reason: {record.reason}."
        + (" The DPO's advice was sought." if record.dpo_advice_sought else "")
    )
    return _record_on_concern(user=user, concern=concern, record=record, kind=kind, summary=summary)


@transaction.atomic
def meeting_record(*, user: User, concern: Concern, record: Meeting) -> Meeting:
    """R36: strategy discussions, s47 meetings, conferences, core groups, CIN and TAF meetings."""
    report = "The school's report was submitted" if record.report_submitted else "No report from the school"
    if record.report_submitted:
        report += (
            ", shared with the parents first"
            if record.report_shared_with_parents
            else ", not shared with the parents first"
        )
    summary = (
        f"{record.get_kind_display()} on {record.held_on:%-d %B %Y}. Attended by: {record.attendees}. {report}."
        + (f" {record.notes}" if record.notes else "")
    )
    return _record_on_concern(user=user, concern=concern, record=record, kind=ChronologyKind.MEETING, summary=summary)


@transaction.atomic
def disagreement_record(*, user: User, concern: Concern, record: Disagreement) -> Disagreement:
    """R37: a professional disagreement or escalation, with whom, about what, and how it ended."""
    summary = (
        f"Professional disagreement raised on {record.raised_on:%-d %B %Y} with {record.with_whom}: {record.about}"
        + (f" Stage: {record.stage}." if record.stage else "")
        + (f" Outcome: {record.outcome}" if record.outcome else "")
    )
    return _record_on_concern(
        user=user, concern=concern, record=record, kind=ChronologyKind.DISAGREEMENT, summary=summary
    )


@transaction.atomic
def staff_note_share(*, user: User, concern: Concern, staff: list[User], note: str) -> StaffNote:
    """R47: the DSL tells named staff what they need to know; each sees the note on My concerns, not the file."""
    if any(not Membership.objects.filter(user=person, school=concern.school).exists() for person in staff):
        raise ValidationError("Choose staff who work at this school.")
    if not staff:
        raise ValidationError({"staff": "Choose who is being told."})
    record = StaffNote(note=note)
    names = ", ".join(sorted(f"{p.get_full_name()} ({p.name_and_role_at(concern.school)[1]})" for p in staff))
    # Saved through the shared path (permission, closed check, chronology) before the staff can be linked.
    record = _record_on_concern(
        user=user,
        concern=concern,
        record=record,
        kind=ChronologyKind.STAFF_NOTE,
        summary=f"Need-to-know note shared with {names}: {note}",
    )
    record.staff.set(staff)
    return record


def mirror_default_summary(mirror: MirrorRecord) -> str:
    """What the other child's file says by default: their part, when, and what kind of concern, nothing more."""
    concern = mirror.concern
    codes = concern.categories.filter(chosen_by=CategoryChoice.REPORTER).values_list("code", flat=True)
    return (
        f"Named as {mirror.get_role_display().lower()} in a concern recorded on "
        f"{timezone.localtime(concern.recorded_at):%-d %B %Y} about another pupil: {category_labels(codes)}."
    )


@transaction.atomic
def mirror_decide(
    *, user: User, mirror: MirrorRecord, confirm: bool, summary: str = "", reason: str = ""
) -> MirrorRecord:
    """R10: the DSL confirms the mirror record (it goes on the other child's chronology, showing only what concerns
    them) or declines it with a reason (recorded on the concern's own child's chronology)."""
    mirror = MirrorRecord.objects.select_for_update(of=("self",)).select_related("concern", "pupil").get(pk=mirror.pk)
    if not access.can_triage(user, mirror.concern.school):
        raise PermissionDenied
    if mirror.status != MirrorStatus.PROPOSED:
        return mirror
    name, role = user.name_and_role_at(mirror.concern.school)
    if confirm:
        mirror.summary = summary.strip() or mirror_default_summary(mirror)
        mirror.status = MirrorStatus.CONFIRMED
        chronology_add(
            concern=mirror.concern,
            kind=ChronologyKind.MIRROR,
            by=user,
            pupil=mirror.pupil,
            occurred_at=mirror.concern.recorded_at,
            summary=f"{mirror.summary} Added to this file by {name} ({role}).",
        )
    else:
        if not reason.strip():
            raise ValidationError({"reason_declined": "Say why this child's file should not have a record of it."})
        mirror.reason_declined = reason
        mirror.status = MirrorStatus.DECLINED
        chronology_add(
            concern=mirror.concern,
            kind=ChronologyKind.MIRROR,
            by=user,
            summary=f"No record put on {mirror.pupil.full_name}'s file ({mirror.get_role_display().lower()}), "
            f"decided by {name} ({role}). Reason: {reason}",
        )
    mirror.decided_by, mirror.decided_at = user, timezone.now()
    mirror.save()
    return mirror
