"""A session that expires while someone types loses nothing: the form is kept through sign-in and sent once."""

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from concerns.models import Concern
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..conftest import TOTP_KEY_HEX, current_code, sign_in
from ..factories import MembershipFactory, PupilFactory
from .test_raise_view import ACCOUNT, page_text, raise_form_data

PASSWORD = "correct-horse-battery"
RAISE_URL = "/raise/"
RESUME_URL = "/raise/?resume=1"
RESTORED_BANNER = "You were signed out while typing"
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


class RaiseFormValues(HTMLParser):
    """What a browser would send from the page's raise form: named inputs, ticked boxes, textareas, selections."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._text = ""

    def _add(self, name, value):
        if name and "__prefix__" not in name:
            self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = attrs.get("id") == "raise-form"
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and attrs.get("type") not in ("file", "submit", "button"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
            else:
                self._add(name, attrs.get("value") or "")
        elif tag == "textarea":
            self._textarea, self._text = name, ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs.get("value") or "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the newline Django writes straight after <textarea>.
            self._add(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_values(response) -> dict[str, list[str]]:
    parser = RaiseFormValues()
    parser.feed(response.content.decode())
    return parser.values


def author_token(response) -> str:
    found = re.search(r'name="author_token" value="([^"]+)"', response.content.decode())
    assert found, "the raise page carries an author token"
    return found.group(1)


def real_sign_in(client, username, next_url):
    """Signs in through the sign-in page itself, as a person would (the test client's login skips what it does)."""
    return client.post(
        reverse("login"), {"username": username, "password": PASSWORD, "next": next_url}, REMOTE_ADDR="10.0.0.1"
    )


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school, username="teacher", first_name="Priya", last_name="Sharma")


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo", year_group=8, form="8E")


@pytest.fixture
def typed(pupil):
    """Everything the teacher typed before the session ran out."""
    return raise_form_data(
        pupil,
        location="Corridor outside room 14",
        people_present="Tom Okafor, midday supervisor",
        source_type="second_hand",
        source_name="Lena Okonjo",
        source_role="Mother",
        categories=["injury_marks", "domestic_abuse"],
        is_immediate="on",
        **{"quotes-0-words": "Please do not tell my dad", "quotes-0-speaker": "Maya Okonjo"},
    )


def expire_while_typing(client, teacher, typed):
    """Opens the form signed in, loses the session, then presses Send: returns the answer to that POST."""
    sign_in(client, teacher)
    token = author_token(client.get(RAISE_URL))
    client.logout()  # the session ran out while the form was open
    return client.post(RAISE_URL, {**typed, "author_token": token})


@pytest.mark.django_db
def test_sending_after_expiry_leads_through_sign_in_back_to_the_full_form(client, teacher, typed):
    """Send after expiry goes to the sign-in page (nothing saved yet); signing in returns to the form with every
    answer restored, and sending it makes exactly one concern."""
    response = expire_while_typing(client, teacher, typed)
    assert response.status_code == 302
    where = urlsplit(response.url)
    assert where.path == reverse("login")
    assert parse_qs(where.query)["next"] == [RESUME_URL]
    assert not Concern.objects.exists()

    signed = real_sign_in(client, "teacher", RESUME_URL)
    assert signed.status_code == 302 and signed.url == RESUME_URL
    restored = client.get(signed.url)
    assert restored.status_code == 200
    page = page_text(restored)
    assert RESTORED_BANNER in page
    assert "Maya Okonjo, Year 8, 8E" in page

    values = form_values(restored)
    for field in (
        "idempotency_key",
        "subject",
        "happened_on",
        "happened_time",
        "location",
        "people_present",
        "source_type",
        "source_name",
        "source_role",
        "account",
        "quotes-0-words",
        "quotes-0-speaker",
    ):
        assert values[field] == [typed[field]], field
    assert sorted(values["categories"]) == sorted(typed["categories"])
    assert values["is_immediate"] == ["on"]

    sent = client.post(RAISE_URL, values)
    concern = Concern.objects.get()
    assert sent.status_code == 302
    assert sent.url == reverse("concerns:receipt", kwargs={"public_id": concern.public_id})
    assert concern.author == teacher
    assert str(concern.idempotency_key) == typed["idempotency_key"]
    assert (concern.account, concern.location, concern.source_name) == (
        ACCOUNT,
        "Corridor outside room 14",
        "Lena Okonjo",
    )
    assert concern.is_immediate
    assert list(concern.quotes.values_list("words", "speaker")) == [("Please do not tell my dad", "Maya Okonjo")]


@pytest.mark.django_db
def test_the_kept_form_sent_twice_is_still_one_concern(client, teacher, typed):
    """After sign-in, a double click on the restored form makes one concern; both clicks reach its receipt."""
    expire_while_typing(client, teacher, typed)
    real_sign_in(client, "teacher", RESUME_URL)
    values = form_values(client.get(RESUME_URL))
    first = client.post(RAISE_URL, values)
    second = client.post(RAISE_URL, values)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Concern.objects.count() == 1


