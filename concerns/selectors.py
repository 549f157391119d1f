"""Reads of children's records, always scoped to the person asking (access.py). Missing and not-allowed look the
same (None / Http404), so nothing reveals which records exist."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from django.db.models import Case, DateTimeField, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from safeguarding import access, drafts
from safeguarding.models import School, User
from safeguarding.selectors import people_at

from . import categories
from .models import (
    Action,
    ActionStatus,
    Addendum,
    Alert,
    Attachment,
    CategoryChoice,
    ChronologyEntry,
    Concern,
    ConcernCategory,
    ConcernDraft,
    ConcernPupil,
    ConcernStatus,
    CoverShift,
    FileTransfer,
    LevelOfNeed,
    MirrorRecord,
    Pupil,
    PupilRole,
    StaffNote,
    TransferDirection,
    Triage,
    Unavailability,
)

PUPIL_SEARCH_LIMIT = 12
# Any queryset of concerns, an annotated one too: what goes in comes out, so the annotations can still be sorted on.
_Concerns = TypeVar("_Concerns", bound=QuerySet[Concern])


def _search_words(query: str) -> list[str]:
    """The typed words, lower-cased; none unless there are at least two letters in all."""
    words = [w.lower() for w in query.split() if w]
    return words[:4] if sum(len(w) for w in words) >= 2 else []


def _matching(pupils: QuerySet[Pupil], words: list[str]) -> QuerySet[Pupil]:
    """Pupils matching every word: part of a name, or a whole form ("9W") or UPN."""
    for word in words:
        pupils = pupils.filter(Q(search_text__contains=word) | Q(form__iexact=word) | Q(upn__iexact=word))
    return pupils


def pupil_list_for_user(*, user: User, school: School, query: str) -> list[Pupil]:
    """R1: pupils on the school's current roll matching every typed word (at least two letters): their names,
    form or UPN. Shows nothing about files or concerns (issue 3)."""
    words = _search_words(query)
    if not access.can_raise_concern(user, school) or not words:
        return []
    pupils = _matching(Pupil.objects.filter(school=school, on_roll=True), words)
    return list(pupils.order_by("legal_last_name", "legal_first_name", "year_group")[:PUPIL_SEARCH_LIMIT])


def pupil_file_list_for_user(*, user: User, school: School, query: str) -> list[Pupil]:
    """R51: the pupil list for authorised staff, each marked whether a safeguarding file is held: a yes or no, and
    nothing of what it holds. The DSL team also finds every child who has left whose file this school still holds
    (issue 18, item 4): the file outlives the roll. One query, however many pupils match."""
    words = _search_words(query)
    if not access.can_see_file_held(user, school) or not words:
        return []
    held = Exists(ChronologyEntry.objects.filter(pupil=OuterRef("pk")))
    pupils = Pupil.objects.filter(school=school).annotate(file_held=held)
    if access.is_dsl_team(user, school):
        pupils = pupils.filter(Q(on_roll=True) | Q(file_held=True))
    else:
        pupils = pupils.filter(on_roll=True)
    matching = _matching(pupils, words)
    return list(matching.order_by("-on_roll", "legal_last_name", "legal_first_name")[:PUPIL_SEARCH_LIMIT])


def pupils_by_public_id(*, school: School, public_ids: Iterable[str]) -> dict[str, Pupil]:
    found = Pupil.objects.filter(school=school, on_roll=True, public_id__in=[i for i in public_ids if i])
    return {str(p.public_id): p for p in found}


def _with_people(concerns: _Concerns) -> _Concerns:
    return concerns.select_related("school", "acknowledged_by").prefetch_related(
        Prefetch("pupil_links", queryset=ConcernPupil.objects.select_related("pupil")), "categories"
    )


def own_concern_list_for_user(*, user: User) -> QuerySet[Concern]:
    """R15: the concerns a person wrote (or gave verbally), for their receipts, newest first; nothing of anyone
    else's. The view pages it (issue 18, item 12): someone may have written thousands."""
    return _with_people(Concern.objects.filter(author=user)).order_by("-recorded_at", "-pk")


