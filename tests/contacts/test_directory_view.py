"""The key-contacts directory page (/contacts/): what each person sees of their school's directory."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Area, Contact
from safeguarding.calendar import LONDON
from safeguarding.demo import DEMO_SCHOOL, load_demo
from safeguarding.models import Role, School, User

from ..conftest import kept_for_the_module, sign_in
from ..factories import ContactFactory, MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True, scope="module")
def demo_clock():
    """NOW for all of the module, as the demo every test starts from is loaded once."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True, scope="module")
def demo(django_db_setup, django_db_blocker, demo_clock):
    """The demo school, loaded once for the module: each test reads it afresh from the database, and what a test
    changes is undone after it (tests/conftest.py, kept_for_the_module). Tests of a school of their own use
    `other_school`: the `school` fixture's name is the demo school's."""
    yield from kept_for_the_module(django_db_blocker, load_demo)


URL = reverse("contacts:directory")


def _demo_signed_in(client, username="staff"):
    user = User.objects.get(username=username)
    sign_in(client, user)
    return School.objects.get(name=DEMO_SCHOOL)


def _cards(html: str) -> list[str]:
    """The page cut into one piece of HTML per contact card."""
    return html.split('<div class="col contact-card"')[1:]


def _card(html: str, text: str) -> str:
    found = [card for card in _cards(html) if text in card]
    assert len(found) == 1, f"expected one card with {text!r}, found {len(found)}"
    return found[0]


def test_staff_see_the_published_directory(client):
    """A member of staff sees the DSL, Derby's urgent-referral number, the LADO mailbox and the NSPCC helpline."""
    _demo_signed_in(client)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Deborah Sheffield" in _card(html, ">Designated Safeguarding Lead</h3>")
    assert "01332 641172" in _card(html, "Initial Response Team")
    assert "Local Authority Designated Officer (LADO)" in _card(html, "CPMduty@derby.gov.uk")
    assert "0808 800 5000" in _card(html, "NSPCC helpline")
    assert len(_cards(html)) == Contact.objects.count() == 51


def test_suspected_errors_carry_a_check_before_use_warning(client):
    """The three suspected errors in the published policy are shown with "Check before use", and only they are."""
    _demo_signed_in(client)
    html = client.get(URL).content.decode()
    assert "Check before use" in _card(html, "01332 62337<")  # Neil Flynn's short number
    assert "Check before use" in _card(html, "Early Help Development Team / First Contact")
    mailbox = _card(html, "Safeguarding team mailbox")
    assert "Check before use" in mailbox and "two spellings" in mailbox
    assert sum("Check before use" in card for card in _cards(html)) == 3
    assert "Check before use" not in _card(html, "Deborah Sheffield")


def test_an_entry_not_reviewed_for_twelve_months_is_flagged(client):
    """Entries last reviewed more than 12 months ago say "review overdue"; entries reviewed today do not."""
    _demo_signed_in(client)
    html = client.get(URL).content.decode()
    assert "review overdue" in _card(html, "Neil Flynn")  # still carries the policy's 2024 date
    assert "review overdue" not in _card(html, "Deborah Sheffield")
    assert "review overdue" not in _card(html, "NSPCC helpline")


def test_review_is_overdue_only_after_twelve_whole_months(client, other_school, make_person):
    """An entry reviewed exactly 12 months ago is due today, not overdue; a day earlier and it is overdue."""
    today = timezone.localdate()
    year_ago = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) else None
    if year_ago is None:
        pytest.skip("no same day last year")
    ContactFactory(school=other_school, role="Reviewed a year ago today", reviewed_on=year_ago)
    ContactFactory(school=other_school, role="Reviewed a year and a day ago", reviewed_on=year_ago - timedelta(days=1))
    sign_in(client, make_person(Role.STAFF, school=other_school))
    html = client.get(URL).content.decode()
    assert "review overdue" not in _card(html, "Reviewed a year ago today")
    assert "review overdue" in _card(html, "Reviewed a year and a day ago")


def test_the_filter_works_on_the_server(client):
    """?q=LADO lists the LADO entries and leaves out everything else, such as the NSPCC helpline."""
    _demo_signed_in(client)
    html = client.get(URL, {"q": "LADO"}).content.decode()
    assert "CPMduty@derby.gov.uk" in html
    assert "NSPCC" not in html
    assert "Deborah Sheffield" not in html
    assert 1 <= len(_cards(html)) < 51


