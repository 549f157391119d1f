"""R64: an allegation naming a child opens a child-welfare concern for the DSL team. It names no adult, and the
adult it is about never sees it, even from the DSL team (R61)."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from concerns import selectors as concern_selectors
from concerns.models import Alert, ChronologyEntry, Concern
from concerns.selectors import overdue_actions
from safeguarding import access
from safeguarding.calendar import LONDON
from tests.conftest import sign_in
from tests.factories import PupilFactory

from .conftest import report

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_an_allegation_naming_a_child_opens_a_welfare_concern_for_the_dsl_team(school, teacher, colleague, leadership):
    child = PupilFactory(school=school)
    case = report(teacher, school, subject=colleague, allegation=True, child=child)
    concern = case.linked_concern
    assert concern is not None and concern.subject == child
    assert concern.is_immediate  # the first harm test: harmed or may have harmed
    assert not concern.involves_adult  # which would send the reporter back to report the adult again
    for name in (colleague.first_name, colleague.last_name, "grab"):
        assert name not in concern.account
    assert {a.recipient for a in Alert.objects.filter(concern=concern)} == {leadership["dsl"], leadership["deputy"]}
    # The child's chronology says a concern was raised, and nothing of the adult.
    entry = ChronologyEntry.objects.get(concern=concern)
    assert colleague.last_name not in entry.summary


def test_a_low_level_concern_opens_no_welfare_concern(school, teacher, colleague, leadership):
    child = PupilFactory(school=school)
    case = report(teacher, school, subject=colleague, child=child)
    assert case.linked_concern is None and not Concern.objects.exists()


def test_the_welfare_concern_is_withheld_from_a_dsl_who_is_the_subject(client, school, teacher, leadership):
    dsl, deputy = leadership["dsl"], leadership["deputy"]
    child = PupilFactory(school=school)
    case = report(teacher, school, subject=dsl, allegation=True, child=child)
    concern = case.linked_concern
    assert concern.withheld_from == dsl
    assert not Alert.objects.filter(concern=concern, recipient=dsl).exists()
    assert Alert.objects.filter(concern=concern, recipient=deputy).exists()
    assert not access.can_view_concern(dsl, concern)
    assert concern not in concern_selectors.queue_list_for_user(user=dsl, school=school)
    assert concern_selectors.unacknowledged_count_for_user(user=dsl, school=school) == 0
    assert concern_selectors.unacknowledged_count_for_user(user=deputy, school=school) == 1
    assert not concern_selectors.chronology_list_for_user(user=dsl, pupil=child).exists()
    assert not concern_selectors.pupil_concern_list_for_user(user=dsl, pupil=child).exists()
    assert concern_selectors.chronology_list_for_user(user=deputy, pupil=child).exists()
    assert all(a.concern_id != concern.pk for a in overdue_actions(school=school, user=dsl))

    sign_in(client, dsl)
    assert client.get(reverse("concerns:detail", args=[concern.public_id])).status_code == 404
    queue = client.get(reverse("concerns:queue")).content.decode()
    assert child.full_name not in queue
    file_page = client.get(reverse("concerns:pupil_file", args=[child.public_id])).content.decode()
    assert "Allegation about an adult" not in file_page
    sign_in(client, deputy)
    assert client.get(reverse("concerns:detail", args=[concern.public_id])).status_code == 200


def test_a_head_who_is_the_subject_is_never_alerted_by_escalation(school, teacher, leadership):
    from concerns.services.alerting import concern_escalate_if_unacknowledged

    child = PupilFactory(school=school)
    case = report(teacher, school, subject=leadership["head"], allegation=True, child=child)
    concern = case.linked_concern
    alerts = concern_escalate_if_unacknowledged(concern_id=concern.pk, now=concern.escalation_due_at)
    assert leadership["head"] not in {a.recipient for a in alerts}
    assert not Alert.objects.filter(concern=case.linked_concern, recipient=leadership["head"]).exists()


def test_the_child_must_be_on_the_schools_roll(client, school, other_school, teacher, colleague, leadership):
    import uuid
    from datetime import date

    stranger = PupilFactory(school=other_school)
    sign_in(client, teacher)
    response = client.post(
        reverse("staff_allegations:raise"),
        {
            "idempotency_key": str(uuid.uuid4()),
            "subject_user": colleague.pk,
            "happened_on": date.today().isoformat(),
            "location": "Gym",
            "witnessed": "Pushed a pupil.",
            "harmed": "on",
            "child": str(stranger.public_id),
        },
    )
    assert response.status_code == 400
    assert "Choose the child from your school" in response.content.decode()
    assert "Pushed a pupil." in response.content.decode()
