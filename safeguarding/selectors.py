"""Reads for the core app: the people at a school, and the audit log as the DSL team and the DPO see it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from auditlog.models import LogEntry
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import access
from .models import Role, School, User


def people_at(
    school: School, *, roles: Iterable[str] | None = None, exclude_roles: Iterable[str] = ()
) -> QuerySet[User]:
    """The active people with a place at `school` (holding one of `roles`, when given), by name: the one answer to
    "who is at this school" for alerts, owners, reporters and the people a note is shared with."""
    # One filter() call, so the role is one held at this school (not a place here and the role elsewhere).
    place = {"memberships__school": school} | ({"memberships__role__in": list(roles)} if roles is not None else {})
    people = User.objects.filter(is_active=True, **place)
    if exclude_roles:
        people = people.exclude(memberships__role__in=list(exclude_roles))
    return people.distinct().order_by("last_name", "first_name")


def audit_entry_list_for_user(
    *,
    user: User,
    school: School,
    query: str = "",
    action: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[LogEntry]:
    """R85: who changed and who viewed what at one school, newest first. Empty for anyone else."""
    if not access.can_view_audit_log(user, school):
        return LogEntry.objects.none()
    entries = LogEntry.objects.filter(additional_data__school=school.pk).select_related("actor", "content_type")
    # R61: rows about concerns about adults stay behind the wall. The case manager reads a case's own trail on the
    # case; the DPO reviews them here, except rows of a case about the DPO themselves.
    if access.has_any_role(user, {Role.DPO}, school):
        # Written with has_key: a row without the key must not drop out through SQL's NULL comparison.
        entries = entries.exclude(
            Q(additional_data__has_key="adult_case_subject") & Q(additional_data__adult_case_subject=user.pk)
        )
    else:
        entries = entries.exclude(additional_data__has_key="adult_case")
    # A draft about an adult has no case yet and may be about the reader, whoever they are.
    entries = entries.exclude(additional_data__has_key="adult_draft")
    for word in query.split():
        entries = entries.filter(
            Q(actor__first_name__icontains=word)
            | Q(actor__last_name__icontains=word)
            | Q(actor__username__icontains=word)
            | Q(object_repr__icontains=word)
            | Q(content_type__model__icontains=word)
        )
    if action is not None:
        entries = entries.filter(action=action)
    tz = timezone.get_current_timezone()
    if date_from:
        entries = entries.filter(timestamp__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        entries = entries.filter(timestamp__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    return entries.order_by("-timestamp", "-pk")
