"""Browser tests. They run on the machine's real clock, never a frozen one: Chromium is another process, and a
server whose clock was moved would hand it session cookies already expired by the browser's clock. CI runs them at
Monday 07:30 under faketime, which moves both (.ci/run)."""

import os

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
def browser():
    path = chromium_path()
    if not path:
        pytest.fail("E2E_REQUIRED=1 but no Chromium was found (install chromium or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


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
