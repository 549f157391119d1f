"""Reads of the key-contacts directory. Other apps call `contacts_for_purpose` to show the right number in context."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from safeguarding import access
from safeguarding.models import School, User

from .models import Area, Contact, Purpose


@dataclass
class AreaGroup:
    area: str
    label: str
    contacts: list[Contact]


def contact_list(*, school: School, query: str = "", include_retired: bool = False) -> QuerySet[Contact]:
    contacts = Contact.objects.filter(school=school)
    if not include_retired:
        contacts = contacts.filter(retired_at__isnull=True)
    for word in query.split():
        contacts = contacts.filter(
            Q(role__icontains=word)
            | Q(name__icontains=word)
            | Q(organisation__icontains=word)
            | Q(use_when__icontains=word)
            | Q(notes__icontains=word)
            | Q(phone__icontains=word)
            | Q(email__icontains=word)
        )
    return contacts


def directory_list_for_user(*, user: User, school: School, query: str = "") -> list[AreaGroup]:
    """The directory grouped by area, in the policy's order: the school's team, Derby, Derbyshire, national."""
    if not access.can_view_contacts(user, school):
        return []
    by_area: dict[str, list[Contact]] = {area: [] for area in Area.values}
    for contact in contact_list(school=school, query=query):
        by_area[contact.area].append(contact)
    return [AreaGroup(area, Area(area).label, found) for area, found in by_area.items() if found]


def retired_contact_list_for_user(*, user: User, school: School) -> QuerySet[Contact]:
    if not access.can_edit_contacts(user, school):
        return Contact.objects.none()
    return Contact.objects.filter(school=school, retired_at__isnull=False)


def contact_get_for_user(*, user: User, public_id: uuid.UUID) -> Contact | None:
    """The entry, if the person may edit its school's directory; None both when missing and when not allowed."""
    editable = [s.pk for s in access.schools_for(user) if access.can_edit_contacts(user, s)]
    return Contact.objects.filter(school__in=editable, public_id=public_id).select_related("school").first()


def contacts_for_purpose(*, school: School, purposes: Iterable[str]) -> list[Contact]:
    """R91: the current entries for a purpose (e.g. Purpose.LADO), to show "who to call" where it is needed."""
    wanted = [Purpose(p) for p in purposes]
    found = Contact.objects.filter(school=school, purpose__in=wanted, retired_at__isnull=True)
    order: dict[str, int] = {purpose: index for index, purpose in enumerate(wanted)}
    return sorted(found, key=lambda c: (order[c.purpose], c.sort_order, c.role))


# What the printable poster shows: the school's team, then the numbers for when it cannot be reached.
POSTER_TEAM = (Purpose.DSL, Purpose.DEPUTY_DSL, Purpose.SENIOR_LEADER, Purpose.SAFEGUARDING_MAILBOX)
POSTER_NUMBERS = (
    Purpose.POLICE_EMERGENCY,
    Purpose.CSC_URGENT,
    Purpose.CSC_OUT_OF_HOURS,
    Purpose.POLICE_NON_EMERGENCY,
    Purpose.LADO,
    Purpose.PREVENT,
    Purpose.NSPCC,
    Purpose.WHISTLEBLOWING,
)


def poster_contacts(*, school: School) -> dict[str, list[Contact]]:
    """A printed poster cannot carry a "check before use" warning, so entries flagged as doubtful stay off it."""
    team = [
        c
        for c in contacts_for_purpose(school=school, purposes=POSTER_TEAM)
        if c.area == Area.SCHOOL and not c.data_warning
    ]
    numbers = [c for c in contacts_for_purpose(school=school, purposes=POSTER_NUMBERS) if not c.data_warning]
    return {"team": team, "numbers": numbers}
