"""The queue and a child's file cost the same number of queries at 10 concerns as at 1,000 (issue 4, item 9).

The rows are made with bulk_create: building 1,000 concerns through the services would take minutes and prove
nothing more about the pages, which only read them."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import ChronologyEntry, Concern, ConcernCategory, ConcernPupil, PupilRole, SourceType

from ..conftest import sign_in
from ..factories import PupilFactory


def make_concerns(*, school, author, pupil, count):
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
