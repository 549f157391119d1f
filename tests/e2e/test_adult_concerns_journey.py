"""In a real Chromium: `staff` reports a low-level concern about a demo teacher and `head` records the decision;
an allegation about the Head reaches only `chair` (R59–R61, R73)."""

import re

import pytest
from playwright.sync_api import expect

from safeguarding.demo import load_demo
from staff_allegations.models import AdultCase, AdultConcernDraft, CaseKind
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


DRAFT_ACCOUNT = "Mr Lowe, covering Year 9 science, kept a pupil behind alone in the prep room with the door shut."


def type_a_draft(page):
    """Types the start of a report, then waits for the page to say the draft is saved (after 1.5 s of quiet)."""
    page.get_by_label("Their full name").fill("Gareth Lowe")
    page.get_by_label("Their role or job").fill("Supply teacher of Science")
    page.get_by_label("What you saw or heard").fill(DRAFT_ACCOUNT)
    expect(page.locator("#draft-status")).to_have_text(re.compile(r"^Draft saved at \d\d:\d\d\.$"))


def test_a_concern_about_an_adult_is_kept_as_a_draft_and_can_be_continued(page, live_server):
    load_demo()
    sign_in(page, live_server.url, "staff", next_path="/raise/adult/")
    expect(page.get_by_role("heading", name="Report a concern about an adult")).to_be_visible()
    expect(page.locator("#draft-offer")).to_have_count(0)
    type_a_draft(page)
    assert AdultConcernDraft.objects.count() == 1

    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/raise/adult/")
    offer = page.locator("#draft-offer")
    expect(offer).to_contain_text("You have an unsent concern saved at")
    expect(page.get_by_label("Their full name")).to_have_value("")
    offer.get_by_role("link", name="Continue it").click()

    expect(page).to_have_url(re.compile(r"/raise/adult/\?draft=[0-9a-f-]{36}$"))
    expect(page.locator("#draft-offer")).to_have_count(0)
    expect(page.get_by_label("Their full name")).to_have_value("Gareth Lowe")
    expect(page.get_by_label("Their role or job")).to_have_value("Supply teacher of Science")
    expect(page.get_by_label("What you saw or heard")).to_have_value(DRAFT_ACCOUNT)
    page.get_by_label("Who they are to the school").select_option(
        label="Member of staff employed by the school or trust"
    )
    page.get_by_label("Date it happened").fill("2026-11-26")
    page.get_by_label("Where it happened").fill("Science prep room")
    page.get_by_label("Which best describes it?").select_option(
        label=("Professional boundaries (being over-friendly, favouritism, time alone with a child)")
    )
    page.get_by_role("button", name="Send in confidence").click()

    expect(page.get_by_role("heading", name="Your report has been sent in confidence")).to_be_visible()
    assert AdultConcernDraft.objects.count() == 0
    assert AdultCase.objects.filter(subject_name="Gareth Lowe", witnessed=DRAFT_ACCOUNT).exists()


def test_an_unsent_draft_about_an_adult_can_be_deleted(page, live_server):
    load_demo()
    sign_in(page, live_server.url, "staff", next_path="/raise/adult/")
    type_a_draft(page)
    assert AdultConcernDraft.objects.count() == 1

    page.goto(f"{live_server.url}/raise/adult/")
    page.locator("#draft-offer").get_by_role("button", name="Delete it").click()

    expect(page.get_by_text("The unsent draft was deleted.")).to_be_visible()
    expect(page.locator("#draft-offer")).to_have_count(0)
    expect(page.get_by_label("Their full name")).to_have_value("")
    assert AdultConcernDraft.objects.count() == 0