@pytest.mark.django_db
def test_someone_else_signing_in_on_the_same_computer_never_sees_the_kept_text(
    client, school, teacher, typed, make_person
):
    """The form kept for the teacher is not shown to a colleague who signs in on that browser after them."""
    make_person(Role.STAFF, school=school, username="colleague")
    expire_while_typing(client, teacher, typed)
    signed = real_sign_in(client, "colleague", RESUME_URL)
    assert signed.status_code == 302
    response = client.get(RESUME_URL)
    assert response.status_code == 200
    page = page_text(response)
    assert ACCOUNT not in page
    assert "Corridor outside room 14" not in page
    assert "Maya Okonjo" not in page
    assert typed["idempotency_key"] not in page
    assert RESTORED_BANNER not in page
    assert not Concern.objects.exists()


@pytest.mark.django_db
def test_a_post_without_a_valid_author_token_is_not_kept(client, teacher, typed):
    """A signed-out POST that did not come from a signed-in page keeps nothing: sign-in leads to an empty form."""
    response = client.post(RAISE_URL, {**typed, "author_token": "forged"})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.url).query)["next"] == [RAISE_URL]
    real_sign_in(client, "teacher", RESUME_URL)
    page = page_text(client.get(RESUME_URL))
    assert ACCOUNT not in page and RESTORED_BANNER not in page
    assert not Concern.objects.exists()


@pytest.mark.django_db
def test_a_session_that_ran_out_on_the_server_keeps_the_form_with_csrf_checks_on(clock, settings, teacher, typed):
    """With CSRF enforced and the session expired on the server (not signed out), Send still keeps the form, and
    the form shown after sign-in sends once."""
    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, teacher)
    page = form_values(browser.get(RAISE_URL))
    sent_before = {**typed, "csrfmiddlewaretoken": page["csrfmiddlewaretoken"], "author_token": page["author_token"]}
    clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))  # idle past the timeout while typing

    response = browser.post(RAISE_URL, sent_before)
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.url).query)["next"] == [RESUME_URL]
    login_page = browser.get(response.url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    signed = browser.post(
        reverse("login"),
        {"username": "teacher", "password": PASSWORD, "next": RESUME_URL, "csrfmiddlewaretoken": token},
        REMOTE_ADDR="10.0.0.1",
    )
    assert signed.status_code == 302 and signed.url == RESUME_URL

    restored = browser.get(RESUME_URL)
    assert RESTORED_BANNER in page_text(restored)
    values = form_values(restored)
    assert values["account"] == [ACCOUNT]
    assert browser.post(RAISE_URL, values).status_code == 302
    assert browser.post(RAISE_URL, values).status_code == 302
    assert Concern.objects.get().account == ACCOUNT


@pytest.mark.django_db
def test_a_dsl_signed_out_while_typing_gets_the_form_back_after_both_sign_in_steps(client, school, make_person, typed):
    """Someone who signs in with a second factor passes the code step and still lands on the restored form."""
    dsl = make_person(Role.DSL, school=school, username="lead")
    TOTPDevice.objects.create(user=dsl, name="Phone", key=TOTP_KEY_HEX, confirmed=True)
    expire_while_typing(client, dsl, typed)
    signed = real_sign_in(client, "lead", RESUME_URL)
    assert signed.status_code == 302
    step = client.get(signed.url)
    assert step.status_code == 302 and step.url.startswith(reverse("two_factor_verify"))
    verified = client.post(reverse("two_factor_verify"), {"otp_token": current_code(), "next": RESUME_URL})
    assert verified.status_code == 302 and verified.url == RESUME_URL
    restored = client.get(RESUME_URL)
    assert RESTORED_BANNER in page_text(restored)
    values = form_values(restored)
    assert values["account"] == [ACCOUNT]
    assert client.post(RAISE_URL, values).status_code == 302
    assert Concern.objects.get().author == dsl


@pytest.mark.django_db
def test_someone_at_two_schools_gets_the_form_back_for_the_school_they_chose(client, school, other_school, make_person):
    """A person working at two schools, signed out while raising a concern at the second, gets the child back and
    sends it to that school."""
    teacher = make_person(Role.STAFF, school=other_school, username="teacher")  # "Riverside Academy" sorts first
    MembershipFactory(user=teacher, school=school, role=Role.STAFF)
    pupil = PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo", year_group=8, form="8E")
    expire_while_typing(client, teacher, raise_form_data(pupil, school=str(school.public_id)))
    real_sign_in(client, "teacher", RESUME_URL)
    restored = client.get(RESUME_URL)
    assert "Maya Okonjo, Year 8, 8E" in page_text(restored)
    assert client.post(RAISE_URL, form_values(restored)).status_code == 302
    assert Concern.objects.get().school == school
