"""The queue and a child's file cost the same number of queries at 10 concerns as at 1,000 (issue 4, item 9).

The rows are made with bulk_create: building 1,000 concerns through the services would take minutes and prove
nothing more about the pages, which only read them."""

import uuid
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import (
    ChronologyEntry,
    Concern,
    ConcernCategory,
    ConcernPupil,
    ConcernStatus,
    PupilRole,
    SourceType,
)
from safeguarding.calendar import LONDON

from ..conftest import sign_in
from ..factories import PupilFactory

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_concerns(*, school, author, pupil, count, acknowledged_by=None) -> list[Concern]:
    """`count` concerns about `pupil`, a minute apart, waiting unless `acknowledged_by` acknowledged them."""
    now = timezone.now()
    concerns = Concern.objects.bulk_create(
        Concern(
            school=school,
            author=author,
            author_name="Priya Sharma",
            author_role="Teacher",
            recorded_at=now - timedelta(minutes=i),
            idempotency_key=uuid.uuid4(),
            happened_at=now - timedelta(minutes=i + 30),
            location="Playground",
            people_present="Nobody else",
            source_type=SourceType.FIRST_HAND,
            account="Bulk account",
            escalation_due_at=now + timedelta(hours=1),
            acknowledged_by=acknowledged_by,
            acknowledged_at=now if acknowledged_by else None,
            status=ConcernStatus.ACKNOWLEDGED if acknowledged_by else ConcernStatus.NEW,
        )
        for i in range(count)
    )
    ConcernPupil.objects.bulk_create(ConcernPupil(concern=c, pupil=pupil, role=PupilRole.SUBJECT) for c in concerns)
    ConcernCategory.objects.bulk_create(ConcernCategory(concern=c, code="neglect") for c in concerns)
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            pupil=pupil,
            concern=c,
            kind="concern_raised",
            occurred_at=c.recorded_at,
            summary="Concern recorded by Priya Sharma (Teacher).",
            author=author,
            author_name="Priya Sharma",
            author_role="Teacher",
        )
        for c in concerns
    )
    return concerns


def queries_for(client, url) -> int:
    client.get(url)  # warm: sessions, content types
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["queue", "file"])
def test_pages_cost_the_same_at_10_and_at_1000_concerns(client, school, teacher, dsl, page):
    """The DSL's queue and the child's CP file do not make a query per concern."""
    pupil = PupilFactory(school=school)
    url = reverse("concerns:queue") if page == "queue" else reverse("concerns:pupil_file", args=[pupil.public_id])
    sign_in(client, dsl)
    make_concerns(school=school, author=teacher, pupil=pupil, count=10)
    few = queries_for(client, url)
    make_concerns(school=school, author=teacher, pupil=pupil, count=990)
    many = queries_for(client, url)
    assert many == few


@pytest.mark.django_db
@pytest.mark.parametrize("number", [1, 2])
def test_a_page_of_the_queue_costs_the_same_at_60_and_at_1000_acknowledged(client, school, teacher, dsl, number):
    """The acknowledged concerns are paged 50 at a time (issue 18, item 10): page 1 and page 2 cost the same
    whether the record holds 60 or 1,000, and say how many there are."""
    pupil = PupilFactory(school=school)
    url = f"{reverse('concerns:queue')}?page={number}"
    sign_in(client, dsl)
    make_concerns(school=school, author=teacher, pupil=pupil, count=5)
    make_concerns(school=school, author=teacher, pupil=pupil, count=60, acknowledged_by=dsl)
    few = queries_for(client, url)
    make_concerns(school=school, author=teacher, pupil=pupil, count=940, acknowledged_by=dsl)
    many = queries_for(client, url)
    assert many == few
    page = client.get(url).content.decode()
    assert f"Showing {50 * number - 49}–{50 * number} of 1,000 acknowledged concerns, newest first." in page
    assert f"Page {number} of 20" in page
    assert "Waiting for acknowledgement (5)" in page
