"""The child's profile on their CP file (R48–R50): flags (looked after, child protection plan, Prevent and the
rest) with their dates, and the key people around the child.

Proved by tests/concerns/test_pupil_profile.py.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import transaction

from concerns.models import (
    KeyPerson,
    Pupil,
    PupilFlag,
)
from safeguarding import access
from safeguarding.models import User

# What goes on the child's profile: a flag (R48) or a key person (R50); the one given is the one given back.
_ProfileRecord = TypeVar("_ProfileRecord", PupilFlag, KeyPerson)


@transaction.atomic
def pupil_profile_add(*, user: User, pupil: Pupil, record: _ProfileRecord) -> _ProfileRecord:
    """Adds a flag (R48) or a key person (R50) to a child's file; the DSL team only."""
    if not access.can_view_pupil_file(user, pupil):
        raise PermissionDenied
    return profile_record_save(user=user, pupil=pupil, record=record)


def profile_record_save(*, user: User, pupil: Pupil, record: _ProfileRecord) -> _ProfileRecord:
    record.school = pupil.school
    record.pupil = pupil
    record.recorded_by = user
    record.recorded_by_name, record.recorded_by_role = user.name_and_role_at(pupil.school)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def flag_end(*, user: User, flag: PupilFlag, ends_on: date) -> None:
    """A flag is ended, never deleted: its history stays on the file."""
    if not access.can_view_pupil_file(user, flag.pupil):
        raise PermissionDenied
    flag.ends_on = ends_on
    flag.full_clean()
    flag.save(update_fields=["ends_on"])
