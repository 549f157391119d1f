"""The audit log (R85) costs the same number of queries at 10 rows as at 1,000 (issue 12, item 5): a page of 50,
its count and the search, whatever the school's log holds."""

import pytest
import time_machine
from django.urls import reverse

from safeguarding.models import Role

from .conftest import sign_in
from .volume_rows import NOW, add_audit_rows, queries_for

AUDIT = reverse("audit_log")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "search"),
    [("get", {}), ("post", {"q": "concern"}), ("post", {"page": 2}), ("post", {"q": "Marsh", "page": 2})],
    ids=["first page", "search", "second page", "search, second page"],
)
def test_the_audit_log_costs_the_same_at_60_and_at_1000_rows(school, other_school, make_person, client, method, search):
    """Each page, searched or not, of one school's log, beside another school's as long."""
    dsl = make_person(Role.DSL, school=school, first_name="Helen", last_name="Marsh")
    sign_in(client, dsl)
    add_audit_rows(school=school, actor=dsl, count=60)
    add_audit_rows(school=other_school, actor=dsl, count=60)
    few = queries_for(client, AUDIT, search, method=method)
    add_audit_rows(school=school, actor=dsl, count=940)
    add_audit_rows(school=other_school, actor=dsl, count=940)
    assert queries_for(client, AUDIT, search, method=method) == few


@pytest.mark.django_db
def test_the_audit_log_costs_the_same_at_10_and_at_1000_rows(school, make_person, client):
    dsl = make_person(Role.DSL, school=school, first_name="Helen", last_name="Marsh")
    sign_in(client, dsl)
    add_audit_rows(school=school, actor=dsl, count=10)
    few = queries_for(client, AUDIT)
    add_audit_rows(school=school, actor=dsl, count=990)
    assert queries_for(client, AUDIT) == few
