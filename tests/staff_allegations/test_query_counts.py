"""The register of concerns about adults and a case's page cost the same number of queries at 10 rows as at 1,000
(issue 12, item 5). The register is paged, 50 cases a page, so the access rows it writes for the cases shown (R85)
are one INSERT on every database whatever the register holds."""

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from staff_allegations.selectors import LISTED

from ..conftest import sign_in
from ..volume_rows import NOW, add_adult_cases, add_audit_rows, add_case_entries, queries_for

REGISTER = reverse("staff_allegations:list")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
@pytest.mark.parametrize("number", [1, 2])
def test_a_page_of_the_register_costs_the_same_at_60_and_at_1000_cases(client, school, teacher, head, number):
    """Each page lists its 50 cases with their open deadlines, and logs that they were seen, in a fixed number of
    queries."""
    sign_in(client, head)
    url = f"{REGISTER}?page={number}"
    add_adult_cases(school=school, case_manager=head, reporter=teacher, count=60)
    few = queries_for(client, url)
    add_adult_cases(school=school, case_manager=head, reporter=teacher, count=940)
    assert queries_for(client, url) == few


@pytest.mark.django_db
def test_the_register_costs_the_same_at_10_and_at_1000_cases(client, school, teacher, head):
    sign_in(client, head)
    add_adult_cases(school=school, case_manager=head, reporter=teacher, count=10)
    few = queries_for(client, REGISTER)
    add_adult_cases(school=school, case_manager=head, reporter=teacher, count=990)
    assert queries_for(client, REGISTER) == few


@pytest.mark.django_db
def test_the_register_shows_and_logs_one_page_with_how_many_cases_there_are(client, school, teacher, head):
    """Open cases first, newest first; only the 50 shown are logged as seen."""
    add_adult_cases(school=school, case_manager=head, reporter=teacher, count=120)
    sign_in(client, head)
    page = client.get(REGISTER, {"page": 3}).content.decode()
    assert "Showing 101–120 of 120 cases, open first, newest first." in page
    assert "Page 3 of 3" in page
    assert "Made-up Adult 100, Teacher" in page and "Made-up Adult 119, Teacher" in page
    assert "Made-up Adult 99, Teacher" not in page
    assert LogEntry.objects.filter(additional_data__access=LISTED).count() == 20


@pytest.mark.django_db
def test_a_case_page_costs_the_same_at_10_and_at_1000_entries_and_access_rows(client, school, teacher, head):
    """The case's record, its deadlines and its own access trail (the newest 50) in a fixed number of queries,
    however long the case and the school's audit log have grown."""
    case = add_adult_cases(school=school, case_manager=head, reporter=teacher, count=1)[0]
    url = reverse("staff_allegations:detail", kwargs={"public_id": case.public_id})
    sign_in(client, head)
    add_case_entries(case=case, author=head, count=10)
    add_audit_rows(school=school, actor=head, count=10, adult_case=case)
    few = queries_for(client, url)
    add_case_entries(case=case, author=head, count=990)
    add_audit_rows(school=school, actor=head, count=990, adult_case=case)
    add_audit_rows(school=school, actor=head, count=1000)
    assert queries_for(client, url) == few
