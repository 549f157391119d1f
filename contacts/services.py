"""Changes to the key-contacts directory. Only the DSL team may make them (R90); each is audit-logged."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from safeguarding import access
from safeguarding.models import School, User

from .models import Contact


def _require_editor(user: User, school: School) -> None:
    if not access.can_edit_contacts(user, school):
        raise PermissionDenied("Only the DSL team can change the contacts directory.")


@transaction.atomic
def contact_save(*, user: User, school: School, contact: Contact) -> Contact:
    """Adds or updates an entry. Saving an entry counts as reviewing it, so its review date becomes today."""
    _require_editor(user, school)
    contact.school = school
    contact.reviewed_on = timezone.localdate()
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_mark_reviewed(*, user: User, school: School, contact: Contact) -> Contact:
    """R90: records that someone checked the entry and it is still right."""
    _require_editor(user, school)
    contact.reviewed_on = timezone.localdate()
    contact.save(update_fields=["reviewed_on"])
    return contact


@transaction.atomic
def contact_retire(*, user: User, school: School, contact: Contact) -> Contact:
    """Takes an entry out of the directory without deleting it."""
    _require_editor(user, school)
    contact.retired_at = timezone.now()
    contact.save(update_fields=["retired_at"])
    return contact


@transaction.atomic
def contact_restore(*, user: User, school: School, contact: Contact) -> Contact:
    _require_editor(user, school)
    contact.retired_at = None
    contact.reviewed_on = timezone.localdate()
    contact.save(update_fields=["retired_at", "reviewed_on"])
    return contact
