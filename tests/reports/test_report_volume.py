"""Issue 18, item 11, and issue 12: one school's report at a trust of many schools and years of history. The worker
reads each term's rows through an index and counts all the trust's schools in the same queries, so the work of making
a report's figures does not grow with the number of schools or the years behind the term; and the page and the PDF
read what it stored, in the same few queries whatever the volume.

The data is generate_volume's, with small schools so the test stays quick: the queries, not the rows, are what is
measured here (the time at full volume is for bench/).
"""

import copy

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from concerns.management.commands.generate_volume import VOLUME_TRUST
from safeguarding.models import Role, School, Term
from safeguarding.reports.figures import Scope
from safeguarding.reports.periods import TermKey
from safeguarding.reports.snapshots import snapshot_make

from ..conftest import kept_for_the_module, person, sign_in
from .helpers import TODAY

pytestmark = pytest.mark.django_db

# The clock is frozen on 3 December 2026 (conftest.py): the autumn term 2026-27 is going on, and the summer term
# 2025-26 is the last full one, with five terms before it for the trend.
SUMMER = TermKey("2025-26", "summer")
PAGE = reverse("reports:term", args=["2025-26", "summer"])
PDF = reverse("reports:term_pdf", args=["2025-26", "summer"])
REGISTER = "staff_allegations_"  # the register of concerns about adults, counted apart (see below)


def generate(*, schools: int, years: int) -> None:
    call_command("generate_volume", schools=schools, pupils=15, years=years, verbosity=0)


def split(captured) -> tuple[list[str], list[str]]:
    """The report's own queries, and those of the register of concerns about adults."""
    sql = [query["sql"] for query in captured.captured_queries]
    return [q for q in sql if REGISTER not in q], [q for q in sql if REGISTER in q]


def making(school):
    """The queries the worker makes to count the school's summer term and store its figures."""
    with CaptureQueriesContext(connection) as captured:
        assert snapshot_make(Scope((school,)), SUMMER) is not None
    return split(captured)


def reading(client, url):
    """The queries of a page or PDF that reads the stored figures."""
    client.get(url)  # the first request also fills the session and the caches of the person's roles
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return split(captured)


@pytest.fixture(autouse=True, scope="module")
def volume_clock():
    """The reports' today (conftest.py) for all of the module, as the volume every test starts from is made once."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(scope="module")
def volume(django_db_setup, django_db_blocker, volume_clock):
    """Two volume schools with three years behind them, a trustee of the first, and its summer's stored figures:
    made once for the module; what each test adds is undone after it (tests/conftest.py, kept_for_the_module)."""

    @override_settings(DEBUG=True)  # generate_volume refuses otherwise
    def make():
        generate(schools=2, years=3)
        school = School.objects.get(name="Volume School 1 (fictional)")
        trustee = person(Role.TRUSTEE, school=school)
        snapshot_make(Scope((school,)), SUMMER)  # stored once, so that each measure below replaces stored figures
        return school, trustee

    yield from kept_for_the_module(django_db_blocker, make)


@pytest.fixture
def reader(settings, client, volume):
    """A trustee of the first volume school, which is in a trust of several."""
    settings.DEBUG = True  # generate_volume refuses otherwise
    school, trustee = copy.deepcopy(volume)
    sign_in(client, trustee)
    return school


def test_making_one_schools_figures_costs_the_same_queries_with_more_schools_and_more_years(reader):
    few_own, few_register = making(reader)
    # Every term of the trend (the summer term and the five before it) is there already.
    assert Term.objects.filter(school=reader, starts_on__lte="2026-04-30").count() == 6

    # Three years more of history behind every term, at both schools: not one query more.
    generate(schools=2, years=6)
    assert Term.objects.filter(school=reader, starts_on__lte="2026-04-30").count() == 15
    longer_own, longer_register = making(reader)
    assert len(longer_own) == len(few_own) and len(longer_register) == len(few_register)

    # Five schools in the trust instead of two: the report's own queries are the same.
    generate(schools=5, years=6)
    assert School.objects.filter(trust__name=VOLUME_TRUST).count() == 5
    wider_own, wider_register = making(reader)
    assert len(wider_own) == len(few_own)
    # The register of concerns about adults counts a trust's schools that share term dates in one go too
    # (staff_allegations.reporting.term_counts_by_school).
    assert 0 < len(wider_register) == len(few_register)


@pytest.mark.parametrize("url", [PAGE, PDF])
def test_the_page_and_the_pdf_read_the_figures_in_the_same_few_queries_at_any_volume(client, reader, url):
    few_own, few_register = reading(client, url)
    generate(schools=5, years=6)
    snapshot_make(Scope((reader,)), SUMMER)
    wider_own, wider_register = reading(client, url)
    assert len(wider_own) == len(few_own) <= 12
    assert few_register == wider_register == []  # nothing is counted on the way to the reader


def test_one_schools_figures_wait_for_no_other_schools_medians(reader):
    """The medians are measured only for the column the report shows: adding schools adds no median query."""
    few_own, _ = making(reader)
    medians = [q for q in few_own if "acknowledged_at" in q and "COUNT(" in q.upper()]
    generate(schools=5, years=3)
    wider_own, _ = making(reader)
    assert len([q for q in wider_own if "acknowledged_at" in q and "COUNT(" in q.upper()]) == len(medians)
    assert len(medians) == 3  # this term, last term and the same term last year, for this school alone