def test_a_filter_matching_nothing_says_so(client):
    """A filter that matches no entry shows no cards and says nothing matched."""
    _demo_signed_in(client)
    html = client.get(URL, {"q": "zzzz-no-such-contact"}).content.decode()
    assert _cards(html) == []
    assert "No contacts match" in html


def test_retired_entries_are_not_listed(client):
    """A retired entry is left out of the directory."""
    _demo_signed_in(client)
    Contact.objects.filter(name="Neil Flynn").update(retired_at=timezone.now())
    html = client.get(URL).content.decode()
    assert "Neil Flynn" not in html
    assert "Deborah Sheffield" in html
    assert len(_cards(html)) == 50


def test_staff_cannot_edit_the_directory(client):
    """Staff see no Edit, Mark reviewed or Retire buttons, and no link to add an entry."""
    school = _demo_signed_in(client)
    html = client.get(URL).content.decode()
    dsl = Contact.objects.get(school=school, name="Deborah Sheffield")
    assert reverse("contacts:edit", args=[dsl.public_id]) not in html
    assert reverse("contacts:retire", args=[dsl.public_id]) not in html
    assert reverse("contacts:mark_reviewed", args=[dsl.public_id]) not in html
    assert reverse("contacts:create") not in html
    assert ">Retire<" not in html and ">Edit<" not in html


def test_the_dsl_can_edit_the_directory(client):
    """The DSL sees Edit, Mark reviewed and Retire on every entry, and a link to add one."""
    school = _demo_signed_in(client, username="dsl")
    html = client.get(URL).content.decode()
    dsl = Contact.objects.get(school=school, name="Deborah Sheffield")
    assert reverse("contacts:edit", args=[dsl.public_id]) in html
    assert reverse("contacts:retire", args=[dsl.public_id]) in html
    assert reverse("contacts:mark_reviewed", args=[dsl.public_id]) in html
    assert reverse("contacts:create") in html
    assert html.count(">Retire<") == 51


def test_a_person_of_another_school_sees_only_their_own_directory(client, other_school, make_person):
    """Someone at another school sees that school's directory, even when they ask for this one."""
    west_park = School.objects.get(name=DEMO_SCHOOL)
    ContactFactory(school=other_school, role="Riverside attendance officer", phone="01332 999999")
    sign_in(client, make_person(Role.STAFF, school=other_school))
    for params in ({}, {"school": str(west_park.public_id)}):
        html = client.get(URL, params).content.decode()
        assert "Riverside attendance officer" in html
        assert "Deborah Sheffield" not in html
        assert "CPMduty@derby.gov.uk" not in html
        assert len(_cards(html)) == 1


def test_the_number_of_queries_does_not_grow_with_the_directory(client, other_school, make_person):
    """The page makes as many database queries for 50 entries as for 5."""
    areas = list(Area.values)

    def add(count):
        for n in range(count):
            ContactFactory(school=other_school, area=areas[n % len(areas)], data_warning="Check" if n % 3 else "")

    sign_in(client, make_person(Role.DSL, school=other_school))
    add(5)
    client.get(URL)  # first request warms caches that are not the page's own work
    with CaptureQueriesContext(connection) as five:
        response = client.get(URL)
    assert len(_cards(response.content.decode())) == 5
    add(45)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(URL)
    assert len(_cards(response.content.decode())) == 50
    assert len(fifty.captured_queries) == len(five.captured_queries)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    """The directory is for signed-in people: a visitor is sent to the sign-in page."""
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert "next=" in response.url


def test_a_dsl_of_two_schools_can_edit_the_second_schools_entries(client, make_person):
    """The Edit link on the second school's directory opens that school's entry for its DSL."""
    first = SchoolFactory(name="Alpha Primary")
    second = SchoolFactory(name="Beta Academy")
    contact = ContactFactory(school=second, role="Beta attendance officer")
    dsl = make_person(Role.DSL, school=first)
    MembershipFactory(user=dsl, school=second, role=Role.DSL)
    sign_in(client, dsl)
    html = client.get(URL, {"school": str(second.public_id)}).content.decode()
    edit_link = re.search(r'href="([^"]*' + str(contact.public_id) + r'/edit/[^"]*)"', _card(html, "Beta attendance"))
    assert edit_link
    assert client.get(edit_link.group(1).replace("&amp;", "&")).status_code == 200