def own_concern_get_for_user(*, user: User, public_id: uuid.UUID) -> Concern | None:
    """The author's receipt: what they sent and added themselves, and nothing the DSL team added after (R11, R15).

    Each relation the receipt shows is fetched filtered, under its own name, so `concern.attachments.all` (and the
    categories and addenda) on this object hold only the author's own: the DSL team's files, reasons, notes and
    re-categorisation never reach the page, whatever template shows it.
    """
    return (
        Concern.objects.filter(author=user, public_id=public_id)
        .select_related("school", "acknowledged_by")
        .prefetch_related(
            Prefetch("pupil_links", queryset=ConcernPupil.objects.select_related("pupil")),
            Prefetch("categories", queryset=ConcernCategory.objects.filter(chosen_by=CategoryChoice.REPORTER)),
            "quotes",
            Prefetch("addenda", queryset=Addendum.objects.filter(author=user)),
            Prefetch("attachments", queryset=Attachment.objects.filter(uploaded_by=user)),
        )
        .first()
    )


def attachment_get_for_user(*, user: User, public_id: uuid.UUID, attachment_id: uuid.UUID) -> Attachment | None:
    """A file the person may download: any file of a concern they may open, or, on their own receipt, only a file
    they attached themselves (R11, R15). None for missing and not allowed alike."""
    concern = concern_get_for_user(user=user, public_id=public_id) or own_concern_get_for_user(
        user=user, public_id=public_id
    )
    if concern is None:
        return None
    return next((a for a in concern.attachments.all() if a.public_id == attachment_id), None)


def concern_get_for_user(*, user: User, public_id: uuid.UUID) -> Concern | None:
    concern = (
        _with_people(Concern.objects.filter(public_id=public_id))
        .prefetch_related(
            "quotes",
            "addenda",
            "attachments",
            "actions__owner",
            "alerts__recipient",
            Prefetch("triages", queryset=Triage.objects.select_related("level")),
            "decisions",
            "parent_contacts",
            "child_voices",
            "information_shares",
            "meetings",
            "disagreements",
            "staff_notes__staff",
            Prefetch("mirror_records", queryset=MirrorRecord.objects.select_related("pupil")),
        )
        .first()
    )
    if concern is None or not access.can_view_concern(user, concern):
        return None
    return concern


def queue_concerns_for_user(*, user: User, school: School) -> QuerySet[Concern]:
    """The concerns in the person's alert queue, plain: no order, nothing joined, each once. The DSL team's queue
    is every concern of the school not withheld from them (R64); a senior leader's, those routed to them (R20, R21).
    The queue's list, its badge and its live token (concerns/live.py) all start here."""
    if not access.can_view_queue(user, school):
        return Concern.objects.none()
    concerns = Concern.objects.filter(school=school).exclude(withheld_from=user)
    if not access.is_dsl_team(user, school):
        # A subquery rather than a join, so a concern alerted to the person twice is still one row without DISTINCT.
        concerns = concerns.filter(pk__in=Alert.objects.filter(recipient=user).values("concern_id"))
    return concerns


def queue_list_for_user(*, user: User, school: School) -> QuerySet[Concern]:
    """The alert queue: unacknowledged first, Immediate before routine, oldest first among those; then the rest,
    newest first (issue 18, item 10: they came oldest first, so a school with ten years of records saw 2017).
    Senior leaders see only the concerns routed to them (R20, R21)."""
    concerns = queue_concerns_for_user(user=user, school=school)
    is_waiting = Q(acknowledged_at__isnull=True)
    concerns = concerns.annotate(
        waiting=Case(When(is_waiting, then=Value(0)), default=Value(1), output_field=IntegerField()),
        urgency=Case(When(is_waiting, is_immediate=True, then=Value(0)), default=Value(1), output_field=IntegerField()),
        # Only a waiting concern has it, so it sorts the waiting oldest first and leaves the rest to -recorded_at.
        waiting_since=Case(When(is_waiting, then=F("recorded_at")), default=Value(None), output_field=DateTimeField()),
    )
    return (
        _with_people(concerns)
        .select_related("assigned_to")
        .order_by("waiting", "urgency", "waiting_since", "-recorded_at", "-pk")
    )


@dataclass(frozen=True)
class QueueFilters:
    """What the DSL narrowed the queue to (issue 4, item 1): status, category group, year and who it is with."""

    status: str = ""
    group: str = ""
    year: int | None = None
    assigned: str = ""  # "", "me", "nobody" or a user's id


