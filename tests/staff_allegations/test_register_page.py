"""/staff-concerns/, the register: what each row says (staff_allegations/register_lines.py), and the patterns to
review found among the low-level concerns inside the school's window only (R76)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from staff_allegations.models import AdultCaseSettings
from tests.conftest import sign_in

from .conftest import report

pytestmark = pytest.mark.django_db
WEDNESDAY = datetime(2026, 12, 2, 14, 0, tzinfo=ZoneInfo("Europe/London"))


def rows(page: str) -> list[str]:
    return page[page.index("<tbody>") : page.index("</tbody>")].split("</tr>")[:-1]


def test_a_row_says_what_the_case_is_about_and_when_its_deadline_falls(client, school, teacher, colleague, head):
    with time_machine.travel(WEDNESDAY, tick=False):
        case = report(teacher, school, subject=colleague, allegation=True)  # the Head's, with the LADO deadline
    with time_machine.travel(WEDNESDAY, tick=False):
        sign_in(client, head)
        (row,) = rows(client.get(reverse("staff_allegations:list")).content.decode())
    assert f'<a href="{reverse("staff_allegations:detail", args=[case.public_id])}">{case.reference}</a>' in row
    assert "<td>Allegation</td>" in row and f"<td>{case.subject_display}</td>" in row
    assert "<td>2 Dec 2026</td>" in row and '<span class="badge text-bg-primary">Open</span>' in row
    deadline = case.tasks.get().due_at
    assert f"Consult the LADO (within one working day): due {timezone.localtime(deadline):%a %-d %b, %H:%M}" in row
    assert "(overdue)" not in row
    with time_machine.travel(deadline + timedelta(minutes=1), tick=False):
        sign_in(client, head)
        (row,) = rows(client.get(reverse("staff_allegations:list")).content.decode())
    assert '<div class="text-danger fw-semibold">Consult the LADO' in row and "(overdue)</div>" in row


def test_a_pattern_counts_only_the_concerns_inside_the_schools_window(client, school, teacher, colleague, head):
    """R76: two low-level concerns about one person a year and more apart make no pattern over the default 365
    days; over a window the Head widened to 500 they do, and each case is linked."""
    with time_machine.travel(WEDNESDAY - timedelta(days=400), tick=False):
        older = report(teacher, school, subject=colleague)
    with time_machine.travel(WEDNESDAY, tick=False):
        newer = report(teacher, school, subject=colleague)
        sign_in(client, head)
        assert "Patterns to review" not in client.get(reverse("staff_allegations:list")).content.decode()
        AdultCaseSettings.objects.create(school=school, pattern_window_days=500)
        page = client.get(reverse("staff_allegations:list")).content.decode()
    assert "Patterns to review" in page and "Owen Blake: 2 low-level concerns" in page
    links = [
        f'<a href="{reverse("staff_allegations:detail", args=[c.public_id])}">{c.reference}</a>' for c in (older, newer)
    ]
    assert ", ".join(links) in page
