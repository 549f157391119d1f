"""The queue at a school with years of records (issue 18, item 10): waiting concerns first (Immediate before routine,
oldest first), then the rest newest first, paged 50 at a time with the count and previous and next links, so
nothing is cut off without saying so.

The rows are made with bulk_create (as in test_query_counts_at_volume.py): the page only reads them."""

import re
import uuid
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.models import Concern, ConcernPupil, ConcernStatus, PupilRole, SourceType
from concerns.services import alerting

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern

QUEUE = reverse("concerns:queue")
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 3, 10, 10, 0, tzinfo=LONDON)  # a Wednesday in term, ten years after the oldest records
NAME = re.compile(r'<span class="fw-semibold">(Waiting|Recent|Autumn) (Pupil\w+)</span>')  # each row's child


def concern_about(*, school, author, last_name, recorded_at, first_name="Recent", acknowledged_by=None, **fields):
    """An unsaved concern about a new pupil, acknowledged an hour after it was recorded when `acknowledged_by`."""
    pupil = PupilFactory(school=school, legal_first_name=first_name, legal_last_name=last_name)
    concern = Concern(
        school=school,
        author=author,
        author_name="Priya Sharma",
        author_role="Teacher",
        recorded_at=recorded_at,
        idempotency_key=uuid.uuid4(),
        happened_at=recorded_at - timedelta(minutes=30),
        location="Playground",
        people_present="Nobody else",
        source_type=SourceType.FIRST_HAND,
        account="Bulk account",
        escalation_due_at=recorded_at + timedelta(hours=1),
        **fields,
    )
    if acknowledged_by:
        concern.acknowledged_by = acknowledged_by
        concern.acknowledged_at = recorded_at + timedelta(hours=1)
        concern.status = ConcernStatus.ACKNOWLEDGED
    return concern, pupil


def save_all(made):
    concerns = Concern.objects.bulk_create(concern for concern, _ in made)
    ConcernPupil.objects.bulk_create(
        ConcernPupil(concern=concern, pupil=pupil, role=PupilRole.SUBJECT)
        for concern, (_, pupil) in zip(concerns, made, strict=True)
    )


@pytest.fixture
def ten_years(school, teacher, dsl):
    """60 acknowledged concerns from September 2017, 5 acknowledged last week, and 3 waiting: a routine one from
    two days ago, an Immediate one from an hour ago and a routine one from ten minutes ago."""
    made = [
        concern_about(
            school=school,
            author=teacher,
            first_name="Autumn",
            last_name=f"Pupil{day:02d}",
            recorded_at=datetime(2017, 9, 4, 11, 0, tzinfo=LONDON) + timedelta(days=day),
            acknowledged_by=dsl,
        )
        for day in range(60)
    ]
    made += [
        concern_about(
            school=school,
            author=teacher,
            last_name=f"Pupil{day}",
            recorded_at=NOW - timedelta(days=day + 1),
            acknowledged_by=dsl,
        )
        for day in range(5)
    ]
    made += [
        concern_about(
            school=school,
            author=teacher,
            first_name="Waiting",
            last_name=name,
            recorded_at=NOW - age,
            is_immediate=immediate,
        )
        for name, age, immediate in (
            ("PupilRoutineOld", timedelta(days=2), False),
            ("PupilImmediate", timedelta(hours=1), True),
            ("PupilRoutineNew", timedelta(minutes=10), False),
        )
    ]
    save_all(made)


def names(response) -> list[str]:
    """The children named on the page, top to bottom."""
    assert response.status_code == 200
    return ["".join(found) for found in NAME.findall(response.content.decode())]


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


