"""In a real Chromium: a trustee opens this term's report, sees its charts and figures, and downloads the PDF; the
trust's safeguarding lead sees the trust side by side (issue 6). The figures are the ones the task worker made and
stored (issue 12), here made by `manage.py report_snapshots --now` in its place."""

import io
import re
from pathlib import Path

import pypdf
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from concerns.models import Pupil
from safeguarding.demo import DEMO_SCHOOL, load_demo
from safeguarding.models import School, Term
from safeguarding.reports.figures import Scope
from safeguarding.reports.periods import term_key
from safeguarding.reports.report import build_report
from tests.conftest import current_code

from .test_contacts_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def this_term(school):
    today = timezone.localdate()  # real clock: the browser and the server it drives share the machine's clock
    term = Term.objects.filter(school=school, starts_on__lte=today).order_by("-starts_on").first()
    return term_key(term.academic_year, term.name)


def watch_for_csp_violations(page) -> list[str]:
    """Messages Chromium logs when the content security policy blocks something (an inline style, say)."""
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def load_demo_with_figures() -> None:
    load_demo()
    call_command("report_snapshots", "--now", stdout=io.StringIO())


def test_a_trustee_opens_this_terms_report_and_downloads_the_pdf(page, live_server):
    load_demo_with_figures()
    school = School.objects.get(name=DEMO_SCHOOL)
    key = this_term(school)
    expected = build_report(Scope((school,)), key)
    violations = watch_for_csp_violations(page)

    sign_in(page, live_server.url, "trustee")
    expect(page.get_by_role("heading", name="Trustees' safeguarding reports")).to_be_visible()
    page.get_by_role("link", name=f"Open this term's report: {key.label}").click()
    expect(page.get_by_role("heading", name=f"Safeguarding report: {key.label}")).to_be_visible()
    # When the figures were made (or, while the term goes on, last counted), whatever day the suite runs on.
    expect(page.locator(".report-made")).to_contain_text(
        re.compile(r"(Figures made|last counted) on \d+ \w+ 20\d\d at ")
    )

    # The figures match the demo data, as the report's own protected figures give them.
    glance = page.locator(".report-headline")
    expect(glance).to_contain_text(f"Concerns recorded{expected.figure('concerns')}")
    expect(glance).to_contain_text(f"Child-on-child incidents{expected.figure('child_on_child')}")
    expect(page.get_by_role("heading", name="Three things to ask about")).to_be_visible()
    expect(page.locator(".report-questions li")).to_have_count(len(expected.questions))
    # Three charts, drawn as SVG with their words as text and a text alternative, and nothing blocked by the CSP.
    charts = page.locator("figure.report-chart svg[role=img]")
    expect(charts).to_have_count(3)
    expect(charts.first).to_contain_text("Concerns recorded")
    assert charts.first.bounding_box()["height"] > 100
    assert page.locator("svg title", has_text="Concerns by kind, this term and last").count() == 1
    kinds = page.locator("table.report-table", has_text="Concerns by kind")
    neglect = next(r for r in expected.sections["Concerns by kind"] if r.measure == "group:abuse_neglect")
    expect(kinds.locator("tr", has_text="Abuse and neglect").locator("td").first).to_have_text(str(neglect.now))
    # Nothing leads to a record.
    assert page.locator("a[href*='/concerns/'], a[href*='/pupils/']").count() == 0

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"safeguarding-report-{key.academic_year}-{key.name}.pdf"
    pdf = pypdf.PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Three things to ask about" in text and str(expected.figure("concerns")) in text
    for pupil in Pupil.objects.filter(school=school)[:300]:
        assert f"{pupil.legal_first_name} {pupil.legal_last_name}" not in text
    assert violations == []


def test_the_trust_lead_sees_the_schools_side_by_side(page, live_server):
    load_demo_with_figures()
    key = this_term(School.objects.get(name=DEMO_SCHOOL))
    sign_in(page, live_server.url, "trust")
    page.get_by_label("Six-digit code from your authenticator app").fill(current_code())
    page.keyboard.press("Enter")
    page.get_by_role("link", name=f"Open this term's report: {key.label}").click()
    expect(page.get_by_role("heading", name="School by school")).to_be_visible()
    table = page.locator("table.side-by-side")
    expect(table.locator("thead")).to_contain_text("West Park School")
    expect(table.locator("thead")).to_contain_text("Larkspur Hill Academy")
    expect(table.locator("thead")).to_contain_text("Whole trust")
