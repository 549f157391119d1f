"""In a real Chromium (issue 18, item 9): the DSL has the key contacts open in one tab and the queue in another; a
teacher sends a concern; within 5 seconds of the pages' own clock the menu badge on both shows it, a polite live
region says so, and the queue lists it, refreshed once, not on every poll.

The pages run on Playwright's fake clock, paused: their timers fire only when the test moves the clock on, so
"within 5 seconds" is the pages' 5 seconds, whatever the machine's speed. The expectations then wait only for the
answers already asked for."""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from safeguarding.demo import DEMO_SCHOOL, load_demo
from safeguarding.models import School, User
from tests.conftest import current_code
from tests.factories import raise_concern

from .test_contacts_journey import sign_in
from .test_dsl_journey import LONDON, a_demo_pupil

pytestmark = pytest.mark.django_db(transaction=True)


def is_poll(request) -> bool:
    return request.url.endswith("/queue/poll/")


def test_a_new_concern_reaches_the_badge_and_the_queue_within_five_seconds(page, live_server):
    load_demo()  # two demo concerns wait already
    school = School.objects.get(name=DEMO_SCHOOL)
    pupil = a_demo_pupil(school)
    sign_in(page, live_server.url, "dsl")
    page.get_by_label("Six-digit code from your authenticator app").fill(current_code())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Alert queue")).to_be_visible()

    start = datetime.now(LONDON)  # real clock: the pages' clock starts at the server's, which sets the cookies
    page.clock.install(time=start)
    page.clock.pause_at(start + timedelta(seconds=1))  # every page of the context, from its first line on

    contacts = page
    contacts.goto(f"{live_server.url}/contacts/")
    queue = page.context.new_page()
    queue.goto(f"{live_server.url}/queue/")
    badges = [p.get_by_role("navigation", name="Main").locator("[data-live-badge]") for p in (contacts, queue)]
    for badge in badges:
        expect(badge).to_have_text("2 waiting")
    expect(queue.get_by_role("heading", name="Waiting for acknowledgement (2)")).to_be_visible()
    refreshes = []
    queue.on("request", lambda request: refreshes.append(request.url) if request.headers.get("hx-request") else None)

    # The clock has stood still since the pages opened, so neither has asked yet: their first question, 4 seconds
    # in, comes after the concern is sent, and must be answered and shown before the pages' 5th second.
    raise_concern(author=User.objects.get(username="staff"), school=school, subject=pupil, is_immediate=True)
    page.clock.run_for(5000)

    for p, badge in zip((contacts, queue), badges, strict=True):
        expect(badge).to_have_text("3 waiting")
        expect(p.locator("#live-alerts-announcer")).to_have_text("1 new concern waiting")
    expect(queue.get_by_role("heading", name="Waiting for acknowledgement (3)")).to_be_visible()
    expect(queue.locator("tr.queue-row.is-waiting", has_text=pupil.full_name)).to_contain_text("Immediate")
    assert refreshes == [f"{live_server.url}/queue/"], refreshes
    said = [p.locator("#live-alerts-announcer p").element_handle() for p in (contacts, queue)]

    # Nothing new: the pages keep asking, every 4 seconds, but the queue is not fetched again and nothing is
    # announced again. Two rounds, so the first round's answers have been handled before the last look.
    for _ in range(2):
        with contacts.expect_response(is_poll) as on_contacts, queue.expect_response(is_poll) as on_queue:
            page.clock.run_for(5000)
        for answer in (on_contacts.value, on_queue.value):
            answer.finished()
            assert answer.json()["waiting"] == 3
    for badge in badges:
        expect(badge).to_have_text("3 waiting")
    assert all(line.evaluate("line => line.isConnected") for line in said)
    assert refreshes == [f"{live_server.url}/queue/"], refreshes  # once, for the change; never for a quiet answer
