"""R36, R37: meetings and professional disagreements are recorded on the concern and in the chronology."""

import pytest
from django.urls import reverse

from concerns.models import Disagreement, Meeting

from ..conftest import sign_in
from ..factories import raise_concern


@pytest.fixture
def concern(school, teacher):
    return raise_concern(author=teacher, school=school)


def record_url(concern, record):
    return reverse("concerns:add_record", kwargs={"public_id": concern.public_id, "record": record})


@pytest.mark.django_db
def test_a_strategy_discussion_is_recorded_with_who_came_and_the_report(client, concern, dsl):
    """The meeting keeps its date, attendees and whether the report went in and to the parents first."""
    sign_in(client, dsl)
    response = client.post(
        record_url(concern, "meeting"),
        {
            "kind": "strategy",
            "held_on": "2026-11-20",
            "attendees": "Helen Marsh (DSL, West Park School); Sam Ortiz (social worker, Derby City Council)",
            "report_submitted": "on",
            "report_shared_with_parents": "on",
            "notes": "Section 47 enquiry agreed.",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(concern=concern)
    assert meeting.report_submitted and meeting.report_shared_with_parents
    assert meeting.recorded_by == dsl
    line = concern.chronology.get(kind="meeting").summary
    assert "Strategy discussion on 20 November 2026" in line
    assert "Sam Ortiz (social worker, Derby City Council)" in line
    assert "shared with the parents first" in line


@pytest.mark.django_db
def test_a_meeting_without_attendees_is_refused_and_keeps_what_was_typed(client, concern, dsl):
    """Who attended is required; the form comes back with the typed notes."""
    sign_in(client, dsl)
    response = client.post(
        record_url(concern, "meeting"), {"kind": "core_group", "held_on": "2026-11-20", "notes": "Plan reviewed."}
    )
    assert response.status_code == 400
    assert "Plan reviewed." in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_a_professional_disagreement_is_recorded(client, concern, dsl):
    """A disagreement names who with, what about, the stage and the outcome, on the chronology too."""
    sign_in(client, dsl)
    response = client.post(
        record_url(concern, "disagreement"),
        {
            "raised_on": "2026-11-21",
            "with_whom": "Sam Ortiz, social worker, Derby City Council",
            "about": "No further action decided despite a second disclosure.",
            "stage": "Stage 1: practitioner to practitioner",
            "outcome": "",
        },
    )
    assert response.status_code == 302
    assert Disagreement.objects.get(concern=concern).stage.startswith("Stage 1")
    assert (
        "No further action decided despite a second disclosure" in concern.chronology.get(kind="disagreement").summary
    )


@pytest.mark.django_db
def test_staff_cannot_record_meetings(client, concern, teacher):
    """Only the DSL team records meetings and disagreements."""
    sign_in(client, teacher)
    assert client.post(record_url(concern, "meeting"), {}).status_code == 404
    assert client.post(record_url(concern, "disagreement"), {}).status_code == 404
