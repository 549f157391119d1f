"""My concerns at volume (issue 18, item 12): at 27,833 receipts the page took 10 seconds, 7.8 MB and 646 MB of
memory. Receipts come newest first, 25 a page, with the total and previous and next; the tasks, notes and files
received stay on the first page; a page costs the same number of queries however many receipts there are.

The receipts are made with bulk_create (as in test_query_counts_at_volume.py): the page only reads them."""

import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.services import actions, records

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern
from .test_query_counts_at_volume import make_concerns

MY_CONCERNS = reverse("concerns:my_concerns")
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 3, 10, 10, 0, tzinfo=LONDON)  # a Wednesday in term
RECEIPT = re.compile(r"<td>(\d{1,2} \w{3} \d{4}, \d{2}:\d{2})</td>")  # each row's "Recorded"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def recorded(response) -> list[str]:
    assert response.status_code == 200
    return RECEIPT.findall(response.content.decode())


@pytest.fixture
def receipts(school, teacher):
    """60 of the teacher's receipts, a minute apart, the newest at 10:00."""
    make_concerns(school=school, author=teacher, pupil=PupilFactory(school=school), count=60)


def minutes_before_ten(*minutes) -> list[str]:
    return [f"{(NOW - timedelta(minutes=m)):%-d %b %Y, %H:%M}" for m in minutes]


@pytest.mark.django_db
def test_the_first_page_shows_the_25_newest_with_the_total(client, teacher, receipts):
    sign_in(client, teacher)
    response = client.get(MY_CONCERNS)
    assert recorded(response) == minutes_before_ten(*range(25))
    page = text(response)
    assert "Showing 1–25 of 60 concerns you recorded, newest first." in page
    assert "Page 1 of 3" in page
    content = response.content.decode()
    assert 'href="/my-concerns/?page=2" rel="next"' in content and 'rel="prev"' not in content


@pytest.mark.django_db
def test_the_last_page_holds_the_oldest(client, teacher, receipts):
    sign_in(client, teacher)
    response = client.get(MY_CONCERNS, {"page": 3})
    assert recorded(response) == minutes_before_ten(*range(50, 60))
    assert "Showing 51–60 of 60 concerns you recorded, newest first." in text(response)
    content = response.content.decode()
    assert 'href="/my-concerns/?page=2" rel="prev"' in content and 'rel="next"' not in content


@pytest.mark.django_db
def test_tasks_and_notes_are_on_the_first_page_only(client, school, teacher, dsl, receipts):
    """The teacher's own task and a note shared with them are where they land, not repeated on every page."""
    concern = raise_concern(author=teacher, school=school)
    actions.action_add(user=dsl, concern=concern, kind="pastoral_support", owner=teacher)
    records.staff_note_share(user=dsl, concern=concern, staff=[teacher], note="Sit her near the door in science.")
    sign_in(client, teacher)
    first = text(client.get(MY_CONCERNS))
    assert "Tasks for you" in first and "Sit her near the door in science." in first
    second = text(client.get(MY_CONCERNS, {"page": 2}))
    assert "Tasks for you" not in second and "Sit her near the door in science." not in second
    assert "Showing 26–50 of 61 concerns you recorded, newest first." in second


@pytest.mark.django_db
@pytest.mark.parametrize("number", [1, 2])
def test_a_page_costs_the_same_at_10_and_at_300_receipts(client, school, teacher, dsl, number):
    """The same queries for the first page (with a task and a note) and a later one, at 10 receipts or 300."""
    pupil = PupilFactory(school=school)
    concern = raise_concern(author=teacher, school=school, subject=pupil)
    actions.action_add(user=dsl, concern=concern, kind="pastoral_support", owner=teacher)
    records.staff_note_share(user=dsl, concern=concern, staff=[teacher], note="Sit her near the door in science.")
    make_concerns(school=school, author=teacher, pupil=pupil, count=29)
    url = f"{MY_CONCERNS}?page={number}"
    sign_in(client, teacher)
    client.get(url)  # the first request sets up the session
    with CaptureQueriesContext(connection) as few:
        assert len(recorded(client.get(url))) == (25 if number == 1 else 5)
    make_concerns(school=school, author=teacher, pupil=pupil, count=270)
    with CaptureQueriesContext(connection) as many:
        assert len(recorded(client.get(url))) == 25
    assert len(many) == len(few)
    assert "of 300 concerns you recorded" in text(client.get(url))
