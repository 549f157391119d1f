"""Changes to children's records. Each function is one transaction that also writes its alerts and queues its jobs,
so a concern and the news of it commit (or fail) together: the task table is the outbox (R19)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from contacts.models import Purpose
from contacts.selectors import contacts_for_purpose
from safeguarding import access, calendar, drafts
from safeguarding.models import Membership, Role, School, User

from . import categories
from .models import (
    LA_OUTCOMES_WITH_SOCIAL_WORKER,
    OWN_ACCOUNT_KINDS,
    SENDS_CP_FILE,
    Action,
    ActionKind,
    Addendum,
    Alert,
    AlertReason,
    Attachment,
    CategoryChoice,
    ChildVoice,
    ChronologyEntry,
    ChronologyKind,
    Concern,
    ConcernCategory,
    ConcernDraft,
    ConcernKind,
    ConcernPupil,
    ConcernStatus,
    CoverShift,
    Decision,
    Destination,
    Disagreement,
    DomesticAbuseNotification,
    FileTransfer,
    FlagKind,
    InformationShare,
    KeyPerson,
    KeyPersonKind,
    LaOutcome,
    LevelOfNeed,
    Meeting,
    MirrorRecord,
    MirrorStatus,
    ParentContact,
    ParentsTold,
    Pupil,
    PupilEvent,
    PupilEventKind,
    PupilRole,
    Quote,
    ShareDirection,
    SourceType,
    StaffNote,
    TransferDirection,
    Triage,
    Unavailability,
    keeps_record,
)


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


def escalation_due(*, school: School, recorded_at: datetime, is_immediate: bool) -> datetime:
    """R20: when an unacknowledged concern goes to the senior leaders, counted in school hours."""
    minutes = school.escalate_immediate_after_minutes if is_immediate else school.escalate_routine_after_minutes
    return calendar.add_school_minutes(school, recorded_at, minutes)


def _people_with(school: School, roles) -> list[User]:
    return list(
        User.objects.filter(is_active=True, memberships__school=school, memberships__role__in=list(roles))
        .distinct()
        .order_by("pk")
    )


def available_dsl_team(*, school: School, at: datetime | None = None) -> list[User]:
    """R21, R22: the DSL and deputies who have not marked themselves away, plus whoever is on the cover rota now."""
    at = at or timezone.now()
    away = set(
        Unavailability.objects.filter(school=school, starts_at__lte=at)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .values_list("user_id", flat=True)
    )
    team = [u for u in _people_with(school, access.DSL_TEAM) if u.pk not in away]
    on_cover = User.objects.filter(
        is_active=True, cover_shifts__school=school, cover_shifts__starts_at__lte=at, cover_shifts__ends_at__gt=at
    ).distinct()
    return team + [u for u in on_cover if u not in team]


def senior_leaders(*, school: School) -> list[User]:
    return _people_with(school, access.SENIOR_LEADERS)


def _alert(concern: Concern, recipient: User, reason: str) -> Alert | None:
    from concerns.tasks import send_alert_email

    if concern.withheld_from_id is not None and concern.withheld_from_id == recipient.pk:
        return None  # R61: never to the adult the allegation is about
    alert, created = Alert.objects.get_or_create(concern=concern, recipient=recipient, reason=reason)
    if created:
        send_alert_email.enqueue(alert.pk)
        return alert
    return None


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
    concern = Concern(
        school=school,
        kind=kind,
        author=author,
        author_name=author.get_full_name() or author.username,
        author_role=author.name_and_role_at(school)[1],
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
    _chronicle(
        concern=concern,
        kind=ChronologyKind.CONCERN_RAISED,
        by=writer,
        summary=_raise_summary(concern, data),
        occurred_at=concern.written_at,  # a paper form takes its place in the chronology on the day it was written
    )
    _alert_on_raise(concern)
    return concern


def _name_and_role(user: User, school: School) -> tuple[str, str]:
    return user.name_and_role_at(school)


def _chronicle(
    *, concern: Concern | None, kind: str, by: User, summary: str, occurred_at: datetime | None = None, pupil=None
):
    """R52: writes the line on the child's chronology (the subject's, unless another child's is given), in the
    caller's transaction. A line about the child with no concern behind it (leaving, a pupil-level task) gives
    `concern=None` and the pupil."""
    if concern is None and pupil is None:
        raise ValueError("A chronology line needs a concern or a pupil.")
    name, role = _name_and_role(by, concern.school if concern is not None else pupil.school)
    subject = pupil or ConcernPupil.objects.select_related("pupil").get(concern=concern, role=PupilRole.SUBJECT).pupil
    ChronologyEntry.objects.create(
        pupil=subject,
        concern=concern,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        summary=summary,
        author=by,
        author_name=name,
        author_role=role,
    )


def _category_labels(codes) -> str:
    return "; ".join(categories.label(code) for code in codes)


def _raise_summary(concern: Concern, data: ConcernInput) -> str:
    """A plain sentence with full names and roles and no codes, readable by a stranger decades from now (R54)."""
    happened = timezone.localtime(concern.happened_at)
    who = f"{concern.author_name} ({concern.author_role})"
    if concern.transcribed_by_id:
        transcriber, role = _name_and_role(concern.transcribed_by, concern.school)
        who += f", {concern.entry_words} by {transcriber} ({role})"
    parts = [
        f"Concern recorded by {who} about {happened:%-d %B %Y at %H:%M} at {concern.location}: "
        f"{_category_labels(data.category_codes)}.",
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


def _alert_on_raise(concern: Concern) -> None:
    """R19: the DSL and every deputy at once; R21: if all of them are away, the senior leaders instead."""
    from concerns.tasks import escalate_if_unacknowledged

    team = [u for u in available_dsl_team(school=concern.school) if u.pk != concern.author_id]
    if team:
        for person in team:
            _alert(concern, person, AlertReason.NEW_CONCERN)
    else:
        for person in senior_leaders(school=concern.school):
            _alert(concern, person, AlertReason.REROUTED)
    escalate_if_unacknowledged.using(run_after=concern.escalation_due_at).enqueue(concern.pk)


@transaction.atomic
def concern_escalate_if_unacknowledged(*, concern_id: int, now: datetime | None = None) -> list[Alert]:
    """R20: a concern nobody in the DSL team acknowledged in time goes to the senior leaders (Head, Deputy Head)."""
    now = now or timezone.now()
    concern = Concern.objects.select_for_update().get(pk=concern_id)
    if concern.is_acknowledged or concern.escalated_at is not None:
        return []
    if concern.escalation_due_at and now < concern.escalation_due_at:
        # Run early (a worker clock ahead of the database's): check again when it is due.
        from concerns.tasks import escalate_if_unacknowledged

        escalate_if_unacknowledged.using(run_after=concern.escalation_due_at).enqueue(concern.pk)
        return []
    concern.escalated_at = now
    concern.save(update_fields=["escalated_at"])
    alerts = [_alert(concern, person, AlertReason.ESCALATED) for person in senior_leaders(school=concern.school)]
    return [a for a in alerts if a is not None]


@transaction.atomic
def concern_acknowledge(*, user: User, concern: Concern) -> Concern:
    """One click, recorded with who and when; it stops the escalation (R20, R25). A senior leader acknowledging
    gets a task to share the concern and what they did with the DSL, open until the DSL acknowledges it (R21)."""
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if not access.can_acknowledge(user, concern):
        raise PermissionDenied
    dsl_team = access.is_dsl_team(user, concern.school)
    if concern.acknowledged_at is None:
        concern.acknowledged_at = timezone.now()
        concern.acknowledged_by = user
        if concern.status == ConcernStatus.NEW:
            concern.status = ConcernStatus.ACKNOWLEDGED
        concern.save(update_fields=["acknowledged_at", "acknowledged_by", "status"])
        _chronicle(
            concern=concern, kind=ChronologyKind.ACKNOWLEDGED, by=user, summary=_acknowledged_summary(user, concern)
        )
        if not dsl_team:
            Action.objects.get_or_create(
                concern=concern,
                kind=ActionKind.SHARE_WITH_DSL,
                status="open",
                defaults={"school": concern.school, "owner": user, "created_by": user, "due_at": timezone.now()},
            )
    if dsl_team:
        # R21: the DSL keeps lead responsibility; seeing the concern closes the hand-back task.
        for action in concern.actions.filter(kind=ActionKind.SHARE_WITH_DSL, status="open"):
            _mark_done(action, user=user, outcome="Acknowledged by the DSL team.")
    return concern


def _acknowledged_summary(user: User, concern: Concern) -> str:
    name, role = _name_and_role(user, concern.school)
    return f"Concern acknowledged by {name} ({role})."


@transaction.atomic
def addendum_add(*, user: User, concern: Concern, text: str) -> Addendum:
    """R16: a dated correction by a named author; the original record is never changed."""
    if not (concern.author_id == user.pk or access.can_view_concern(user, concern)):
        raise PermissionDenied
    addendum = Addendum(
        concern=concern,
        author=user,
        author_name=user.get_full_name() or user.username,
        author_role=user.name_and_role_at(concern.school)[1],
        text=text,
    )
    addendum.full_clean()
    addendum.save()
    _chronicle(
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


def drafts_purge(*, now: datetime | None = None) -> int:
    return drafts.purge(now=now)


@transaction.atomic
def availability_set(*, user: User, school: School, away: bool) -> None:
    """R21: a DSL or deputy marks themselves away (or back); alerts go to whoever is available."""
    if not access.can_set_own_availability(user, school):
        raise PermissionDenied
    now = timezone.now()
    current = Unavailability.objects.filter(user=user, school=school, ends_at__isnull=True)
    if away and not current.exists():
        Unavailability.objects.create(user=user, school=school, starts_at=now)
    elif not away:
        for period in current:
            period.ends_at = now
            period.save(update_fields=["ends_at"])


def is_away(*, user: User, school: School) -> bool:
    return Unavailability.objects.filter(user=user, school=school, ends_at__isnull=True).exists()


@transaction.atomic
def cover_shift_add(*, user: User, school: School, person: User, starts_at: datetime, ends_at: datetime, note=""):
    """R22: the DSL puts someone on the holiday or out-of-hours cover rota; they get alerts while it runs."""
    if not access.is_dsl_team(user, school):
        raise PermissionDenied
    if not Membership.objects.filter(user=person, school=school).exists():
        raise ValidationError("Choose someone who works at this school.")
    shift = CoverShift(school=school, user=person, starts_at=starts_at, ends_at=ends_at, note=note)
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def cover_shift_end(*, user: User, shift: CoverShift) -> None:
    """Ends a running shift now; a shift that has not started is taken off the rota (the audit log keeps it)."""
    if not access.is_dsl_team(user, shift.school):
        raise PermissionDenied
    now = timezone.now()
    if shift.starts_at >= now:
        # Not begun (or beginning this very instant, when ending it would leave it no time at all): off the rota.
        shift.delete()
        return
    shift.ends_at = min(shift.ends_at, now)
    shift.save(update_fields=["ends_at"])


# --- Triage, decisions, closing (R25–R27, R40) --------------------------------------------------------------


class ConcurrentEdit(Exception):
    """Someone else changed the concern since this page was opened; nothing was saved (optimistic locking)."""

    def __init__(self, concern: Concern):
        super().__init__("The concern was changed by someone else.")
        self.concern = concern


def _lock_for_change(*, user: User, concern: Concern, expected_version: int | None) -> Concern:
    if not access.can_triage(user, concern.school):
        raise PermissionDenied
    locked = Concern.objects.select_for_update().get(pk=concern.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEdit(locked)
    return locked


@dataclass
class TriageInput:
    level: LevelOfNeed
    rationale: str
    immediate_needs: str = ""
    presentation: str = ""
    known_already: str = ""
    checks_needed: str = ""
    category_codes: list[str] = field(default_factory=list)  # the DSL's categories; empty keeps the reporter's
    known_fgm: bool = False  # R32: a girl disclosed FGM, or signs were seen (not merely suspected or at risk)


@transaction.atomic
def concern_triage(*, user: User, concern: Concern, data: TriageInput, expected_version: int | None) -> Triage:
    """R26, R27, R9: the level of need with its reason; re-categorising keeps the reporter's original choice.
    Two people triaging at once never overwrite each other: the second is refused (ConcurrentEdit)."""
    concern = _lock_for_change(user=user, concern=concern, expected_version=expected_version)
    name, role = _name_and_role(user, concern.school)
    triage = Triage(
        concern=concern,
        level=data.level,
        rationale=data.rationale,
        immediate_needs=data.immediate_needs,
        presentation=data.presentation,
        known_already=data.known_already,
        checks_needed=data.checks_needed,
        triaged_by=user,
        triaged_by_name=name,
        triaged_by_role=role,
    )
    triage.full_clean()
    triage.save()
    if concern.acknowledged_at is None:
        concern.acknowledged_at, concern.acknowledged_by = timezone.now(), user
        _chronicle(
            concern=concern, kind=ChronologyKind.ACKNOWLEDGED, by=user, summary=_acknowledged_summary(user, concern)
        )
    if concern.status in (ConcernStatus.NEW, ConcernStatus.ACKNOWLEDGED):
        concern.status = ConcernStatus.TRIAGED
    concern.version += 1
    concern.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "version"])
    _chronicle(
        concern=concern,
        kind=ChronologyKind.TRIAGED,
        by=user,
        summary=f"Triaged by {name} ({role}): level of need {data.level.label}. Reason: {data.rationale}",
    )
    _apply_rules(concern=concern, user=user, category_codes=data.category_codes, known_fgm=data.known_fgm)
    reporter_codes = list(concern.categories.filter(chosen_by=CategoryChoice.REPORTER).values_list("code", flat=True))
    current_dsl = set(concern.categories.filter(chosen_by=CategoryChoice.DSL).values_list("code", flat=True))
    wanted = set(data.category_codes)
    if wanted - set(categories.BY_CODE):
        raise ValidationError("Choose categories from the list.")
    if wanted and wanted != (current_dsl or set(reporter_codes)):
        # The reporter's choice stays as it was; the DSL team's set is replaced (R9).
        for category in concern.categories.filter(chosen_by=CategoryChoice.DSL).exclude(code__in=wanted):
            category.delete()
        for code in wanted - current_dsl:
            ConcernCategory.objects.create(concern=concern, code=code, chosen_by=CategoryChoice.DSL)
        _chronicle(
            concern=concern,
            kind=ChronologyKind.RECATEGORISED,
            by=user,
            summary=f"Re-categorised by {name} ({role}) as: {_category_labels(sorted(wanted))}. "
            f"The reporter chose: {_category_labels(reporter_codes)}.",
        )
    return triage


@transaction.atomic
def decision_record(*, user: User, concern: Concern, kind: str, rationale: str, details: str = "") -> Decision:
    """R40: a decision with its reason, who made it and when; not referring is a decision too."""
    if not access.can_triage(user, concern.school):
        raise PermissionDenied
    _refuse_if_closed(concern)
    name, role = _name_and_role(user, concern.school)
    decision = Decision(
        concern=concern,
        kind=kind,
        details=details,
        rationale=rationale,
        decided_by=user,
        decided_by_name=name,
        decided_by_role=role,
    )
    decision.full_clean()
    decision.save()
    what = decision.get_kind_display() + (f": {details}" if details else "")
    _chronicle(
        concern=concern,
        kind=ChronologyKind.DECISION,
        by=user,
        summary=f"Decision by {name} ({role}): {what}. Reason: {rationale}",
    )
    return decision


@transaction.atomic
def concern_close(*, user: User, concern: Concern, outcome_summary: str, expected_version: int | None) -> Concern:
    """R25: closing needs an outcome summary; it is recorded with who and when."""
    concern = _lock_for_change(user=user, concern=concern, expected_version=expected_version)
    if not outcome_summary.strip():
        raise ValidationError({"outcome_summary": "Write the outcome before closing the concern."})
    if concern.status == ConcernStatus.CLOSED:
        return concern
    still_open = [a.get_kind_display() for a in concern.actions.filter(status="open")]
    if still_open:
        # A closed concern would leave these reminding and overdue with nobody looking at it.
        raise ValidationError({"outcome_summary": "Finish the open actions first: " + "; ".join(still_open) + "."})
    concern.status = ConcernStatus.CLOSED
    concern.outcome_summary = outcome_summary
    concern.closed_at, concern.closed_by = timezone.now(), user
    if concern.acknowledged_at is None:
        concern.acknowledged_at, concern.acknowledged_by = concern.closed_at, user
    concern.version += 1
    concern.save()
    name, role = _name_and_role(user, concern.school)
    _chronicle(
        concern=concern,
        kind=ChronologyKind.CLOSED,
        by=user,
        summary=f"Closed by {name} ({role}). Outcome: {outcome_summary}",
    )
    return concern


@transaction.atomic
def concern_reopen(*, user: User, concern: Concern, reason: str, expected_version: int | None) -> Concern:
    """A closed concern can be reopened, with the reason recorded (issue 4, item 8)."""
    concern = _lock_for_change(user=user, concern=concern, expected_version=expected_version)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the concern is being reopened."})
    if concern.status != ConcernStatus.CLOSED:
        return concern
    concern.status = ConcernStatus.TRIAGED if concern.triages.exists() else ConcernStatus.ACKNOWLEDGED
    concern.closed_at, concern.closed_by = None, None
    concern.version += 1
    concern.save()
    name, role = _name_and_role(user, concern.school)
    _chronicle(concern=concern, kind=ChronologyKind.REOPENED, by=user, summary=f"Reopened by {name} ({role}): {reason}")
    return concern


# --- Actions and their deadlines (R28–R35) -------------------------------------------------------------------

CHILD_ON_CHILD_SEXUAL = {
    "sexual_violence",
    "sexual_harassment",
    "sexual_activity_without_consent",
    "harmful_sexual_behaviour",
}
RISK_ASSESSMENTS = (
    ActionKind.RISK_ASSESSMENT_VICTIM,
    ActionKind.RISK_ASSESSMENT_PERPETRATOR,
    ActionKind.RISK_ASSESSMENT_OTHERS,
)
RISK_ASSESSMENT_REVIEW_DAYS = 28
FOLLOW_UP_HOURS = 48  # R29: clock hours, not working hours (decision 2)


def _end_of_next_working_day(moment: datetime) -> datetime:
    return calendar.close_of_next_working_day(moment)


def _open_action(
    *,
    kind: str,
    user: User,
    concern: Concern | None = None,
    pupil: Pupil | None = None,
    owner: User | None = None,
    due_at=None,
    chronicle: bool = True,
    always_new: bool = False,
    **fields,
):
    """Creates the action unless one of its kind is already open on the concern (or, for a pupil-level task given
    `pupil` and no concern, on the child; `always_new` makes one anyway): moves the concern to "Actions open",
    writes the chronology line (unless the caller writes its own) and queues the reminder for the due time."""
    if concern is not None:
        school, existing = concern.school, concern.actions.filter(kind=kind, status="open").first()
        pupil = None
    else:
        school = pupil.school
        existing = Action.objects.filter(pupil=pupil, concern__isnull=True, kind=kind, status="open").first()
    if existing and not always_new:
        return existing
    action = Action(
        school=school,
        concern=concern,
        pupil=pupil,
        kind=kind,
        owner=owner or user,
        created_by=user,
        due_at=due_at,
        **fields,
    )
    action.full_clean()
    action.save()
    if concern is not None and concern.status in (
        ConcernStatus.NEW,
        ConcernStatus.ACKNOWLEDGED,
        ConcernStatus.TRIAGED,
    ):
        concern.status = ConcernStatus.ACTIONS_OPEN
        concern.save(update_fields=["status"])
    if chronicle:
        name, role = _name_and_role(user, school)
        owner_name, owner_role = _name_and_role(action.owner, school)
        when = f", due {timezone.localtime(due_at):%-d %B %Y at %H:%M}" if due_at else ""
        _chronicle(
            concern=concern,
            pupil=pupil,
            kind=ChronologyKind.ACTION_ADDED,
            by=user,
            summary=f"Action set by {name} ({role}): {action.get_kind_display()}, for {owner_name} ({owner_role})"
            f"{when}.",
        )
    if due_at is not None:
        from concerns.tasks import remind_action_due

        remind_action_due.using(run_after=due_at).enqueue(action.pk)
    return action


def _mark_done(action: Action, *, user: User, outcome: str, also: tuple[str, ...] = ()) -> None:
    """Closes an open action with what was done, by whom and when; callers write their own chronology line."""
    action.status, action.outcome = "done", outcome
    action.completed_at, action.completed_by = timezone.now(), user
    action.save(update_fields=["status", "outcome", "completed_at", "completed_by", *also])


def _refuse_if_closed(concern: Concern) -> None:
    # Read from the database: the caller's copy may predate someone else closing it.
    if Concern.objects.filter(pk=concern.pk, status=ConcernStatus.CLOSED).exists():
        raise ValidationError("The concern is closed: reopen it first.")


def _apply_rules(*, concern: Concern, user: User, category_codes: list[str], known_fgm: bool) -> None:
    """The tasks the law or the policy sets from what a concern is about (R32–R35), created at triage."""
    codes = set(category_codes) or set(concern.categories.values_list("code", flat=True))
    now = timezone.now()
    if known_fgm:
        # R32: the report is the personal duty of the teacher who found it, by the close of the next working day.
        _open_action(
            concern=concern,
            kind=ActionKind.FGM_REPORT,
            user=user,
            owner=concern.author,
            due_at=_end_of_next_working_day(concern.recorded_at),
            reassignable=False,
        )
    if "radicalisation" in codes:
        _open_action(concern=concern, kind=ActionKind.PREVENT_ADVICE, user=user, due_at=_end_of_next_working_day(now))
    if "private_fostering" in codes:
        _open_action(
            concern=concern,
            kind=ActionKind.PRIVATE_FOSTERING_NOTIFICATION,
            user=user,
            due_at=_end_of_next_working_day(now),
        )
    if codes & CHILD_ON_CHILD_SEXUAL:
        due = _end_of_next_working_day(now)
        for kind in RISK_ASSESSMENTS:
            _open_action(
                concern=concern,
                kind=kind,
                user=user,
                due_at=due,
                # Four weeks on, moved to the next school day when that falls in a holiday or on a bank holiday.
                review_on=calendar.school_day_on_or_after(
                    concern.school, timezone.localtime(due).date() + timedelta(days=RISK_ASSESSMENT_REVIEW_DAYS)
                ),
            )
    if "sexual_violence" in codes:
        # R35: rape or assault by penetration: separation now. The DSL closes it, with the reason, if it is not that.
        _open_action(concern=concern, kind=ActionKind.SEPARATION, user=user, due_at=now)


@transaction.atomic
def action_add(
    *, user: User, concern: Concern, kind: str, owner: User | None = None, due_at=None, notes: str = ""
) -> Action:
    """R28: the DSL team adds an action with an owner and a due time; some kinds bring their own deadlines."""
    if not access.can_triage(user, concern.school):
        raise PermissionDenied
    _refuse_if_closed(concern)
    owner = owner or user
    if kind == ActionKind.FGM_REPORT:
        owner = concern.author
    if not Membership.objects.filter(user=owner, school=concern.school).exists():
        raise ValidationError("The owner must work at this school.")
    now = timezone.now()
    if kind == ActionKind.FGM_REPORT:
        due_at = _end_of_next_working_day(concern.recorded_at)
    action = _open_action(
        concern=concern,
        kind=kind,
        user=user,
        owner=owner,
        due_at=due_at,
        notes=notes,
        reassignable=kind != ActionKind.FGM_REPORT,
    )
    if kind == ActionKind.CSC_REFERRAL_PHONE:
        # R29: the written follow-up on the LA online system within 48 clock hours of the call.
        _open_action(
            concern=concern,
            kind=ActionKind.CSC_WRITTEN_FOLLOW_UP,
            user=user,
            owner=owner,
            due_at=now + timedelta(hours=FOLLOW_UP_HOURS),
        )
    if kind in (ActionKind.CSC_REFERRAL_PHONE, ActionKind.CSC_REFERRAL_ONLINE):
        # R30: the LA decides within one working day; chase it if it has not come.
        _open_action(
            concern=concern,
            kind=ActionKind.CSC_DECISION_CHASE,
            user=user,
            owner=owner,
            due_at=calendar.end_of_working_day(calendar.add_working_days(timezone.localtime(now).date(), 1)),
        )
    return action


# R55, R58: these close when the transfer's last step is recorded on the child's file, never by "Done".
TRANSFER_TASKS = {
    ActionKind.SEND_CP_FILE: "This task closes only when the receiving school's confirmation of receipt (who and "
    "when) is recorded under Moving schools on the child's file.",
    ActionKind.CONFIRM_CP_FILE_RECEIPT: "This task closes when you record, under Moving schools on the child's "
    "file, the date you confirmed receipt to the sending school.",
}


def can_complete(user: User, action: Action) -> bool:
    return action.owner_id == user.pk or access.can_triage(user, action.school)


@transaction.atomic
def action_complete(*, user: User, action: Action, outcome: str, reference: str = "") -> Action:
    """Marks an action done with its outcome. The FGM report needs the police reference (R32); the LA decision
    needs what was decided (R30)."""
    action = _lock_action(user=user, action=action)
    if action.kind == ActionKind.CSC_DECISION_CHASE and action.is_open:
        raise ValidationError("Record what the local authority decided: the decision, its date and the social worker.")
    if action.kind == ActionKind.SHARE_WITH_DSL:
        # R21: it closes when the DSL team takes the concern back (their acknowledgement), not by its owner.
        raise ValidationError("This closes when the DSL team acknowledges the concern.")
    if action.kind in TRANSFER_TASKS and action.is_open:
        raise ValidationError(TRANSFER_TASKS[action.kind])
    if not action.is_open:
        return action
    errors = {}
    if not outcome.strip():
        errors["outcome"] = "Say what was done."
    if action.kind == ActionKind.FGM_REPORT and not reference.strip():
        errors["reference"] = "Give the police reference of your report (101)."
    if errors:
        raise ValidationError(errors)
    action.reference = reference
    _mark_done(action, user=user, outcome=outcome, also=("reference",))
    name, role = _name_and_role(user, action.school)
    ref = f" Reference: {reference}." if reference else ""
    _chronicle(
        concern=action.concern,
        pupil=action.pupil if action.concern_id is None else None,
        kind=ChronologyKind.ACTION_DONE,
        by=user,
        summary=f"{action.get_kind_display()}: done by {name} ({role}). {outcome}{ref}",
    )
    return action


def _lock_action(*, user: User, action: Action) -> Action:
    action = (
        Action.objects.select_for_update(of=("self",)).select_related("school", "concern", "pupil").get(pk=action.pk)
    )
    if not can_complete(user, action):
        raise PermissionDenied
    return action


@transaction.atomic
def la_decision_record(
    *,
    user: User,
    action: Action,
    la_outcome: str,
    decided_on,
    social_worker_name: str = "",
    social_worker_team: str = "",
    notes: str = "",
) -> Action:
    """R30: answers "LA decision received?" with what the local authority decided (a choice the file and the
    trustees' figures count), when, and the social worker it allocated, who joins the child's key people (R50)."""
    action = _lock_action(user=user, action=action)
    if action.kind != ActionKind.CSC_DECISION_CHASE:
        raise ValidationError("Only the local authority's decision on a referral is recorded this way.")
    if not action.is_open:
        return action
    social_worker_name, social_worker_team = social_worker_name.strip(), social_worker_team.strip()
    errors = {}
    if la_outcome not in LaOutcome.values:
        errors["la_outcome"] = "Choose what the local authority decided."
    referred_on = timezone.localtime(action.created_at).date()
    if decided_on is None:
        errors["la_decided_on"] = "Give the date of the decision."
    elif decided_on > timezone.localdate():
        errors["la_decided_on"] = "This date is in the future. Give the date it happened."
    elif decided_on < referred_on:
        errors["la_decided_on"] = f"This is before the referral ({referred_on:%-d %B %Y}). Check the date."
    if la_outcome in LA_OUTCOMES_WITH_SOCIAL_WORKER and not social_worker_name:
        errors["social_worker_name"] = "Give the allocated social worker's full name."
    if errors:
        raise ValidationError(errors)
    sentence = f"The local authority decided: {LaOutcome(la_outcome).label}, on {decided_on:%-d %B %Y}."
    if social_worker_name:
        sentence += f" Allocated social worker: {social_worker_name} ({social_worker_team or 'team not given'})."
    if notes.strip():
        sentence += " " + _sentence(notes.strip())
    action.la_outcome, action.la_decided_on = la_outcome, decided_on
    action.social_worker = ", ".join(part for part in (social_worker_name, social_worker_team) if part)[:200]
    _mark_done(action, user=user, outcome=sentence, also=("la_outcome", "la_decided_on", "social_worker"))
    name, role = _name_and_role(user, action.school)
    _chronicle(
        concern=action.concern,
        kind=ChronologyKind.ACTION_DONE,
        by=user,
        summary=f"{action.get_kind_display()}: done by {name} ({role}). {sentence}",
    )
    subject = action.concern.subject
    known = KeyPerson.objects.filter(pupil=subject, kind=KeyPersonKind.SOCIAL_WORKER, name__iexact=social_worker_name)
    if social_worker_name and not known.exists():
        # Whoever owns the task may record the decision; the social worker goes on the file either way.
        _save_profile_record(
            user=user,
            pupil=subject,
            record=KeyPerson(
                kind=KeyPersonKind.SOCIAL_WORKER,
                name=social_worker_name,
                relationship_or_team=social_worker_team or "Children's social care",
                notes=f"Allocated after the local authority's decision of {decided_on:%-d %B %Y}.",
            ),
        )
    return action


@transaction.atomic
def action_reassign(*, user: User, action: Action, owner: User) -> Action:
    """Gives an action to someone else, except the FGM report, which stays with the person who found it (R32)."""
    if not access.can_triage(user, action.school):
        raise PermissionDenied
    if not action.reassignable:
        raise ValidationError(
            "The FGM report is the personal legal duty of the person who found it; it cannot be passed on."
        )
    if not Membership.objects.filter(user=owner, school=action.school).exists():
        raise ValidationError("The owner must work at this school.")
    action.owner = owner
    action.save(update_fields=["owner"])
    name, role = _name_and_role(user, action.school)
    owner_name, owner_role = _name_and_role(owner, action.school)
    _chronicle(
        concern=action.concern,
        pupil=action.pupil if action.concern_id is None else None,
        kind=ChronologyKind.ACTION_ADDED,
        by=user,
        summary=f"{action.get_kind_display()}: given by {name} ({role}) to {owner_name} ({owner_role}).",
    )
    return action


def overdue_actions(*, school: School, now: datetime | None = None, user: User | None = None):
    """R39: open actions past their due time, for the DSL team's queue: those on concerns and the pupil-level tasks
    (R38); never those on a concern withheld from `user` (R61)."""
    overdue = Action.objects.filter(school=school, status="open", due_at__lt=now or timezone.now())
    if user is not None:
        overdue = overdue.exclude(concern__withheld_from=user)
    return overdue.select_related("owner", "concern", "pupil").order_by("due_at")


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
    name, role = _name_and_role(user, concern.school)
    reason = f" Kept despite the rule against images of this kind, because: {override_reason}" if nudes else ""
    _chronicle(
        concern=concern, kind=ChronologyKind.ATTACHMENT, by=user, summary=f"File attached by {name} ({role}).{reason}"
    )
    return attachment


# --- Parents, the child's voice, information sharing (R41, R45, R46) --------------------------------------------


def _record_on_concern(*, user: User, concern: Concern, record, kind: str, summary: str):
    """Saves a record the DSL team writes on a concern, with who wrote it, and its chronology line."""
    if not access.can_triage(user, concern.school):
        raise PermissionDenied
    _refuse_if_closed(concern)
    record.concern = concern
    record.recorded_by = user
    record.recorded_by_name, record.recorded_by_role = _name_and_role(user, concern.school)
    record.full_clean()
    record.save()
    _chronicle(
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
    names = ", ".join(sorted(f"{p.get_full_name()} ({_name_and_role(p, concern.school)[1]})" for p in staff))
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


@transaction.atomic
def concern_assign(*, user: User, concern: Concern, assignee: User | None) -> Concern:
    """Who in the DSL team is working the concern (issue 4, item 1); one click from the queue."""
    if not access.can_triage(user, concern.school):
        raise PermissionDenied
    if assignee is not None and not access.is_dsl_team(assignee, concern.school):
        raise ValidationError("Assign the concern to someone in the DSL team.")
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    concern.assigned_to = assignee
    concern.save(update_fields=["assigned_to"])
    name, role = _name_and_role(user, concern.school)
    to = assignee.get_full_name() if assignee else "nobody"
    _chronicle(concern=concern, kind=ChronologyKind.ASSIGNED, by=user, summary=f"Assigned to {to} by {name} ({role}).")
    return concern


def mirror_default_summary(mirror: MirrorRecord) -> str:
    """What the other child's file says by default: their part, when, and what kind of concern, nothing more."""
    concern = mirror.concern
    codes = concern.categories.filter(chosen_by=CategoryChoice.REPORTER).values_list("code", flat=True)
    return (
        f"Named as {mirror.get_role_display().lower()} in a concern recorded on "
        f"{timezone.localtime(concern.recorded_at):%-d %B %Y} about another pupil: {_category_labels(codes)}."
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
    name, role = _name_and_role(user, mirror.concern.school)
    if confirm:
        mirror.summary = summary.strip() or mirror_default_summary(mirror)
        mirror.status = MirrorStatus.CONFIRMED
        _chronicle(
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
        _chronicle(
            concern=mirror.concern,
            kind=ChronologyKind.MIRROR,
            by=user,
            summary=f"No record put on {mirror.pupil.full_name}'s file ({mirror.get_role_display().lower()}), "
            f"decided by {name} ({role}). Reason: {reason}",
        )
    mirror.decided_by, mirror.decided_at = user, timezone.now()
    mirror.save()
    return mirror


# --- The child's profile: flags and key people (R48–R50) -------------------------------------------------------


@transaction.atomic
def pupil_profile_add(*, user: User, pupil: Pupil, record):
    """Adds a flag (R48) or a key person (R50) to a child's file; the DSL team only."""
    if not access.can_view_pupil_file(user, pupil):
        raise PermissionDenied
    return _save_profile_record(user=user, pupil=pupil, record=record)


def _save_profile_record(*, user: User, pupil: Pupil, record):
    record.school = pupil.school
    record.pupil = pupil
    record.recorded_by = user
    record.recorded_by_name, record.recorded_by_role = _name_and_role(user, pupil.school)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def flag_end(*, user: User, flag, ends_on) -> None:
    """A flag is ended, never deleted: its history stays on the file."""
    if not access.can_view_pupil_file(user, flag.pupil):
        raise PermissionDenied
    flag.ends_on = ends_on
    flag.full_clean()
    flag.save(update_fields=["ends_on"])


# --- Leaving and unexplained absence (R38) -------------------------------------------------------------------

# Policy Section 6: for these children the social worker is told at once when they leave or go missing.
SOCIAL_WORKER_FLAGS = {
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


def social_workers_text(people) -> str:
    """The social workers as the person making the call needs them: name, team and phone."""
    return "; ".join(
        f"{p.name} ({p.relationship_or_team}{', ' + p.phone if p.phone else ', no phone number recorded'})"
        for p in people
    )


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


# R56: children for whom sharing with the new school before they leave must be considered (KCSIE Annex C).
SHARE_BEFORE_LEAVING_FLAGS = {**SOCIAL_WORKER_FLAGS, FlagKind.PREVENT_CHANNEL: "supported through Channel (Prevent)"}


# How a destination reads after "Where to:" in a chronology line (R57).
DESTINATION_WORDS = {
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
    Channel also sets R56's task to consider sharing with the new school."""
    if not access.can_view_pupil_file(user, pupil):
        raise PermissionDenied
    pupil = Pupil.objects.select_for_update().select_related("school").get(pk=pupil.pk)
    event.school = pupil.school
    event.pupil = pupil
    event.recorded_by = user
    event.recorded_by_name, event.recorded_by_role = _name_and_role(user, pupil.school)
    if event.kind == PupilEventKind.ABSENT:
        event.destination = ""
    event.full_clean()
    if event.kind == PupilEventKind.LEFT:
        event.keeps_record = keeps_record(event.destination, date_of_birth=pupil.date_of_birth, left_on=event.on)
    event.save()
    if event.kind == PupilEventKind.LEFT:
        pupil.on_roll, pupil.left_on = False, event.on
        pupil.save(update_fields=["on_roll", "left_on"])

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

    name, role = _name_and_role(user, pupil.school)
    if event.kind == PupilEventKind.LEFT:
        summary = f"Left the school on {event.on:%-d %B %Y}. Destination and circumstances: "
    elif event.kind == PupilEventKind.LEAVING:
        summary = f"Due to leave the school on {event.on:%-d %B %Y}. Destination and circumstances: "
    else:
        summary = (
            f"Unexplained absence or missing, from {event.on:%-d %B %Y}. Where the child is believed to be, and the "
            "circumstances: "
        )
    summary = _sentence(summary + event.details)
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
    summary += f" Recorded by {name} ({role})."
    if event.kind == PupilEventKind.LEFT and event.destination in NOTIFY_LA_DESTINATIONS:
        result.notify_task = _open_action(
            pupil=pupil,
            kind=ActionKind.CME_EHE_NOTIFICATION,
            user=user,
            owner=user,
            due_at=timezone.now(),
            notes=_notify_la_notes(event),
            chronicle=False,  # the event's own line says so
        )
        summary += (
            f" A task was set for {name} ({role}) to tell the local authority (children missing education / "
            "home education) now."
        )
    if reasons:
        existing = Action.objects.filter(
            pupil=pupil, concern__isnull=True, kind=ActionKind.INFORM_SOCIAL_WORKER, status="open"
        ).first()
        if existing is None:
            result.task = _open_action(
                pupil=pupil,
                kind=ActionKind.INFORM_SOCIAL_WORKER,
                user=user,
                owner=user,
                due_at=timezone.now(),
                notes=_inform_social_worker_notes(event, reasons, people),
                chronicle=False,  # the event's own line says so
            )
            result.task_created = True
        else:
            # One open task is enough; its owner is told of this too, in its notes.
            existing.notes = f"{existing.notes}\nLater recorded: {_what_happened(event)}.".strip()
            existing.save(update_fields=["notes"])
            result.task = existing
        owner_name, owner_role = _name_and_role(result.task.owner, pupil.school)
        if result.task_created:
            summary += (
                f" The child is {' and '.join(reasons)}, so a task was set for {owner_name} ({owner_role}) to inform "
                "the child's social worker immediately."
            )
        else:
            summary += (
                f" The child is {' and '.join(reasons)}; the task to inform the child's social worker, for "
                f"{owner_name} ({owner_role}), was already open."
            )
    if share_reasons and event.kind != PupilEventKind.ABSENT:
        result.share_task = _share_before_leaving(
            user=user, pupil=pupil, event=event, reasons=share_reasons, people=people
        )
        if result.share_task is not None:
            why = "A task was also set" if reasons else f"The child is {' and '.join(share_reasons)}, so a task was set"
            what = (
                "share what the new school needs, now that the child has left"
                if event.kind == PupilEventKind.LEFT
                else "consider sharing information with the new school before the child leaves"
            )
            summary += f" {why} for {name} ({role}) to {what}."
    kind = {PupilEventKind.LEFT: ChronologyKind.LEFT, PupilEventKind.LEAVING: ChronologyKind.LEAVING}.get(
        event.kind, ChronologyKind.ABSENT
    )
    _chronicle(concern=None, pupil=pupil, kind=kind, by=user, summary=summary)
    if event.kind == PupilEventKind.LEFT and event.destination in SENDS_CP_FILE and has_cp_file(pupil, day=event.on):
        result.transfer = _transfer_out_open(user=user, pupil=pupil, event=event)
    return result


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
        for task in earlier.filter(status="open"):
            if no_new_school:
                outcome = f"Not needed: {_what_happened(event)} ({DESTINATION_WORDS[event.destination]})."
                _mark_done(task, user=user, outcome=outcome)
                continue
            task.notes = f"{task.notes}\nLater recorded: {_what_happened(event)}.".strip()
            moved = task.due_at is None or due_at < task.due_at
            task.due_at = due_at if moved else task.due_at
            task.save(update_fields=["due_at", "notes"])
            if moved:
                from concerns.tasks import remind_action_due

                remind_action_due.using(run_after=due_at).enqueue(task.pk)
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
    return _open_action(
        pupil=pupil,
        kind=ActionKind.SHARE_BEFORE_LEAVING,
        user=user,
        owner=user,
        due_at=due_at,
        notes=notes,
        chronicle=False,  # the event's own line says so
    )


# --- Moving schools: the CP file sent and received (R55, R58) ----------------------------------------------------


# R56: the parts in a child-on-child case whose onward support and risks go with the file (not a witness's).
CHILD_ON_CHILD_PARTS = (PupilRole.SUBJECT, PupilRole.ALLEGED_VICTIM, PupilRole.ALLEGED_PERPETRATOR)


def is_child_on_child_case(pupil: Pupil) -> bool:
    """R56: the child was the subject, alleged victim or alleged perpetrator of a concern whose categories are
    child-on-child abuse: the DSL team's categories where they re-categorised it, otherwise the reporter's (R9)."""
    chosen: dict[int, dict[str, set[str]]] = {}
    for concern_id, code, by in ConcernCategory.objects.filter(
        concern__pupil_links__pupil=pupil, concern__pupil_links__role__in=CHILD_ON_CHILD_PARTS
    ).values_list("concern_id", "code", "chosen_by"):
        chosen.setdefault(concern_id, {}).setdefault(by, set()).add(code)
    wanted = set(categories.codes_in_group("child_on_child"))
    return any(wanted & (codes.get("dsl") or codes.get("reporter", set())) for codes in chosen.values())


def has_cp_file(pupil: Pupil, *, day=None) -> bool:
    """The child has a CP file to pass on: a concern about them (as its subject), or a flag current today or on
    `day` (R52, R55)."""
    if ConcernPupil.objects.filter(pupil=pupil, role=PupilRole.SUBJECT).exists():
        return True
    today = timezone.localdate()
    return any(f.is_current(today) or (day is not None and f.is_current(day)) for f in pupil.flags.all())


def _day(value) -> str:
    return f"{value:%A %-d %B %Y}"


def _transfer_out_open(*, user: User, pupil: Pupil, event: PupilEvent) -> FileTransfer:
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
    action = _open_action(
        pupil=pupil,
        kind=ActionKind.SEND_CP_FILE,
        user=user,
        owner=user,
        due_at=calendar.school_day_end(pupil.school, due_on),
        notes="Send the CP file separately from the main pupil file, by a secure method, then record it here with "
        "the receiving school's confirmation of receipt.",
        chronicle=False,  # the line below says so
    )
    name, role = _name_and_role(user, pupil.school)
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
    owner_name, owner_role = _name_and_role(action.owner, pupil.school)
    _chronicle(
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
        _mark_done(transfer.action, user=user, outcome=sentence)
    name, role = _name_and_role(user, transfer.school)
    _chronicle(
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
    sent_on,
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
    transfer.sent_on, transfer.method = sent_on, method
    transfer.other_school, transfer.other_school_contact = other_school.strip(), other_school_contact.strip()
    transfer.onward_support = onward_support.strip()
    transfer.full_clean()
    transfer.save(update_fields=["sent_on", "method", "other_school", "other_school_contact", "onward_support"])
    name, role = _name_and_role(user, transfer.school)
    to = transfer.other_school + (f", for {transfer.other_school_contact}" if transfer.other_school_contact else "")
    timing = (
        ("on time" if transfer.sent_on_time else f"after the day it was due ({transfer.due_on:%-d %B %Y})")
        if transfer.due_on
        else ""
    )
    _chronicle(
        concern=None,
        pupil=transfer.pupil,
        kind=ChronologyKind.CP_FILE_SENT,
        by=user,
        summary=f"CP file sent to {to} {transfer.method_words} on {_day(transfer.sent_on)}"
        + (f", {timing}" if timing else "")
        + (
            f". Onward support needs and risks passed on: {_sentence(transfer.onward_support)[:-1]}"
            if transfer.onward_support
            else ""
        )
        + f". Recorded by {name} ({role}). Waiting for the receiving school to confirm receipt.",
    )
    return transfer


@transaction.atomic
def file_transfer_receipt_confirmed(
    *, user: User, transfer: FileTransfer, confirmed_by: str, confirmed_on
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
    return _people_with(school, (*access.DSL_TEAM, Role.SENCO))


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
    name, role = _name_and_role(user, pupil.school)
    transfer.school, transfer.pupil, transfer.direction = pupil.school, pupil, TransferDirection.IN
    transfer.recorded_by, transfer.recorded_by_name, transfer.recorded_by_role = user, name, role
    transfer.full_clean()
    transfer.action = _open_action(
        pupil=pupil,
        kind=ActionKind.CONFIRM_CP_FILE_RECEIPT,
        user=user,
        owner=user,
        due_at=calendar.close_of_next_working_day(timezone.now()),
        notes=f"Confirm to {transfer.other_school} that the CP file arrived, then record the date on the child's file.",
        chronicle=False,
        always_new=True,  # each file received has its own sender to answer
    )
    transfer.save()
    transfer.told.set(_told_of_arrival(pupil.school))
    from_whom = transfer.other_school + (f" ({transfer.other_school_contact})" if transfer.other_school_contact else "")
    _chronicle(
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
def file_transfer_confirmation_sent(*, user: User, transfer: FileTransfer, confirmation_sent_on) -> FileTransfer:
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
