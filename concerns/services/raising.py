"""Raising a concern (R1–R16, R23, R24): the concern, its pupils, quotes and attachments as the author typed them,
whether it was recorded late (R12), the DSL team's back-entry of a concern given verbally or on paper and of a
police domestic-abuse notification, the author's addenda (R16), and the drafts that keep what was typed so that
nothing is ever lost. One transaction per concern, which also writes its alerts and queues its jobs: the task
table is the outbox (R19).

Proved by tests/concerns/test_concern_raise.py, test_raise_view.py, test_back_entry_and_lateness.py,
test_drafts.py, test_receipts.py.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from concerns import categories
from concerns.models import (
    OWN_ACCOUNT_KINDS,
    Addendum,
    Attachment,
    ChronologyKind,
    Concern,
    ConcernCategory,
    ConcernDraft,
    ConcernKind,
    ConcernPupil,
    DomesticAbuseNotification,
    MirrorRecord,
    Pupil,
    PupilRole,
    Quote,
    SourceType,
)
from concerns.services.alerting import concern_alert_team, escalation_due
from concerns.services.chronology import category_labels, chronology_add
from safeguarding import access, calendar, drafts
from safeguarding.models import School, User


@dataclass
class UploadedFile:
    name: str
    content_type: str
    size: int
    file: object  # a Django File


@dataclass
class ConcernInput:
    """What the raise form collected, cleaned. Who and when come from the request and the server, never from here."""

    idempotency_key: uuid.UUID
    subject: Pupil
    happened_at: datetime
    location: str
    people_present: str
    source_type: str
    account: str
    category_codes: list[str]
    source_name: str = ""
    source_role: str = ""
    opinion: str = ""
    opinion_owner: str = ""
    other_category: str = ""
    is_immediate: bool = False
    involves_adult: bool = False
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (words, speaker)
    other_pupils: list[tuple[Pupil, str]] = field(default_factory=list)  # (pupil, role)
    attachments: list[UploadedFile] = field(default_factory=list)


@dataclass
class PoliceNotificationInput:
    police_reference: str
    child_present: bool
    child_voice: str = ""


def is_late(*, school: School, happened_at: datetime, recorded_at: datetime) -> bool:
    """R12: late when recorded after the end of the school day on the day it happened (or on a later day)."""
    return recorded_at > calendar.school_day_end(school, timezone.localtime(happened_at).date())


@transaction.atomic
def concern_raise(
    *,
    author: User,
    school: School,
    data: ConcernInput,
    recorded_by: User | None = None,
    kind: str = ConcernKind.CONCERN,
    police: PoliceNotificationInput | None = None,
    withheld_from: User | None = None,
    first_recorded_at: datetime | None = None,
) -> Concern:
    """Saves a concern with its children, categories, quotes and files; alerts the DSL team; queues the emails and
    the escalation check. Sending the same form twice (same idempotency key) returns the first concern (R19–R21).

    `recorded_by` is the DSL team member entering a concern given verbally or a police notification (R23, R24);
    `author` is then the person who gave it. `withheld_from` is the adult an allegation is about, when the concern
    is the child-welfare concern the allegation opens (R64): they never see it (R61). `first_recorded_at` is when
    a record the DSL team enters late was first written down or given (a paper form): lateness is judged from it.
    """
    writer = recorded_by or author
    if not access.can_raise_concern(writer, school):
        raise PermissionDenied
    if recorded_by is not None and not access.can_record_for_others(recorded_by, school):
        raise PermissionDenied
    drafts.lock_author(writer)  # a draft save arriving now waits, then finds the concern sent
    existing = Concern.objects.filter(idempotency_key=data.idempotency_key).first()
    if existing is not None:
        if existing.author_id != author.pk or existing.school_id != school.pk:
            raise PermissionDenied
        # A draft save that was on its way when Send was pressed may have landed after the concern: it goes too.
        ConcernDraft.objects.filter(author=writer, idempotency_key=data.idempotency_key).delete()
        return existing
    if data.subject.school_id != school.pk or any(p.school_id != school.pk for p, _ in data.other_pupils):
        raise ValidationError("Choose pupils from your own school's roll.")
    unknown = [code for code in data.category_codes if code not in categories.BY_CODE]
    if not data.category_codes or unknown:
        raise ValidationError("Choose at least one category from the list.")

    now = timezone.now()
    if first_recorded_at is not None and (recorded_by is None or first_recorded_at > now):
        raise ValidationError("Only the DSL team back-enters a record, and never with a time still to come.")
    author_name, author_role = author.name_and_role_at(school)
    concern = Concern(
        school=school,
        kind=kind,
        author=author,
        author_name=author_name,
        author_role=author_role,
        transcribed_by=recorded_by,
        recorded_at=now,
        first_recorded_at=first_recorded_at,
        idempotency_key=data.idempotency_key,
        happened_at=data.happened_at,
        location=data.location,
        people_present=data.people_present,
        source_type=data.source_type,
        source_name=data.source_name if data.source_type == SourceType.SECOND_HAND else "",
        source_role=data.source_role if data.source_type == SourceType.SECOND_HAND else "",
        account=data.account,
        opinion=data.opinion,
        opinion_owner=data.opinion_owner if data.opinion else "",
        other_category=data.other_category if categories.OTHER in data.category_codes else "",
        is_immediate=data.is_immediate,
        involves_adult=data.involves_adult,
        is_late=kind in OWN_ACCOUNT_KINDS
        and is_late(school=school, happened_at=data.happened_at, recorded_at=first_recorded_at or now),
        escalation_due_at=escalation_due(school=school, recorded_at=now, is_immediate=data.is_immediate),
        withheld_from=withheld_from,
    )
    concern.full_clean()
    try:
        with transaction.atomic():
            concern.save()
    except IntegrityError:
        # Two submissions of one form raced each other: the other one won; this is the same concern.
        return Concern.objects.get(idempotency_key=data.idempotency_key, author=author)

    ConcernPupil.objects.create(concern=concern, pupil=data.subject, role=PupilRole.SUBJECT)
    for pupil, role in data.other_pupils:
        if pupil.pk != data.subject.pk:
            ConcernPupil.objects.get_or_create(concern=concern, pupil=pupil, defaults={"role": role})
            # R10: proposed now, confirmed or declined (with a reason) by the DSL team.
            MirrorRecord.objects.get_or_create(concern=concern, pupil=pupil, defaults={"role": role})
    for code in dict.fromkeys(data.category_codes):
        ConcernCategory.objects.create(concern=concern, code=code)
    for order, (words, speaker) in enumerate(data.quotes):
        Quote.objects.create(concern=concern, words=words, speaker=speaker, order=order)
    for upload in data.attachments:
        Attachment.objects.create(
            concern=concern,
            file=upload.file,
            original_name=upload.name[:255],
            content_type=upload.content_type,
            size=upload.size,
            uploaded_by=writer,
        )
    if police is not None:
        DomesticAbuseNotification.objects.create(
            concern=concern,
            police_reference=police.police_reference,
            child_present=police.child_present,
            child_voice=police.child_voice,
        )
    ConcernDraft.objects.filter(author=writer, idempotency_key=data.idempotency_key).delete()
    chronology_add(
        concern=concern,
        kind=ChronologyKind.CONCERN_RAISED,
        by=writer,
        summary=_raise_summary(concern, data),
        occurred_at=concern.written_at,  # a paper form takes its place in the chronology on the day it was written
    )
    concern_alert_team(concern)
    return concern


def _raise_summary(concern: Concern, data: ConcernInput) -> str:
    """A plain sentence with full names and roles and no codes, readable by a stranger decades from now (R54)."""
    happened = timezone.localtime(concern.happened_at)
    who = f"{concern.author_name} ({concern.author_role})"
    if concern.transcribed_by is not None:  # None without a query when transcribed_by_id is
        transcriber, role = concern.transcribed_by.name_and_role_at(concern.school)
        who += f", {concern.entry_words} by {transcriber} ({role})"
    parts = [
        f"Concern recorded by {who} about {happened:%-d %B %Y at %H:%M} at {concern.location}: "
        f"{category_labels(data.category_codes)}.",
    ]
    if concern.first_recorded_at:
        first = timezone.localtime(concern.first_recorded_at)
        entered = timezone.localtime(concern.recorded_at)
        parts.append(f"First written down or given {first:%-d %B %Y at %H:%M}; entered {entered:%-d %B %Y at %H:%M}.")
    if concern.is_immediate:
        parts.append("Marked Immediate.")
    if concern.is_late:
        parts.append("Recorded after the end of that school day.")
    others = [
        f"{pupil.full_name} ({ConcernPupil(role=role).get_role_display().lower()})" for pupil, role in data.other_pupils
    ]
    if others:
        parts.append("Other children involved: " + ", ".join(others) + ".")
    return " ".join(parts)


@transaction.atomic
def addendum_add(*, user: User, concern: Concern, text: str) -> Addendum:
    """R16: a dated correction by a named author; the original record is never changed."""
    if not (concern.author_id == user.pk or access.can_view_concern(user, concern)):
        raise PermissionDenied
    author_name, author_role = user.name_and_role_at(concern.school)
    addendum = Addendum(
        concern=concern,
        author=user,
        author_name=author_name,
        author_role=author_role,
        text=text,
    )
    addendum.full_clean()
    addendum.save()
    chronology_add(
        concern=concern,
        kind=ChronologyKind.ADDENDUM,
        by=user,
        summary=f"Addendum by {addendum.author_name} ({addendum.author_role}): {text}",
    )
    return addendum


@transaction.atomic
def draft_save(*, user: User, school: School, idempotency_key: uuid.UUID, data: dict) -> ConcernDraft | None:
    """Keeps what the person has typed so far into Raise a Concern (issue 3: nothing typed is lost); None once
    the concern is sent (safeguarding/drafts.py)."""
    if not access.can_raise_concern(user, school):
        raise PermissionDenied
    drafts.lock_author(user)
    sent_by = Concern.objects.filter(idempotency_key=idempotency_key).values_list("author_id", flat=True).first()
    return drafts.save(
        ConcernDraft, user=user, school=school, idempotency_key=idempotency_key, data=data, sent_by=sent_by
    )


def draft_discard(*, user: User, idempotency_key: uuid.UUID) -> None:
    drafts.discard(ConcernDraft, user=user, idempotency_key=idempotency_key)
