"""Issue 12: the report's page and PDF read the figures the task worker stored, in a few queries, and never count
or draw (matplotlib stays out of the web processes); they say when the figures were made; the DSL team asks for
them to be made again."""

import io
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from safeguarding.models import ReportSnapshot, Role, Term
from safeguarding.reports import snapshots, tasks
from safeguarding.reports.periods import TermKey

from ..conftest import sign_in
from .helpers import at, concern, run_jobs

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]
SUMMER = TermKey("2025-26", "summer")
PAGE = reverse("reports:term", args=["2025-26", "summer"])
PDF = reverse("reports:term_pdf", args=["2025-26", "summer"])
REMAKE = reverse("reports:term_remake", args=["2025-26", "summer"])


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON)


def pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)


def make_jobs() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=tasks.make_report_figures.module_path, status="READY"))


@pytest.fixture
def made(frozen_clock, school, dsl, terms):
    """The summer term's figures, made by the worker the night after the term ended (23 July 2026, summer time)."""
    for day in range(1, 8):
        concern(school=school, author=dsl, recorded_at=at(date(2026, 5, day)))
    frozen_clock.move_to(london(2026, 7, 23, 2, 5))
    snapshot = snapshots.snapshot_make(snapshots.school_scope(school), SUMMER)
    frozen_clock.move_to(london(2026, 12, 3, 10, 0))
    return snapshot


def test_a_term_with_no_figures_yet_says_they_are_being_prepared_and_asks_the_worker(client, trustee, terms):
    sign_in(client, trustee)
    page = client.get(PAGE).content.decode()
    assert "The figures for this term are being prepared." in page
    assert '<meta http-equiv="refresh" content="30">' in page  # it looks again by itself, with no script
    assert "Download the PDF" not in page and "Three things to ask about" not in page
    assert not ReportSnapshot.objects.exists()  # the page counted nothing
    assert [job.args_kwargs["args"][1:3] for job in make_jobs()] == [["2025-26", "summer"]]
    pdf = client.get(PDF)
    assert pdf.status_code == 302 and pdf.url == PAGE  # nothing to print yet: the page explains

    assert run_jobs() == ["made", "already made"]  # both visits asked; the figures were made once
    page = client.get(PAGE).content.decode()
    assert "being prepared" not in page and "Three things to ask about" in page and "<svg" in page


