"""The 30-minute idle timeout (R86) is renewed by a signed-in request at most once a minute
(safeguarding.middleware.IdleTimeoutMiddleware), so most pages write nothing to the session."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.calendar import LONDON
from safeguarding.models import Role

from .conftest import sign_in

CONTACTS = reverse("contacts:directory")
MORNING = datetime(2027, 3, 10, 9, 30, tzinfo=LONDON)  # a Wednesday in term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school)


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def session_writes(client, url):
    """The statements that wrote to the session table while `url` was fetched."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [
        q["sql"]
        for q in captured.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


@pytest.mark.django_db
def test_the_first_page_renews_and_the_next_within_a_minute_writes_nothing(client, teacher, clock):
    sign_in(client, teacher)
    assert session_writes(client, CONTACTS), "the first page after sign-in renews the timeout"
    assert expiry(client) == MORNING + timedelta(minutes=30)
    for seconds in (10, 20, 29):  # 59 seconds after the renewal
        clock.shift(timedelta(seconds=seconds))
        assert session_writes(client, CONTACTS) == []
    assert expiry(client) == MORNING + timedelta(minutes=30)
    clock.shift(timedelta(seconds=1))  # a minute since the renewal
    assert session_writes(client, CONTACTS)
    assert expiry(client) == MORNING + timedelta(minutes=31)


@pytest.mark.django_db
def test_a_session_ends_thirty_minutes_after_its_last_renewal(client, teacher, clock):
    """Pages at 09:30 (renewed) and 09:30:50 (not): the session is there at 09:59:59 and gone at 10:00, 29 minutes
    10 seconds after the last request. Never more than 30 minutes, never less than 29."""
    sign_in(client, teacher)
    assert client.get(CONTACTS).status_code == 200
    clock.shift(timedelta(seconds=50))
    assert client.get(CONTACTS).status_code == 200
    assert expiry(client) == MORNING + timedelta(minutes=30)
    clock.shift(timedelta(minutes=29, seconds=10))
    assert client.get(CONTACTS).url.startswith(reverse("login"))


@pytest.mark.django_db
def test_steady_work_keeps_the_session_for_hours(client, teacher, clock):
    """A page every five minutes from 09:30 to 12:30 never meets the timeout."""
    sign_in(client, teacher)
    for _ in range(36):
        clock.shift(timedelta(minutes=5))
        assert client.get(CONTACTS).status_code == 200


@pytest.mark.django_db
def test_a_signed_out_visitor_gets_no_stored_session(client):
    """The sign-in page, opened signed out, stores no session row: renewal is for signed-in people only."""
    assert client.get(reverse("login")).status_code == 200
    assert not Session.objects.exists()