def filter_queue(concerns: QuerySet[Concern], *, user: User, filters: QueueFilters) -> QuerySet[Concern]:
    if filters.status == "open":
        concerns = concerns.exclude(status=ConcernStatus.CLOSED)
    elif filters.status:
        concerns = concerns.filter(status=filters.status)
    if filters.group:
        codes = [c.code for g in categories.GROUPS if g.code == filters.group for c in g.categories]
        concerns = concerns.filter(categories__code__in=codes).distinct()
    if filters.year:
        concerns = concerns.filter(pupil_links__role=PupilRole.SUBJECT, pupil_links__pupil__year_group=filters.year)
    if filters.assigned == "me":
        concerns = concerns.filter(assigned_to=user)
    elif filters.assigned == "nobody":
        concerns = concerns.filter(assigned_to__isnull=True)
    elif filters.assigned.isdigit():
        concerns = concerns.filter(assigned_to_id=int(filters.assigned))
    return concerns


def cover_shift_list_for_user(*, user: User, school: School) -> QuerySet[CoverShift]:
    """R22: current and coming cover shifts, for the DSL team."""
    if not access.is_dsl_team(user, school):
        return CoverShift.objects.none()
    return CoverShift.objects.filter(school=school, ends_at__gt=timezone.now()).select_related("user")


def cover_shift_get_for_user(*, user: User, shift_id: uuid.UUID) -> CoverShift | None:
    shift = CoverShift.objects.filter(public_id=shift_id).select_related("school").first()
    if shift is None or not access.is_dsl_team(user, shift.school):
        return None
    return shift


def latest_draft_get_for_user(*, user: User) -> ConcernDraft | None:
    """The person's most recent unsent concern, whichever school it was for."""
    return drafts.live(ConcernDraft).filter(author=user).first()


def draft_get_for_user(*, user: User, idempotency_key: uuid.UUID | str) -> ConcernDraft | None:
    return drafts.live(ConcernDraft).filter(author=user, idempotency_key=idempotency_key).first()


def unacknowledged_count_for_user(*, user: User, school: School) -> int:
    return queue_concerns_for_user(user=user, school=school).filter(acknowledged_at__isnull=True).count()


def action_get_for_user(*, user: User, public_id: uuid.UUID) -> Action | None:
    """An action its owner or the DSL team of its school may act on, whether it is on a concern or a pupil-level
    task (R38); None for missing and not allowed alike."""
    action = (
        Action.objects.select_related("school", "concern__school", "pupil__school", "owner")
        .filter(public_id=public_id)
        .first()
    )
    if action is None:
        return None
    if action.owner_id == user.pk or access.can_triage(user, action.school):
        return action
    return None


def owned_action_list_for_user(*, user: User) -> QuerySet[Action]:
    """The person's own open tasks (e.g. the FGM report a teacher must make, or informing a child's social worker):
    shown on My concerns."""
    return (
        Action.objects.filter(owner=user, status=ActionStatus.OPEN)
        .select_related("concern", "pupil__school")
        .prefetch_related(Prefetch("concern__pupil_links", queryset=ConcernPupil.objects.select_related("pupil")))
        .order_by("due_at")
    )


def staff_note_list_for_user(*, user: User) -> QuerySet[StaffNote]:
    """R47: the need-to-know notes shared with this person: the note and the child's name, nothing of the file."""
    return (
        StaffNote.objects.filter(staff=user)
        .select_related("concern")
        .prefetch_related(Prefetch("concern__pupil_links", queryset=ConcernPupil.objects.select_related("pupil")))
        .order_by("-recorded_at")
    )


ARRIVAL_NOTICE_DAYS = 30


def file_arrival_list_for_user(*, user: User) -> QuerySet[FileTransfer]:
    """R58: CP files received in the last 30 days that this person was told of (the DSL, deputies and the SENCo):
    the child's name and the date, nothing of the file."""
    since = timezone.localdate() - timedelta(days=ARRIVAL_NOTICE_DAYS)
    return (
        FileTransfer.objects.filter(told=user, direction=TransferDirection.IN, received_on__gte=since)
        .select_related("pupil")
        .order_by("-received_on", "-recorded_at")
    )


def level_of_need_list() -> QuerySet[LevelOfNeed]:
    return LevelOfNeed.objects.filter(is_active=True)