def test_the_page_and_the_pdf_print_the_stored_figures_and_count_nothing(client, trustee, made, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a web request counted or drew the report")

    for module, name in ((snapshots, "build_report"), (snapshots, "charts_for"), (snapshots, "snapshot_make")):
        monkeypatch.setattr(module, name, refuse)
    made.summary = made.summary.replace("Three things to ask about", "Three things to ask about (as stored)")
    made.save()
    sign_in(client, trustee)
    page = client.get(PAGE).content.decode()
    assert "Three things to ask about (as stored)" in page and "<svg" in page
    text = pdf_text(client.get(PDF))
    assert "Three things to ask about (as stored)" in text and "Concerns recorded" in text
    assert not make_jobs()  # a closed term's figures are kept: nothing asked of the worker


def test_the_page_costs_the_same_few_queries_however_much_the_term_holds(
    client, trustee, school, dsl, made, django_assert_max_num_queries
):
    sign_in(client, trustee)
    client.get(PAGE)  # the first request also fills the session and the caches of the person's roles
    with django_assert_max_num_queries(10) as few:
        assert client.get(PAGE).status_code == 200
    for day in range(40):
        concern(school=school, author=dsl, recorded_at=at(date(2026, 4, 20) + timedelta(days=day)))
    snapshots.snapshot_make(snapshots.school_scope(school), SUMMER)
    with django_assert_max_num_queries(10) as many:
        assert client.get(PAGE).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert ">47<" in client.get(PAGE).content.decode()  # what it reads is the worker's new count


def test_the_page_and_the_pdf_say_when_the_figures_were_made(client, trustee, made):
    """Made at 02:05 London time on 23 July (01:05 in UTC, as stored)."""
    sign_in(client, trustee)
    page = client.get(PAGE).content.decode()
    assert "Figures made on 23 July 2026 at 02:05, after the term ended." in page
    assert "still going on" not in page
    text = " ".join(pdf_text(client.get(PDF)).split())
    assert "Figures made on 23 July 2026 at 02:05, after the term ended." in text


def test_the_current_terms_page_says_when_they_were_counted_and_asks_again_when_old(
    frozen_clock, client, trustee, school, terms
):
    Term.objects.create(
        school=school, academic_year="2026-27", name="autumn", starts_on=date(2026, 9, 3), ends_on=date(2026, 12, 18)
    )
    key = TermKey("2026-27", "autumn")
    page_url = reverse("reports:term", args=[key.academic_year, key.name])
    frozen_clock.move_to(london(2026, 12, 3, 9, 0))
    snapshots.snapshot_make(snapshots.school_scope(school), key)

    frozen_clock.move_to(london(2026, 12, 3, 9, 50))
    sign_in(client, trustee)  # signed in afresh after each wait: a session ends after 30 minutes idle
    page = client.get(page_url).content.decode()
    assert "The term is still going on: these figures were last counted on 3 December 2026 at 09:00." in page
    assert "counted again each night." in page and not make_jobs()

    frozen_clock.move_to(london(2026, 12, 3, 10, 1))
    sign_in(client, trustee)
    page = client.get(page_url).content.decode()
    assert "They are counted again each night, and are being counted again now." in page
    assert "A remake of these figures was asked for" not in page  # nobody asked: they were old
    client.get(page_url)
    assert len(make_jobs()) == 1  # asked once, however many look
    snapshot = snapshots.snapshot_get(snapshots.school_scope(school), key)
    assert snapshot.remake_asked_at == london(2026, 12, 3, 10, 1) and snapshot.remake_asked_by is None

    frozen_clock.move_to(london(2026, 12, 3, 10, 2))
    assert run_jobs() == ["made"]
    page = client.get(page_url).content.decode()
    assert "last counted on 3 December 2026 at 10:02. They are counted again each night." in page
    assert "Remake these figures" not in page  # a trustee reads the pack; the DSL team remakes it


def test_the_dsl_remakes_a_closed_terms_figures(frozen_clock, client, dsl, made):
    sign_in(client, dsl)
    page = client.get(PAGE).content.decode()
    assert f'<form method="post" action="{REMAKE}"' in page and "Remake these figures</button>" in page
    assert 'name="csrfmiddlewaretoken"' in page

    guarded = sign_in(Client(enforce_csrf_checks=True), dsl)
    assert guarded.post(REMAKE).status_code == 403  # no CSRF token: refused
    assert not make_jobs()

    response = client.post(REMAKE)
    assert response.status_code == 302 and response.url == PAGE
    made.refresh_from_db()
    assert made.remake_asked_at == london(2026, 12, 3, 10, 0) and made.remake_asked_by == dsl
    assert len(make_jobs()) == 1
    page = client.get(response.url).content.decode()
    assert "A remake of the figures for the Summer term 2025-26 is on its way" in page  # the message
    assert "A remake of these figures was asked for on 3 December 2026 at 10:00, and is on its way." in page
    assert "Remake these figures</button>" not in page
    assert "Figures made on 23 July 2026 at 02:05" in page  # the figures stay readable meanwhile

    frozen_clock.move_to(london(2026, 12, 3, 10, 1))
    assert run_jobs() == ["made"]
    made.refresh_from_db()
    assert made.made_by == dsl and made.made_at == london(2026, 12, 3, 10, 1) and not made.in_progress
    page = client.get(PAGE).content.decode()
    assert "Figures made on 3 December 2026 at 10:01, remade on request." in page
    assert "is on its way" not in page and "Remake these figures</button>" in page


def test_a_remake_the_worker_never_made_is_asked_for_again(frozen_clock, client, dsl, trustee, made):
    sign_in(client, dsl)
    client.post(REMAKE)
    DBTaskResult.objects.update(status="FAILED")  # the job failed: nothing will answer the ask
    frozen_clock.move_to(london(2026, 12, 3, 10, 20))
    sign_in(client, trustee)
    client.get(PAGE)
    assert not make_jobs()  # still on its way, as far as anyone can tell
    frozen_clock.move_to(london(2026, 12, 3, 10, 31))
    sign_in(client, trustee)
    client.get(PAGE)
    assert len(make_jobs()) == 1
    assert run_jobs() == ["made"]
    made.refresh_from_db()
    assert made.made_by == dsl and made.made_at == london(2026, 12, 3, 10, 31)


@pytest.mark.parametrize("role", [Role.TRUSTEE, Role.CHAIR, Role.HEADTEACHER])
def test_readers_of_the_pack_cannot_remake_it(client, school, make_person, made, role):
    sign_in(client, make_person(role, school=school))
    assert "Remake these figures" not in client.get(PAGE).content.decode()
    assert client.post(REMAKE).status_code == 403
    made.refresh_from_db()
    assert made.remake_asked_at is None and not make_jobs()


def test_the_trust_lead_remakes_the_trusts_figures_and_not_a_schools(client, school, make_person, made):
    lead = make_person(Role.TRUST_SAFEGUARDING_LEAD, school=school)
    trust = snapshots.trust_scope(school.trust)
    snapshots.snapshot_make(trust, SUMMER)
    sign_in(client, lead)
    assert client.post(REMAKE).status_code == 302
    assert snapshots.snapshot_get(trust, SUMMER).remake_asked_by == lead
    assert [job.args_kwargs["args"][0] for job in make_jobs()] == [f"trust:{school.trust_id}"]
    assert client.post(REMAKE + f"?school={school.public_id}").status_code == 403
    made.refresh_from_db()
    assert made.remake_asked_at is None


# Run in a fresh interpreter, as a web worker would be: the URL map and every view imported, a stored report read
# through the page and the PDF, then the list of modules loaded. The last step draws a chart, to show the check sees
# matplotlib once something does load it.
NO_MATPLOTLIB = """
import json, sys
from datetime import date, datetime, timezone
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
call_command("migrate", verbosity=0)
from safeguarding.models import Membership, ReportSnapshot, Role, School, Term, User
school = School.objects.create(name="West Park School", local_authority="Derby")
Term.objects.create(
    school=school, academic_year="2020-21", name="autumn", starts_on=date(2020, 9, 3), ends_on=date(2020, 12, 18)
)
period = {"school_id": school.pk, "school": school.name, "starts_on": "2020-09-03", "ends_on": "2021-01-03",
          "as_at": "2021-01-03", "in_progress": False}
ReportSnapshot.objects.create(
    school=school, academic_year="2020-21", term="autumn", summary="<p>Stored summary</p>",
    detail="<p>Stored detail</p>", periods=[period], charts_drawn=True, in_progress=False,
    counted_to=date(2021, 1, 3), made_at=datetime(2021, 1, 4, 2, 0, tzinfo=timezone.utc),
)
trustee = User.objects.create_user("trustee", password="not-used-here-0000")
Membership.objects.create(user=trustee, school=school, role=Role.TRUSTEE)
client = Client()
client.force_login(trustee)
page = client.get("/reports/2020-21/autumn/")
pdf = client.get("/reports/2020-21/autumn.pdf")
loaded = sorted(name for name in sys.modules if name.split(".")[0] == "matplotlib")
from safeguarding.reports import charts
charts.bar_chart(chart_id="c", title="t", labels=["a"], series=[("s", [5])])
print(json.dumps({
    "page": page.status_code, "stored": "Stored summary" in page.content.decode(),
    "pdf": pdf.status_code, "pdf_start": pdf.content[:4].decode(), "loaded": loaded,
    "after_drawing": "matplotlib" in sys.modules,
}))
"""


def test_a_web_request_that_reads_stored_figures_never_imports_matplotlib():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "sqlite://:memory:",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", NO_MATPLOTLIB], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["page"], result["stored"], result["pdf"], result["pdf_start"]) == (200, True, 200, "%PDF")
    assert result["loaded"] == []
    assert result["after_drawing"] is True
