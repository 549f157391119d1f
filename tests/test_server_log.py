"""A child's name searched for in the audit log never reaches the web server's access log (issue 18, item 13).

The app runs here as a real server process (`manage.py runserver`, on a free port, against a throwaway migrated
SQLite file of its own, whatever database the rest of the suite uses). A DPO signs in over HTTP with a password
and the code from their authenticator app, as in real life, searches the audit log for a pupil by name, and the
server's own output, where it writes one line per request, is read afterwards.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRST_NAME, LAST_NAME = "Zebedee", "Quartermaine"  # a fictional pupil, named so nothing else could match
USERNAME, PASSWORD = "dpo", "correct-horse-battery"  # the password of tests.factories.UserFactory
STARTUP_SECONDS = 30  # a loaded CI machine can take a while to start Django


def prepare_database() -> None:
    """Run in a child process with Django set up on the throwaway file: migrate, then a school, a pupil and a DPO
    whose authenticator app holds the suite's known secret."""
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safeguarding.models import Role
    from tests.conftest import TOTP_KEY_HEX
    from tests.factories import MembershipFactory, PupilFactory, SchoolFactory, UserFactory

    call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
    school = SchoolFactory(name="West Park School")
    PupilFactory(school=school, legal_first_name=FIRST_NAME, legal_last_name=LAST_NAME)
    dpo = UserFactory(username=USERNAME, first_name="Aisha", last_name="Rahman", job_title="Data Protection Officer")
    MembershipFactory(user=dpo, school=school, role=Role.DPO)
    TOTPDevice.objects.create(user=dpo, name="Phone", key=TOTP_KEY_HEX, confirmed=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def search_form(html: str) -> tuple[str, str]:
    """The method and address of the audit log's search form, as a browser would submit it."""
    tag = re.search(r'<form\b[^>]*aria-label="Search the audit log"[^>]*>', html)
    assert tag, "no search form on the audit log page"
    method = re.search(r'method="(\w+)"', tag.group(0))
    action = re.search(r'action="([^"]*)"', tag.group(0))
    return (method.group(1).lower() if method else "get"), (action.group(1) if action else "/audit/")


class Browser:
    """Just enough of a browser: cookies, redirects followed, forms posted with their CSRF token."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base_url + path, timeout=10) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, fields: dict, token: str) -> tuple[str, str]:
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        with self.opener.open(self.base_url + path, data=body, timeout=10) as response:
            return response.geturl(), response.read().decode()


@pytest.fixture
def server(tmp_path):
    """The app served by a real process on a free port. Yields its address and the file its output goes to."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'server.sqlite3'}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "0",
        "SESSION_COOKIE_SECURE": "0",
        "TWO_FACTOR_REQUIRED": "1",
        "PYTHONUNBUFFERED": "1",
    }
    setup = "import django; django.setup(); from tests.test_server_log import prepare_database; prepare_database()"
    prepared = subprocess.run(
        [sys.executable, "-c", setup], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    if prepared.returncode:
        pytest.fail(f"the server's database could not be prepared:\n{prepared.stderr}")
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                with urllib.request.urlopen(base_url + "/healthz", timeout=2):  # noqa: S310 (our own server)
                    break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start:\n{log_path.read_text()}")
                time.sleep(0.2)
        yield base_url, log_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_search_for_a_child_leaves_no_name_in_the_server_log(server):
    from .conftest import current_code

    base_url, log_path = server
    browser = Browser(base_url)
    _, login_page = browser.get("/accounts/login/?next=/audit/")
    url, code_page = browser.post(
        "/accounts/login/", {"username": USERNAME, "password": PASSWORD, "next": "/audit/"}, csrf_token(login_page)
    )
    assert "/accounts/two-factor/" in url, "the DPO is asked for the code from their app"
    url, audit_page = browser.post(
        "/accounts/two-factor/", {"otp_token": current_code(), "next": "/audit/"}, csrf_token(code_page)
    )
    assert url == base_url + "/audit/" and "Audit log" in audit_page

    # The search is submitted as the page's own form says (a GET form would put the words in the address).
    method, action = search_form(audit_page)
    search = {"q": f"{FIRST_NAME} {LAST_NAME}"}
    if method == "post":
        _, results = browser.post(action, search, csrf_token(audit_page))
    else:
        _, results = browser.get(f"{action}?{urllib.parse.urlencode(search)}")
    assert f"Pupil: {FIRST_NAME} {LAST_NAME}" in results, "the search found the pupil"

    # The server writes a request's line just after answering it: wait (briefly) for the search's line.
    deadline = time.monotonic() + 5
    while " /audit/?" not in (log := log_path.read_text()) and '"POST /audit/ ' not in log:
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for word in (FIRST_NAME, LAST_NAME):
        assert word.lower() not in log.lower(), f"{word} is in the server's log:\n{log}"
    assert method == "post" and '"POST /audit/ HTTP/1.1" 200' in log, f"the search is not in the server's log:\n{log}"
    assert '"GET /audit/ HTTP/1.1" 200' in log
    assert "1 entry matches this search." in results
