"""In a real Chromium (R8, issue 18 item 8): the raise form warns as a teacher types bare initials, and the
warning goes once the full name is written. The page uses the server's own pattern."""

import pytest
from playwright.sync_api import expect

from safeguarding.demo import load_demo

from .test_contacts_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_form_warns_about_bare_initials_as_they_are_typed(page, live_server):
    load_demo()
    sign_in(page, live_server.url, "staff")
    expect(page.get_by_role("heading", name="Raise a Concern")).to_be_visible()
    warning = page.locator("#initials-warning")
    people = page.get_by_label("Who was present")

    people.fill("Sam Patel, TA")
    expect(warning).to_be_hidden()
    people.fill("JS and Sam Patel, TA")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Write full names (first name and surname)")
    people.fill("Jordan Smith (lunchtime supervisor) and Sam Patel, TA")
    expect(warning).to_be_hidden()
