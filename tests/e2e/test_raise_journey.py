"""In a real Chromium: a teacher raises a concern with the keyboard, and the DSL sees it at once."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from concerns.models import Alert, Concern
from safeguarding.demo import load_demo
from tests.conftest import current_code

from .test_contacts_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_raises_a_concern_with_the_keyboard_and_the_dsl_sees_it(page, browser, live_server):
    """Sign in, find the pupil by typing, fill the form with the keyboard, send, read the receipt; the DSL's queue
    shows the concern and the email job is waiting for each of the DSL team."""
    load_demo()
    sign_in(page, live_server.url, "staff")
    expect(page.get_by_role("heading", name="Raise a Concern")).to_be_visible()

    search = page.get_by_label("Which child is this about?")
    search.focus()
    page.keyboard.type("Jordan Sm")
    expect(page.locator(".pupil-result")).to_have_count(2)  # two pupils share the name: told apart by year
    page.keyboard.press("ArrowDown")
    expect(page.locator(".pupil-result").first).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(".pupil-chosen-label").first).to_contain_text("Jordan Smith, Year 10")

    now = timezone.localtime() - timezone.timedelta(minutes=20)  # real clock: the browser runs on the machine's
    # Native date and time pickers differ by platform; Playwright sets them as a person's picker would.
    page.get_by_label("Date it happened or was disclosed").fill(now.strftime("%Y-%m-%d"))
    page.locator("#id_happened_time").fill(now.strftime("%H:%M"))
    page.get_by_label("Where it happened").focus()
    page.keyboard.type("Library, ground floor")
    page.keyboard.press("Tab")
    page.keyboard.type("Nobody else; I was on duty alone.")
    page.get_by_label("First-hand: I saw or heard it myself").focus()
    page.keyboard.press("Space")
    page.get_by_label("What you saw or heard").focus()
    page.keyboard.type("Jordan came to the desk and said they did not want to go home because of shouting.")
    page.get_by_label("Exact words").first.focus()
    page.keyboard.type("I don't want to go home tonight.")
    page.keyboard.press("Tab")
    page.keyboard.type("Jordan Smith")
    page.get_by_label("Emotional abuse").focus()
    page.keyboard.press("Space")
    page.get_by_label("Immediate: the DSL must know now").focus()
    page.keyboard.press("Space")
    expect(page.locator("#immediate-guidance")).to_contain_text("call 999")

    page.get_by_role("button", name="Send to the safeguarding team").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your concern has been sent to the safeguarding team")).to_be_visible()
    expect(page.get_by_text("You marked this Immediate.")).to_be_visible()

    concern = Concern.objects.get(author__username="staff", location="Library, ground floor")
    assert concern.subject.year_group == 10 and concern.is_immediate
    assert concern.quotes.get().speaker == "Jordan Smith"
    assert {a.recipient.username for a in Alert.objects.filter(concern=concern)} == {"dsl", "deputy"}

    dsl_page = browser.new_context(locale="en-GB", timezone_id="Europe/London").new_page()
    sign_in(dsl_page, live_server.url, "dsl")
    dsl_page.get_by_label("Six-digit code from your authenticator app").fill(current_code())
    dsl_page.keyboard.press("Enter")
    waiting = dsl_page.locator("tr.queue-row.is-waiting", has_text="Jordan Smith")
    expect(waiting).to_contain_text("Immediate")
    waiting.get_by_role("button", name="Acknowledge the concern about Jordan Smith").click()
    expect(dsl_page.get_by_text("Acknowledged. The escalation to senior leaders is stopped.")).to_be_visible()

    page.goto(f"{live_server.url}/my-concerns/")
    expect(page.locator("tbody tr").first).to_contain_text("Yes,")
