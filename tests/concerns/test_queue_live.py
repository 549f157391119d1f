"""The live queue: filters, taking a concern in one click, and the htmx refresh of the live part only."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerns.models import Concern
from concerns.services import triage
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern

QUEUE = reverse("concerns:queue")


@pytest.fixture
def concerns(school, teacher):
    year_7 = raise_concern(author=teacher, school=school, subject=PupilFactory(school=school, year_group=7))
    year_9 = raise_concern(
        author=teacher, school=school, subject=PupilFactory(school=school, year_group=9), category_codes=["fgm"]
    )
    return year_7, year_9


def names_in(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_a_name_with_an_apostrophe_is_shown_as_typed(client, dsl, school, teacher):
    """O'Neill reaches the queue escaped once (O&#x27;Neill), never double-escaped or dropped."""
    raise_concern(author=teacher, school=school, subject=PupilFactory(school=school, legal_last_name="O'Neill"))
    sign_in(client, dsl)
    page = client.get(QUEUE).content.decode()
    assert "O&#x27;Neill" in page and "&amp;#x27;" not in page


@pytest.mark.django_db
def test_filters_narrow_the_queue_by_year_and_category(client, dsl, concerns):
    """Year and category group filters show only the matching concerns."""
    year_7, year_9 = concerns
    sign_in(client, dsl)
    page = names_in(client.get(QUEUE, {"year": 7}))
    assert year_7.subject.full_name in page and year_9.subject.full_name not in page
    page = names_in(client.get(QUEUE, {"group": "harmful_practices"}))
    assert year_9.subject.full_name in page and year_7.subject.full_name not in page


@pytest.mark.django_db
def test_acknowledge_and_take_it_in_one_click(client, dsl, concerns):
    """One button acknowledges the concern and assigns it to the DSL; the 'mine' filter then finds it."""
    year_7, year_9 = concerns
    sign_in(client, dsl)
    response = client.post(
        reverse("concerns:assign", kwargs={"public_id": year_7.public_id}),
        {"assignee": "me", "acknowledge": "1", "next": QUEUE},
    )
    assert response.status_code == 302 and response.url == QUEUE
    year_7.refresh_from_db()
    assert year_7.assigned_to == dsl and year_7.acknowledged_by == dsl
    page = names_in(client.get(QUEUE, {"assigned": "me"}))
    assert year_7.subject.full_name in page and year_9.subject.full_name not in page
    assert year_7.chronology.filter(kind="assigned").exists()


@pytest.mark.django_db
def test_a_concern_goes_only_to_someone_in_the_dsl_team(client, school, dsl, concerns, make_person):
    """Assigning to a teacher is refused; nothing changes."""
    teacher = make_person(Role.STAFF, school=school)
    with pytest.raises(ValidationError):
        triage.concern_assign(user=dsl, concern=concerns[0], assignee=teacher)
    assert Concern.objects.get(pk=concerns[0].pk).assigned_to is None


@pytest.mark.django_db
def test_the_refresh_returns_only_the_live_part(client, dsl, concerns):
    """htmx's request gets the live region alone (no menu, no filters), so the person's place is kept. It asks
    every 30 seconds, and when live-alerts.js sees the queue change (tests/concerns/test_live_badge.py)."""
    sign_in(client, dsl)
    full = names_in(client.get(QUEUE))
    live = names_in(client.get(QUEUE, HTTP_HX_REQUEST="true"))
    assert 'id="queue-live"' in full and 'hx-trigger="every 30s, queue-changed"' in full and "htmx.min.js" in full
    assert live.lstrip().startswith('<div id="queue-live"') and "<nav" not in live and 'name="status"' not in live
    assert concerns[0].subject.full_name in live
