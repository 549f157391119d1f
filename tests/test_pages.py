"""Pages every role meets: home, health, errors, and the headers that keep records off shared computers."""

import json
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from safeguarding.models import Role

from .factories import ContactFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates"


@pytest.mark.django_db
def test_healthz_answers_with_json(client):
    """/healthz says the app and its database answer, without signing in."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.STAFF, ["Key contacts"], ["Audit log", "Administration"]),
        (Role.DSL, ["Key contacts", "Audit log"], ["Administration"]),
        (Role.DPO, ["Audit log"], ["Administration"]),
        (Role.TRUSTEE, ["Key contacts"], ["Audit log", "Administration"]),
    ],
)
def test_navigation_shows_each_role_only_what_it_may_use(role, shown, hidden, school, make_person, signed_in):
    """The menu lists the pages the role may open, and no others."""
    page = signed_in(make_person(role, school=school)).get(reverse("contacts:directory")).content.decode()
    nav = page.split('aria-label="Main"')[1].split("</nav>")[0]
    for label in shown:
        assert label in nav
    for label in hidden:
        assert label not in nav


@pytest.mark.django_db
def test_it_administrator_sees_administration(school, make_person, signed_in):
    """The IT administrator's menu has the administration link."""
    itadmin = make_person(Role.IT_ADMIN, school=school)
    assert "Administration" in signed_in(itadmin).get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_home_names_the_safeguarding_team(school, make_person, signed_in):
    """The home page (for roles without a home of their own yet) names the DSL and gives the emergency rule."""
    ContactFactory(school=school, area="school", role="Designated Safeguarding Lead", name="Dana Lead", purpose="dsl")
    page = signed_in(make_person(Role.IT_ADMIN, school=school)).get(reverse("home")).content.decode()
    assert "Dana Lead" in page
    assert "call 999" in page


@pytest.mark.django_db
def test_not_found_page_is_friendly_and_says_nothing_of_records(school, make_person, signed_in):
    """A missing record and a forbidden one look the same: a plain 404 page."""
    client = signed_in(make_person(Role.DSL, school=school))
    response = client.get(reverse("contacts:edit", kwargs={"public_id": uuid.uuid4()}))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_forbidden_page_is_friendly(school, make_person, signed_in):
    """A page the role may not open explains need to know, in the app's own layout."""
    response = signed_in(make_person(Role.STAFF, school=school)).get(reverse("audit_log"))
    assert response.status_code == 403
    assert "need-to-know" in response.content.decode()


@pytest.mark.django_db
def test_signed_in_pages_are_not_cached_and_carry_a_strict_csp(school, make_person, signed_in):
    """Shared staff computers keep no copy of a page; the CSP allows no inline script or style."""
    response = signed_in(make_person(Role.STAFF, school=school)).get(reverse("contacts:directory"))
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_templates_hold_no_inline_script_or_style():
    """JavaScript and CSS live in static/, so the strict CSP never breaks a page."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=", text) or "<style" in text:
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_session_ends_after_idle_time():
    """Sessions end after the idle timeout and when the browser closes (R86)."""
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert "safeguarding.middleware.IdleTimeoutMiddleware" in settings.MIDDLEWARE