def pupil_get_for_user(*, user: User, public_id: uuid.UUID) -> Pupil | None:
    """The child whose CP file the person may open (R52), or None for missing and not allowed alike."""
    pupil = (
        Pupil.objects.select_related("school")
        .prefetch_related(
            "flags",
            "key_people",
            "events",
            "file_transfers",
            Prefetch(
                "actions",
                queryset=Action.objects.filter(concern__isnull=True).select_related("owner", "completed_by"),
                to_attr="pupil_tasks",
            ),
        )
        .filter(public_id=public_id)
        .first()
    )
    if pupil is None or not access.can_view_pupil_file(user, pupil):
        return None
    return pupil


def chronology_list_for_user(*, user: User, pupil: Pupil) -> QuerySet[ChronologyEntry]:
    """R52: the child's chronology, newest first."""
    if pupil is None or not access.can_view_pupil_file(user, pupil):
        return ChronologyEntry.objects.none()
    return ChronologyEntry.objects.filter(pupil=pupil).exclude(concern__withheld_from=user).select_related("concern")


def pupil_concern_list_for_user(*, user: User, pupil: Pupil, full: bool = False) -> QuerySet[Concern]:
    """Every concern on the child's file (as the subject), newest first; `full` fetches what the PDF prints."""
    if not access.can_view_pupil_file(user, pupil):
        return Concern.objects.none()
    about = Concern.objects.filter(pupil_links__pupil=pupil, pupil_links__role=PupilRole.SUBJECT)
    concerns = _with_people(about.exclude(withheld_from=user)).prefetch_related(
        Prefetch("triages", queryset=Triage.objects.select_related("level")), "decisions"
    )
    if full:
        concerns = concerns.select_related("police_notification").prefetch_related(
            "quotes",
            "addenda",
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
            Prefetch("actions", queryset=Action.objects.select_related("owner", "completed_by")),
        )
    return concerns.select_related("closed_by", "transcribed_by").order_by("-recorded_at")


def other_concern_list_for_user(*, user: User, pupil: Pupil, concern: Concern) -> list[Concern]:
    """R26: the child's earlier concerns, beside the one being triaged."""
    return list(pupil_concern_list_for_user(user=user, pupil=pupil).exclude(pk=concern.pk)[:20])


# --- Who is at the school, and what is open (reads the services and views share) ---------------------------------


def available_dsl_team(*, school: School, at: datetime | None = None) -> list[User]:
    """R21, R22: the DSL and deputies who have not marked themselves away, plus whoever is on the cover rota now."""
    at = at or timezone.now()
    away = set(
        Unavailability.objects.filter(school=school, starts_at__lte=at)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at))
        .values_list("user_id", flat=True)
    )
    team = [u for u in people_at(school, roles=access.DSL_TEAM).order_by("pk") if u.pk not in away]
    on_cover = User.objects.filter(
        is_active=True, cover_shifts__school=school, cover_shifts__starts_at__lte=at, cover_shifts__ends_at__gt=at
    ).distinct()
    return team + [u for u in on_cover if u not in team]


def senior_leaders(*, school: School) -> list[User]:
    return list(people_at(school, roles=access.SENIOR_LEADERS).order_by("pk"))


def is_away(*, user: User, school: School) -> bool:
    return Unavailability.objects.filter(user=user, school=school, ends_at__isnull=True).exists()


def overdue_actions(*, school: School, now: datetime | None = None, user: User | None = None) -> QuerySet[Action]:
    """R39: open actions past their due time, for the DSL team's queue: those on concerns and the pupil-level tasks
    (R38); never those on a concern withheld from `user` (R61)."""
    overdue = Action.objects.filter(school=school, status=ActionStatus.OPEN, due_at__lt=now or timezone.now())
    if user is not None:
        overdue = overdue.exclude(concern__withheld_from=user)
    # The pupils come in a second query, by key, and only when a pupil-level task is overdue: joined in, they made
    # PostgreSQL hash the whole trust's pupils (it cannot tell that few open actions are past due, and guessed 563
    # rows for 1).
    return overdue.select_related("owner", "concern").prefetch_related("pupil").order_by("due_at")


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


def has_cp_file(pupil: Pupil, *, day: date | None = None) -> bool:
    """The child has a CP file to pass on: a concern about them (as its subject), or a flag current today or on
    `day` (R52, R55)."""
    if ConcernPupil.objects.filter(pupil=pupil, role=PupilRole.SUBJECT).exists():
        return True
    today = timezone.localdate()
    return any(f.is_current(today) or (day is not None and f.is_current(day)) for f in pupil.flags.all())
