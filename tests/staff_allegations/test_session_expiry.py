"""A session that ends while someone types a concern about an adult loses nothing: signing in again brings back
what was typed, for that person only (the promise Raise a Concern makes, kept here too)."""

import uuid
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from safeguarding.calendar import LONDON
from safeguarding.models import Role
from staff_allegations.models import AdultCase
from tests.concerns.test_session_expiry import author_token, real_sign_in
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


URL = reverse("staff_allegations:raise")
RESUME = URL + "?resume=1"
WITNESSED = "Saw the coach lock the changing room with a pupil inside for a joke."


@pytest.fixture
def typist(school, make_person):
    return make_person(Role.STAFF, school=school, username="typist", first_name="Priya", last_name="Sharma")


def typed(token):
    return {
        "author_token": token,
        "idempotency_key": str(uuid.uuid4()),
        "subject_name": "Kim Hale",
        "subject_role": "Sports coach",
        "employment": "contractor",
        "employer": "ActiveKids Ltd",
        "happened_on": date.today().isoformat(),
        "location": "Changing rooms",
        "witnessed": WITNESSED,
        "harmed": "on",
    }


def test_typed_text_survives_the_session_ending(client, school, typist, leadership):
    sign_in(client, typist)
    data = typed(author_token(client.get(URL)))
    client.logout()
    response = client.post(URL, data)
    assert response.status_code == 302 and reverse("login") in response.url
    assert not AdultCase.objects.exists()

    assert real_sign_in(client, "typist", RESUME).url == RESUME
    page = client.get(RESUME).content.decode()
    assert "You were signed out while typing" in page
    for value in (WITNESSED, "Kim Hale", "ActiveKids Ltd", "Changing rooms", data["idempotency_key"]):
        assert value in page
    harmed = page.split('name="harmed"')[1].split(">")[0]
    assert "checked" in harmed


def test_someone_else_on_the_same_computer_never_sees_it(client, school, typist, leadership, make_person):
    make_person(Role.STAFF, school=school, username="colleague")
    sign_in(client, typist)
    data = typed(author_token(client.get(URL)))
    client.logout()
    client.post(URL, data)
    real_sign_in(client, "colleague", RESUME)
    page = client.get(RESUME).content.decode()
    assert WITNESSED not in page and "Kim Hale" not in page
