"""The DSL team's judgement on a concern (R25–R27, R40): triage with the level of need and the categories, decisions
with their reasons, assigning, closing and reopening; each change refuses a stale form (ConcurrentEdit) rather
than overwrite a colleague's.

Proved by tests/concerns/test_triage.py, test_decisions_and_closing.py, test_closing_rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from concerns import categories
from concerns.models import (
    ActionStatus,
    CategoryChoice,
    ChronologyKind,
    Concern,
    ConcernCategory,
    ConcernStatus,
    Decision,
    LevelOfNeed,
    Triage,
)
from concerns.services.actions import action_rules_apply
from concerns.services.alerting import acknowledged_summary
from concerns.services.chronology import category_labels, chronology_add, refuse_if_closed
from safeguarding import access
from safeguarding.models import User


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
    name, role = user.name_and_role_at(concern.school)
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
        chronology_add(
            concern=concern, kind=ChronologyKind.ACKNOWLEDGED, by=user, summary=acknowledged_summary(user, concern)
        )
    if concern.status in (ConcernStatus.NEW, ConcernStatus.ACKNOWLEDGED):
        concern.status = ConcernStatus.TRIAGED
    concern.version += 1
    concern.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "version"])
    chronology_add(
        concern=concern,
        kind=ChronologyKind.TRIAGED,
        by=user,
        summary=f"Triaged by {name} ({role}): level of need {data.level.label}. Reason: {data.rationale}",
    )
    action_rules_apply(concern=concern, user=user, category_codes=data.category_codes, known_fgm=data.known_fgm)
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
        chronology_add(
            concern=concern,
            kind=ChronologyKind.RECATEGORISED,
            by=user,
            summary=f"Re-categorised by {name} ({role}) as: {category_labels(sorted(wanted))}. "
            f"The reporter chose: {category_labels(reporter_codes)}.",
        )
    return triage


@transaction.atomic
def decision_record(*, user: User, concern: Concern, kind: str, rationale: str, details: str = "") -> Decision:
    """R40: a decision with its reason, who made it and when; not referring is a decision too."""
    if not access.can_triage(user, concern.school):
        raise PermissionDenied
    refuse_if_closed(concern)
    name, role = user.name_and_role_at(concern.school)
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
    chronology_add(
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
    still_open = [a.get_kind_display() for a in concern.actions.filter(status=ActionStatus.OPEN)]
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
    name, role = user.name_and_role_at(concern.school)
    chronology_add(
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
    name, role = user.name_and_role_at(concern.school)
    chronology_add(
        concern=concern, kind=ChronologyKind.REOPENED, by=user, summary=f"Reopened by {name} ({role}): {reason}"
    )
    return concern


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
    name, role = user.name_and_role_at(concern.school)
    to = assignee.get_full_name() if assignee else "nobody"
    chronology_add(
        concern=concern, kind=ChronologyKind.ASSIGNED, by=user, summary=f"Assigned to {to} by {name} ({role})."
    )
    return concern