WAITING = ["WaitingPupilImmediate", "WaitingPupilRoutineOld", "WaitingPupilRoutineNew"]
RECENT = [f"RecentPupil{day}" for day in range(5)]  # last week's, newest first
AUTUMN_2017 = [f"AutumnPupil{day:02d}" for day in reversed(range(60))]  # newest first


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_page_1_shows_the_waiting_then_the_newest_and_says_how_many(client, dsl, ten_years):
    """Waiting ones first (Immediate, then the oldest routine); then last week's before 2017's, newest first,
    50 of the 65 acknowledged, with the count and a link to the next page."""
    sign_in(client, dsl)
    response = client.get(QUEUE)
    assert names(response) == WAITING + RECENT + AUTUMN_2017[:45]
    page = text(response)
    assert "Waiting for acknowledgement (3)" in page
    assert "Showing 1–50 of 65 acknowledged concerns, newest first." in page
    assert "Page 1 of 2" in page
    assert 'href="/queue/?page=2" rel="next"' in response.content.decode()
    assert 'rel="prev"' not in response.content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_page_2_holds_the_oldest_with_the_waiting_ones_still_on_top(client, dsl, ten_years):
    """The last page shows the 15 oldest; the waiting concerns are never paged away."""
    sign_in(client, dsl)
    response = client.get(QUEUE, {"page": 2})
    assert names(response) == WAITING + AUTUMN_2017[45:]
    page = text(response)
    assert "Showing 51–65 of 65 acknowledged concerns, newest first." in page
    assert "Page 2 of 2" in page
    assert 'href="/queue/?page=1" rel="prev"' in response.content.decode()
    assert 'rel="next"' not in response.content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_pager_keeps_the_filters(client, dsl, ten_years):
    """Previous and next keep what the DSL filtered by, and the live refresh asks for the same page."""
    sign_in(client, dsl)
    content = client.get(QUEUE, {"status": "open", "year": 9, "page": 2}).content.decode()
    assert 'href="/queue/?status=open&amp;year=9&amp;page=1" rel="prev"' in content
    assert 'hx-get="/queue/?status=open&amp;year=9&amp;page=2"' in content
    live = client.get(QUEUE, {"status": "open", "year": 9, "page": 2}, HTTP_HX_REQUEST="true")
    assert names(live) == WAITING + AUTUMN_2017[45:]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_page_past_the_end_shows_the_last_page(client, dsl, ten_years):
    """A stale link (the list got shorter) shows the last page rather than an error."""
    sign_in(client, dsl)
    assert names(client.get(QUEUE, {"page": 9})) == WAITING + AUTUMN_2017[45:]
    assert names(client.get(QUEUE, {"page": "x"})) == WAITING + RECENT + AUTUMN_2017[:45]


def acknowledged_count_queries(client, **params) -> int:
    """How many queries of a queue page count its acknowledged concerns (Django's COUNT for the pager)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE, params).status_code == 200
    return sum(
        1
        for query in captured.captured_queries
        if query["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "concerns_concern"')
        and '"acknowledged_at" IS NOT NULL' in query["sql"]
    )


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_count_is_made_once_for_each_state_of_the_queue_and_stays_right(client, school, dsl, ten_years, teacher):
    """The pager's count reads the school's whole record, so a web process counts it once while the queue's token
    stays the same; an acknowledgement, a new concern or a concern withheld from the reader moves the token on, and
    the count is made again and is right. A filtered queue is counted every time."""
    sign_in(client, dsl)
    assert acknowledged_count_queries(client) == 1
    assert acknowledged_count_queries(client) == 0
    assert acknowledged_count_queries(client, page=2) == 0
    assert acknowledged_count_queries(client, status="open") == 1
    assert acknowledged_count_queries(client, status="open") == 1

    waiting = Concern.objects.filter(acknowledged_at__isnull=True).order_by("pk").first()
    alerting.concern_acknowledge(user=dsl, concern=waiting)
    assert acknowledged_count_queries(client) == 1
    assert "Showing 1–50 of 66 acknowledged concerns, newest first." in text(client.get(QUEUE))

    Concern.objects.filter(pk=waiting.pk).update(withheld_from=dsl)
    assert "Showing 1–50 of 65 acknowledged concerns, newest first." in text(client.get(QUEUE))

    alerting.concern_acknowledge(user=dsl, concern=raise_concern(author=teacher, school=school))
    assert "Showing 1–50 of 66 acknowledged concerns, newest first." in text(client.get(QUEUE))
