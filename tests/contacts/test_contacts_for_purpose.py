"""contacts_for_purpose: the current entries for a purpose, for pages that show "who to call" in context (R91)."""

from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from contacts.models import Purpose
from contacts.selectors import contacts_for_purpose
from safeguarding.calendar import LONDON

from ..factories import ContactFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_entries_come_in_the_order_of_the_purposes_asked_for(school):
    """The answer follows the order of the purposes given, not the directory's own order."""
    nspcc = ContactFactory(school=school, purpose=Purpose.NSPCC, sort_order=1)
    lado = ContactFactory(school=school, purpose=Purpose.LADO, sort_order=2)
    dsl = ContactFactory(school=school, purpose=Purpose.DSL, sort_order=3)
    ContactFactory(school=school, purpose=Purpose.PREVENT, sort_order=0)
    found = contacts_for_purpose(school=school, purposes=[Purpose.DSL, Purpose.LADO, Purpose.NSPCC])
    assert found == [dsl, lado, nspcc]
    assert contacts_for_purpose(school=school, purposes=["nspcc", "dsl"]) == [nspcc, dsl]


def test_entries_with_the_same_purpose_keep_the_directory_order(school):
    """Two entries for one purpose come in the directory's sort order."""
    second = ContactFactory(school=school, purpose=Purpose.SENIOR_LEADER, sort_order=20, role="Deputy Head")
    first = ContactFactory(school=school, purpose=Purpose.SENIOR_LEADER, sort_order=10, role="Headteacher")
    assert contacts_for_purpose(school=school, purposes=[Purpose.SENIOR_LEADER]) == [first, second]


def test_retired_entries_are_left_out(school):
    """A retired entry is never offered as the one to call."""
    current = ContactFactory(school=school, purpose=Purpose.LADO, role="LADO (current)")
    ContactFactory(school=school, purpose=Purpose.LADO, role="LADO (old)", retired_at=timezone.now())
    assert contacts_for_purpose(school=school, purposes=[Purpose.LADO]) == [current]


def test_other_schools_entries_are_left_out(school, other_school):
    """Only the school's own directory answers; another school's LADO is not offered."""
    ours = ContactFactory(school=school, purpose=Purpose.LADO)
    ContactFactory(school=other_school, purpose=Purpose.LADO)
    ContactFactory(school=other_school, purpose=Purpose.DSL)
    assert contacts_for_purpose(school=school, purposes=[Purpose.DSL, Purpose.LADO]) == [ours]


def test_a_purpose_with_no_entry_gives_nothing(school):
    """Asking for a purpose nobody is listed for gives an empty list."""
    ContactFactory(school=school, purpose=Purpose.NONE)
    assert contacts_for_purpose(school=school, purposes=[Purpose.FGM_REPORT]) == []


def test_an_unknown_purpose_is_an_error(school):
    """A misspelt purpose raises instead of silently finding nobody to call."""
    with pytest.raises(ValueError):
        contacts_for_purpose(school=school, purposes=["lado", "ladoo"])
