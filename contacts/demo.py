"""The demo school's key contacts: the directory West Park School published in its policy (load_demo's step)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from safeguarding.models import School

from .directory_data import WEST_PARK_DIRECTORY
from .models import Contact

# The policy's publication date: entries nobody has checked since carry it as their review date.
POLICY_PUBLISHED_ON = date(2024, 9, 1)


def load_demo_directory(*, school: School) -> int:
    """The school's directory as published; only into an empty directory, so edits by the DSL are never undone."""
    if Contact.objects.filter(school=school).exists():
        return 0
    for order, row in enumerate(WEST_PARK_DIRECTORY):
        reviewed_on = POLICY_PUBLISHED_ON if row["data_warning"] else timezone.localdate()
        contact = Contact(school=school, sort_order=order * 10, reviewed_on=reviewed_on, **row)
        contact.full_clean()
        contact.save()
    return len(WEST_PARK_DIRECTORY)
