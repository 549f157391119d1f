"""The printable "who to talk to" poster (/contacts/poster.pdf)."""

import io
from datetime import datetime

import pypdf
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact
from safeguarding.calendar import LONDON
from safeguarding.demo import DEMO_ACCOUNTS, DEMO_SCHOOL, load_demo
from safeguarding.models import Role, School, User

from ..conftest import kept_for_the_module, sign_in
from ..factories import ContactFactory

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
    changes is undone after it (tests/conftest.py, kept_for_the_module)."""
    yield from kept_for_the_module(django_db_blocker, load_demo)


URL = reverse("contacts:poster")


def _text(response) -> str:
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _demo_poster(client):
    sign_in(client, User.objects.get(username="staff"))
    return client.get(URL)


def test_staff_get_the_poster_as_a_pdf(client):
    """A member of staff downloads the poster as a PDF."""
    response = _demo_poster(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="who-to-talk-to.pdf"' in response["Content-Disposition"]


def test_the_poster_names_the_dsl_and_the_numbers_to_call(client):
    """The poster gives the DSL, 999 and Derby's urgent-referral number."""
    text = _text(_demo_poster(client))
    assert "Deborah Sheffield" in text
    assert "999" in text
    assert "01332 641172" in text
    assert DEMO_SCHOOL in text


def test_the_poster_names_no_demo_account(client):
    """The poster is for the wall: it carries no name of anyone with an account, such as the signed-in person."""
    text = _text(_demo_poster(client))
    for account in DEMO_ACCOUNTS:
        assert f"{account.first_name} {account.last_name}" not in text
    assert "Priya Naylor" not in text


def test_a_retired_entry_is_left_off_the_poster(client):
    """Once the DSL entry is retired, the poster no longer gives that name."""
    Contact.objects.filter(name="Deborah Sheffield").update(retired_at=timezone.now())
    sign_in(client, User.objects.get(username="staff"))
    text = _text(client.get(URL))
    assert "Deborah Sheffield" not in text
    assert "01332 641172" in text


def test_the_poster_is_of_the_persons_own_school(client, other_school, make_person):
    """Someone at another school gets their own school's poster, not this one's, even when they ask for it."""
    west_park = School.objects.get(name=DEMO_SCHOOL)
    ContactFactory(school=other_school, purpose="dsl", area="school", name="Robin Otherschool", role="DSL")
    sign_in(client, make_person(Role.STAFF, school=other_school))
    text = _text(client.get(URL, {"school": str(west_park.public_id)}))
    assert "Robin Otherschool" in text
    assert "Deborah Sheffield" not in text
    assert DEMO_SCHOOL not in text
