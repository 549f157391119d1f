"""The report's pages and PDF: who opens them, what they hold, and what they never hold (R87, R88)."""

import io
import re
from datetime import date, timedelta

import pypdf
import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.models import Pupil
from safeguarding.models import Role
from safeguarding.reports.figures import Scope
from safeguarding.reports.periods import TermKey
from safeguarding.reports.snapshots import snapshot_make

from ..conftest import sign_in
from .helpers import at, concern, read_report

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:term", args=["2025-26", "autumn"])
PDF = reverse("reports:term_pdf", args=["2025-26", "autumn"])


@pytest.fixture
def busy_term(school, dsl, terms):
    """Twelve concerns about neglect and three about bullying in the autumn term, about named fictional pupils."""
    for i in range(12):
        concern(
            school=school,
            author=dsl,
            recorded_at=at(date(2025, 10, 1) + timedelta(days=i)),
            codes=["neglect"],
            level="level_2",
            acknowledged_after=timedelta(minutes=20),
        )
    for i in range(3):
        concern(school=school, author=dsl, recorded_at=at(date(2025, 11, 3) + timedelta(days=i)), codes=["bullying"])


def pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)


def test_a_trustee_opens_the_report_with_figures_and_charts(client, trustee, busy_term):
    sign_in(client, trustee)
    page = read_report(client, PAGE).content.decode()
    assert "Safeguarding report: Autumn term 2025-26" in page
    assert "<svg" in page and 'role="img"' in page
    assert "fewer than 5" in page  # the three bullying concerns
    headline = page.split("This term at a glance")[1].split("</dl>")[0]
    assert ">15<" in headline


def test_the_page_carries_no_inline_style_or_script_even_in_its_charts(client, trustee, busy_term):
    """The charts are inline SVG with presentation attributes: the strict CSP needs no exception."""
    sign_in(client, trustee)
    response = read_report(client, PAGE)
    page = response.content.decode()
    assert not re.search(r"\sstyle=", page) and "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_no_name_date_of_birth_form_or_link_to_a_record(client, trustee, busy_term):
    """R88: nothing in the page or the PDF names a child or leads to a record."""
    sign_in(client, trustee)
    page = read_report(client, PAGE).content.decode()
    text = pdf_text(client.get(PDF))
    for pupil in Pupil.objects.all():
        for words in (
            pupil.legal_first_name + " " + pupil.legal_last_name,
            pupil.upn,
            f"{pupil.date_of_birth:%d/%m/%Y}",
        ):
            assert words not in page and words not in text
    assert "Fictional account" not in page and "Fictional account" not in text
    assert "Helen Marsh" not in page and "Helen Marsh" not in text
    assert "/concerns/" not in page and "/pupils/" not in page
    # The form as a word of its own: the page's CSRF token and CSP nonce are random and
    # may hold "9W" anywhere (a CI run failed on exactly that).
    form = re.compile(r"(?<![A-Za-z0-9])9W(?![A-Za-z0-9])")
    assert not form.search(page) and not form.search(text)


def test_the_pdf_has_a_cover_a_summary_and_the_headline_figures(client, trustee, busy_term):
    sign_in(client, trustee)
    response = read_report(client, PDF)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="safeguarding-report-2025-26-autumn.pdf"' in response["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    first, second = reader.pages[0].extract_text(), reader.pages[1].extract_text()
    assert "Safeguarding report" in first and "Autumn term 2025-26" in first and "West Park School" in first
    assert "Three things to ask about" in second and "Concerns recorded" in second and "15" in second
    text = pdf_text(response)
    assert "Page 2 of" in text
    assert "fewer than 5" in text


def test_each_pdf_download_is_logged(client, trustee, school, busy_term):
    sign_in(client, trustee)
    read_report(client, PDF)  # the first visit, with no figures yet, is sent to the page and downloads nothing
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__school=school.pk).get()
    assert "Trustees' report PDF, Autumn term 2025-26" in entry.changes_text


