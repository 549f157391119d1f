"""Reads of adult cases. Every list and count starts from the cases the person may read (R61): the subject is
left out before anything is counted, so no number can point at a case about them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from safeguarding import access, drafts
from safeguarding.models import Role, School, User

from .models import (
    AdultCase,
    AdultCaseSettings,
    AdultConcernDraft,
    CaseKind,
    CaseMember,
    CaseStatus,
    CaseTask,
    RecordsReview,
)

if TYPE_CHECKING:
    from auditlog.models import LogEntry

# The access-log note on a case seen in the register's list (views._list_page, safeguarding.audit.log_list_access).
LISTED = "listed in the register"


def visible_cases(user: User) -> QuerySet[AdultCase]:
    """The cases the person manages or was added to, at schools where they still work; never one about them."""
    if not getattr(user, "is_authenticated", False):
        return AdultCase.objects.none()
    school_ids = [s.pk for s in access.schools_for(user) if access.roles(user, s)]
    member = CaseMember.objects.filter(case=OuterRef("pk"), user=user)
    cases = (
        AdultCase.objects.filter(school_id__in=school_ids)
        .filter(Q(case_manager=user) | Q(Exists(member)))
        .exclude(subject_user=user)
    )
    # A case about the Head (a whistleblowing concern may name the Head without choosing an account) is never the
    # Head's, as access.is_adult_case_subject says.
    headships = [s.pk for s in access.schools_for(user) if Role.HEADTEACHER in access.roles(user, s)]
    return cases.exclude(subject_is_head=True, school_id__in=headships) if headships else cases


def case_list_for_user(user: User) -> QuerySet[AdultCase]:
    """/staff-concerns/: open cases first, newest first, with their open deadlines; the view pages it."""
    open_tasks = CaseTask.objects.filter(completed_at__isnull=True).select_related("owner").order_by("due_at")
    # "open" sorts after "closed": descending puts open cases first. The key last, so that pages never overlap.
    return (
        visible_cases(user)
        .select_related("school", "case_manager")
        .prefetch_related(Prefetch("tasks", queryset=open_tasks, to_attr="open_tasks"))
        .order_by("-status", "-raised_at", "-pk")
    )


def open_case_count(*, user: User) -> int:
    return visible_cases(user).filter(status=CaseStatus.OPEN).count()


def case_get_for_user(*, user: User, public_id: uuid.UUID) -> AdultCase | None:
    case = (
        AdultCase.objects.select_related("school", "case_manager", "subject_user", "linked_concern")
        .filter(public_id=public_id)
        .first()
    )
    if case is None or not access.can_view_adult_case(user, case):
        return None
    return case


def task_get_for_user(*, user: User, public_id: uuid.UUID) -> CaseTask | None:
    task = CaseTask.objects.select_related("case__school", "owner").filter(public_id=public_id).first()
    if task is None or not access.can_view_adult_case(user, task.case):
        return None
    return task


@dataclass(frozen=True)
class Pattern:
    label: str
    count: int
    cases: list[AdultCase]


def pattern_list_for_user(*, user: User) -> list[Pattern]:
    """R76: among the low-level concerns the person may read, anyone with enough of them inside the school's
    window, and any theme raised about enough different people. Only the cases inside each school's window are
    read: a register keeps years of them (issue 12)."""
    school_ids = [s.pk for s in access.schools_for(user) if access.roles(user, s)]  # as visible_cases reads them
    chosen = {s.school_id: s for s in AdultCaseSettings.objects.filter(school_id__in=school_ids)}
    settings = {pk: chosen.get(pk) or AdultCaseSettings(school_id=pk) for pk in school_ids}  # the defaults
    now = timezone.now()
    within = Q(pk__in=[])
    for pk, school_settings in settings.items():
        within |= Q(school_id=pk, raised_at__gte=now - timedelta(days=school_settings.pattern_window_days))
    by_school: dict[int, list[AdultCase]] = {}
    for case in visible_cases(user).filter(within, kind=CaseKind.LOW_LEVEL).order_by("raised_at", "pk"):
        by_school.setdefault(case.school_id, []).append(case)
    found: list[Pattern] = []
    for pk, school_cases in by_school.items():
        found.extend(find_patterns(school_cases, settings[pk]))
    return found


def _person(case: AdultCase) -> int | str:
    return case.subject_user_id or case.subject_name.strip().lower()


def find_patterns(cases: list[AdultCase], settings: AdultCaseSettings) -> list[Pattern]:
    """R76 over one school's low-level concerns inside its window: one person with enough of them, or one theme
    raised about enough different people. The one rule, for the register page and for the alert on a new case."""
    people: dict[int | str, list[AdultCase]] = {}
    themes: dict[str, list[AdultCase]] = {}
    for case in cases:
        people.setdefault(_person(case), []).append(case)
        if case.theme:
            themes.setdefault(case.theme, []).append(case)
    found = [
        Pattern(f"{group[0].subject_name}: {len(group)} low-level concerns", len(group), group)
        for group in people.values()
        if len(group) >= settings.pattern_threshold
    ]
    for group in themes.values():
        distinct = {_person(c) for c in group}
        if len(distinct) >= settings.theme_threshold:
            label = f"{group[0].get_theme_display()}: concerns about {len(distinct)} different people"
            found.append(Pattern(label, len(group), group))
    return found


def review_list_for_user(*, user: User) -> list[RecordsReview]:
    schools = [s for s in access.schools_for(user) if access.can_log_records_review(user, s)]
    return list(RecordsReview.objects.filter(school__in=schools)[:10])


def register_school(user: User) -> School | None:
    return next((s for s in access.schools_for(user) if access.can_use_adult_register(user, s)), None)


def case_access_log(case: AdultCase) -> QuerySet[LogEntry]:
    """Who opened or changed this case: for its case manager, so the wall can be checked (R85). Seeing it listed
    on the register is logged too (LISTED), but left out here, so the openings and changes are not crowded out."""
    from auditlog.models import LogEntry

    return (
        LogEntry.objects.filter(additional_data__adult_case=case.pk)
        # Written with has_key: a row without the key must not drop out through SQL's NULL comparison.
        .exclude(Q(additional_data__has_key="access") & Q(additional_data__access=LISTED))
        .select_related("actor", "content_type")
        .order_by("-timestamp")[:50]
    )


def latest_draft_get_for_user(*, user: User, form: str) -> AdultConcernDraft | None:
    """The person's newest unsent draft of this form, to offer when they open it again."""
    return drafts.live(AdultConcernDraft).filter(author=user, form=form).first()


def draft_get_for_user(*, user: User, form: str, idempotency_key: uuid.UUID) -> AdultConcernDraft | None:
    return drafts.live(AdultConcernDraft).filter(author=user, form=form, idempotency_key=idempotency_key).first()
