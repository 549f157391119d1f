"""Browser tests. They run on the machine's real clock, never a frozen one: Chromium is another process, and a
server whose clock was moved would hand it session cookies already expired by the browser's clock. CI runs them at
Monday 07:30 under faketime, which moves both (.ci/run)."""

import os
import threading
import time

import pytest

from .browser import chromium_path

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser(live_server):
    """One Chromium for the session, closed before the live server stops (hence `live_server` here).

    Chromium keeps idle keep-alive connections to the live server open until the browser closes, and the server
    serves each in a thread that, when its connection ends, closes its database connection. On SQLite that is the
    test run's in-memory database, which the live server shares with its threads only while it runs: closed after
    the server, each such thread failed ("DatabaseWrapper objects created in a thread can only be used in that same
    thread", issue 10). So the browser closes first, and its connections' threads are waited for."""
    path = chromium_path()
    if not path:
        pytest.fail("E2E_REQUIRED=1 but no Chromium was found (install chromium or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()
    _wait_for_request_threads()


def _wait_for_request_threads(timeout: float = 10.0) -> None:
    """Waits for the live server's request threads (socketserver names them after process_request_thread)."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture(scope="session", autouse=True)
def patient_expectations():
    """expect() waits as long as the page's own actions (15 s, not Playwright's 5 s): on a loaded CI machine a
    search or a page can take longer than 5 s, and a wrong page still fails, only later."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
