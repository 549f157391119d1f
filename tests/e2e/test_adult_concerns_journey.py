"""In a real Chromium: `staff` reports a low-level concern about a demo teacher and `head` records the decision;
an allegation about the Head reaches only `chair` (R59–R61, R73)."""

import pytest
from playwright.sync_api import expect

from safeguarding.demo import load_demo
from staff_allegations.models import AdultCase, CaseKind
from tests.conftest import current_code

from .test_contacts_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = "Stood very close to a Year 8 pupil at the lockers and commented on her appearance."


def sign_in_with_code(page, base_url, username, next_path="/"):
    sign_in(page, base_url, username, next_path)
    page.get_by_label("Six-digit code from your authenticator app").fill(current_code())
    page.keyboard.press("Enter")


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_staff_reports_a_low_level_concern_and_the_head_decides(page, live_server):
    load_demo()
    sign_in(page, live_server.url, "staff", next_path="/raise/adult/")
    expect(page.get_by_role("heading", name="Report a concern about an adult")).to_be_visible()

    page.get_by_label("Their full name").fill("Daniel Frost")
    page.get_by_label("Their role or job").fill("Teacher of Mathematics")
    page.get_by_label("Who they are to the school").select_option(
        label="Member of staff employed by the school or trust"
    )
    page.get_by_label("Date it happened").fill("2026-11-26")
    page.get_by_label("Time (if known)").fill("12:40")
    page.get_by_label("Where it happened").fill("Year 8 lockers")
    page.get_by_label("What you saw or heard").fill(ACCOUNT)
    page.get_by_label("Which best describes it?").select_option(
        label=("Professional boundaries (being over-friendly, favouritism, time alone with a child)")
    )
    # No harm test ticked: a low-level concern.
    page.get_by_role("button", name="Send in confidence").click()

    expect(page.get_by_role("heading", name="Your report has been sent in confidence")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("handled by the Headteacher")
    expect(page.get_by_text(ACCOUNT)).to_have_count(0)
    case = AdultCase.objects.get()
    assert case.kind == CaseKind.LOW_LEVEL

    sign_out(page)
    sign_in_with_code(page, live_server.url, "head", next_path="/staff-concerns/")
    expect(page.get_by_role("heading", name="Concerns about adults")).to_be_visible()
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", name=f"Low-level concern {case.reference}")).to_be_visible()
    expect(page.get_by_text(ACCOUNT)).to_be_visible()
    page.get_by_label("Your decision").fill("Speak to Mr Frost about professional boundaries; remind all staff.")
    page.get_by_label("Action taken").fill("Spoken to on 27 November 2026; code of conduct reissued.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page.locator("#timeline-heading + ol")).to_contain_text("code of conduct reissued")
    case.refresh_from_db()
    assert case.decided_by_name == "Richard Ellison"


def test_an_allegation_about_the_head_reaches_only_the_chair(page, live_server):
    load_demo()
    sign_in(page, live_server.url, "staff", next_path="/raise/adult/")
    page.get_by_label("The adult, if they work here and have an account").select_option(
        label="Richard Ellison, Headteacher"
    )
    page.get_by_label("Date it happened").fill("2026-11-25")
    page.get_by_label("Where it happened").fill("Headteacher's office")
    page.get_by_label("What you saw or heard").fill("A pupil told me the Headteacher hit him.")
    page.get_by_label("Behaved in a way that has harmed a child, or may have harmed a child").check()
    page.get_by_role("button", name="Send in confidence").click()
    expect(page.get_by_role("status")).to_contain_text("handled by the Chair of Trustees")
    case = AdultCase.objects.get()

    sign_out(page)
    sign_in_with_code(page, live_server.url, "head", next_path="/staff-concerns/")
    expect(page.get_by_role("heading", name="Concerns about adults")).to_be_visible()
    expect(page.get_by_text("No cases have come to you.")).to_be_visible()
    page.goto(f"{live_server.url}/staff-concerns/{case.public_id}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()

    sign_out(page)
    sign_in_with_code(page, live_server.url, "chair", next_path="/staff-concerns/")
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_text("A pupil told me the Headteacher hit him.")).to_be_visible()
    expect(page.get_by_text("Consult the LADO (within one working day)")).to_be_visible()