def test_the_chair_alone_is_told_of_cases_about_the_head(client, school, make_person, busy_term, monkeypatch):
    from safeguarding.reports import figures as figures_module

    monkeypatch.setattr(
        figures_module, "staff_counts", lambda periods: {p.school.pk: {"left_out_about_head": 1} for p in periods}
    )
    chair = make_person(Role.CHAIR, school=school)
    trustee = make_person(Role.TRUSTEE, school=school)
    sign_in(client, chair)
    page = read_report(client, PAGE).content.decode()
    assert "Fewer than 5 case(s) about the Headteacher are left out of this pack; the Chair reports them" in page
    client.logout()
    sign_in(client, trustee)
    assert "about the Headteacher are left out" not in client.get(PAGE).content.decode()


def test_a_term_not_entered_or_not_real_is_not_found(client, trustee, busy_term):
    sign_in(client, trustee)
    assert client.get(reverse("reports:term", args=["2019-20", "autumn"])).status_code == 404
    assert client.get(reverse("reports:term", args=["2025-27", "autumn"])).status_code == 404
    assert client.get("/reports/2025-26/winter/").status_code == 404


def test_another_schools_report_is_not_found(client, trustee, other_school, busy_term):
    sign_in(client, trustee)
    assert client.get(PAGE, {"school": str(other_school.public_id)}).status_code == 404


@pytest.mark.parametrize("role", [Role.STAFF, Role.IT_ADMIN, Role.DPO, Role.SENIOR_LEADER, Role.PASTORAL])
def test_roles_without_the_report_are_refused(client, school, make_person, role, busy_term):
    sign_in(client, make_person(role, school=school))
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(PAGE).status_code == 403
    assert client.get(PDF).status_code == 403


def test_the_trust_lead_sees_the_trust_and_each_school_side_by_side(
    client, school, other_school, make_person, busy_term
):
    from .helpers import terms_2025_26

    other_school.trust = school.trust
    other_school.save()
    terms_2025_26(other_school)
    lead = make_person(Role.TRUST_SAFEGUARDING_LEAD, school=school)
    sign_in(client, lead)
    page = read_report(client, PAGE).content.decode()
    assert "(all its schools)" in page and "School by school" in page
    assert "Whole trust" in page and other_school.name in page
    one = read_report(client, PAGE, {"school": str(other_school.public_id)})
    assert one.status_code == 200 and "School by school" not in one.content.decode()
    text = pdf_text(client.get(PDF))
    assert "School by school" in text


def test_a_trust_trustee_of_another_trust_sees_nothing_here(client, school, other_school, make_person, busy_term):
    stranger = make_person(Role.TRUST_TRUSTEE, school=other_school)
    sign_in(client, stranger)
    assert client.get(PAGE, {"school": str(school.public_id)}).status_code == 404


def test_the_index_lists_the_terms_newest_first(client, trustee, busy_term):
    sign_in(client, trustee)
    page = client.get(reverse("reports:index")).content.decode()
    assert page.index("Summer term 2025-26") < page.index("Autumn term 2025-26") < page.index("Autumn term 2024-25")
    assert "Open this term's report: Summer term 2025-26" in page


def test_making_the_figures_costs_the_same_queries_at_15_and_at_60_concerns(school, dsl, busy_term):
    """The worker counts a term in a fixed number of queries however many records it holds (the page itself only
    reads what the worker stored: tests/reports/test_snapshot_pages.py)."""
    scope, key = Scope((school,)), TermKey("2025-26", "autumn")
    snapshot_make(scope, key)
    with CaptureQueriesContext(connection) as few:
        snapshot_make(scope, key)
    for i in range(45):
        concern(school=school, author=dsl, recorded_at=at(date(2025, 9, 10) + timedelta(days=i)), codes=["self_harm"])
    with CaptureQueriesContext(connection) as many:
        snapshot_make(scope, key)
    assert len(many) == len(few)
    assert ">60<" in snapshot_make(scope, key).summary  # the 45 more were counted
