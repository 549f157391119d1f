"""In a real Chromium: people sign in as they would and find who to call."""

import pytest
from playwright.sync_api import expect

from safeguarding.demo import DEMO_PASSWORD, load_demo
from tests.conftest import current_code

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, base_url, username, next_path="/"):
    page.goto(f"{base_url}{next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_staff_finds_the_dsl_phone_number(page, live_server):
    """A teacher signs in, opens the key contacts and finds the DSL's number and, by typing, the urgent CSC line."""
    load_demo()
    sign_in(page, live_server.url, "staff", next_path="/contacts/")
    expect(page).to_have_url(f"{live_server.url}/contacts/")
    expect(page.get_by_role("heading", name="Key safeguarding contacts")).to_be_visible()

    dsl_card = page.locator(".contact-card", has_text="Deborah Sheffield").first
    expect(dsl_card).to_contain_text("Designated Safeguarding Lead")
    expect(dsl_card).to_contain_text("01332 662337")

    page.get_by_label("Filter by role, name, organisation or number").press_sequentially("Initial Response")
    expect(page.locator(".contact-card:visible", has_text="01332 641172")).to_have_count(1)
    expect(page.locator(".contact-card:visible", has_text="0808 800 5000")).to_have_count(0)
    expect(page.locator("#contact-filter-count")).to_contain_text("1 contact matches.")


def test_dsl_signs_in_with_a_code_reviews_a_contact_and_finds_it_in_the_audit_log(page, live_server):
    """The DSL passes the code step with the keyboard, marks a contact reviewed, and the audit log shows it."""
    load_demo()
    sign_in(page, live_server.url, "dsl")
    code_box = page.get_by_label("Six-digit code from your authenticator app")
    expect(code_box).to_be_focused()
    code_box.fill(current_code())
    code_box.press("Enter")
    expect(page.get_by_role("heading", name="Alert queue")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Key contacts").click()
    page.get_by_role("button", name="Mark reviewed SLT Digital Lead").click()
    expect(page.get_by_role("status")).to_contain_text("Marked “SLT Digital Lead: Neil Flynn” as reviewed today.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text("Helen Marsh")
    expect(first_row).to_contain_text("SLT Digital Lead")
