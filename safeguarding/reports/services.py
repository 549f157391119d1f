"""Recording the annual assurance checks (R89): the DSL team or the Head, on /reports/assurance/."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction

from safeguarding import access
from safeguarding.models import AssuranceCheck, School, User


@transaction.atomic
def assurance_check_record(*, user: User, school: School, kind: str, done_on: date, next_due: date) -> AssuranceCheck:
    """R89: a check done, with when the next is due. Who and which school come from the request, never the form."""
    if not access.can_record_assurance(user, school):
        raise PermissionDenied
    check = AssuranceCheck(school=school, kind=kind, done_on=done_on, next_due=next_due, recorded_by=user)
    check.full_clean()
    check.save()
    return check
