"""concern_acknowledge: one click by the DSL team, or by a senior leader the concern was routed to (R20, R21)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from concerns.models import Action, ActionKind, ActionStatus, Alert, AlertReason, ConcernStatus
from concerns.services import alerting
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..factories import raise_concern

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term, in school hours


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(school, make_person):
    return {
        "dsl": make_person(Role.DSL, school=school, username="dsl"),
        "deputy": make_person(Role.DEPUTY_DSL, school=school, username="deputy"),
        "head": make_person(Role.HEADTEACHER, school=school, username="head"),
        "teacher": make_person(Role.STAFF, school=school, username="teacher"),
    }


@pytest.fixture
def concern(school, team):
    return raise_concern(author=team["teacher"], school=school)


def escalate(concern):
    """Runs the escalation as if nobody in the DSL team had acknowledged in time."""
    return alerting.concern_escalate_if_unacknowledged(
        concern_id=concern.pk, now=concern.escalation_due_at + timedelta(minutes=1)
    )


def share_with_dsl_actions(concern):
    return list(Action.objects.filter(concern=concern, kind=ActionKind.SHARE_WITH_DSL))


@pytest.mark.django_db
def test_the_dsl_acknowledges_with_who_and_when(concern, team):
    """Acknowledging records who did it and when, and moves the concern to Acknowledged (R25)."""
    alerting.concern_acknowledge(user=team["dsl"], concern=concern)

    concern.refresh_from_db()
    assert concern.acknowledged_at == NOW
    assert concern.acknowledged_by == team["dsl"]
    assert concern.status == ConcernStatus.ACKNOWLEDGED


@pytest.mark.django_db
def test_a_deputy_can_acknowledge(concern, team):
    """A Deputy DSL acknowledges as the DSL does."""
    alerting.concern_acknowledge(user=team["deputy"], concern=concern)

    concern.refresh_from_db()
    assert concern.acknowledged_by == team["deputy"]


@pytest.mark.django_db
def test_once_acknowledged_the_escalation_does_nothing(concern, team):
    """A concern the DSL has acknowledged is not sent to the senior leaders when its time passes."""
    alerting.concern_acknowledge(user=team["dsl"], concern=concern)

    assert escalate(concern) == []
    assert not Alert.objects.filter(concern=concern, reason=AlertReason.ESCALATED).exists()


@pytest.mark.django_db
def test_a_second_acknowledgement_keeps_the_first(concern, team):
    """Acknowledging again changes nothing: the first who and when stand."""
    alerting.concern_acknowledge(user=team["dsl"], concern=concern)
    concern.refresh_from_db()
    first_at = concern.acknowledged_at

    alerting.concern_acknowledge(user=team["deputy"], concern=concern)

    concern.refresh_from_db()
    assert concern.acknowledged_at == first_at
    assert concern.acknowledged_by == team["dsl"]


@pytest.mark.django_db
def test_staff_cannot_acknowledge(concern, team, school, make_person):
    """A member of staff, even the concern's author, cannot acknowledge it."""
    colleague = make_person(Role.STAFF, school=school)

    for person in (colleague, team["teacher"]):
        with pytest.raises(PermissionDenied):
            alerting.concern_acknowledge(user=person, concern=concern)

    concern.refresh_from_db()
    assert concern.acknowledged_at is None
    assert concern.status == ConcernStatus.NEW


@pytest.mark.django_db
def test_another_schools_dsl_cannot_acknowledge(concern, other_school, make_person):
    """The DSL of another school has no part in this school's concerns."""
    outsider = make_person(Role.DSL, school=other_school)

    with pytest.raises(PermissionDenied):
        alerting.concern_acknowledge(user=outsider, concern=concern)


@pytest.mark.django_db
def test_a_head_with_no_alert_for_the_concern_cannot_acknowledge(concern, team):
    """Until a concern is routed to the Head, they have no need to know of it and cannot acknowledge it."""
    with pytest.raises(PermissionDenied):
        alerting.concern_acknowledge(user=team["head"], concern=concern)

    concern.refresh_from_db()
    assert concern.acknowledged_at is None
    assert share_with_dsl_actions(concern) == []


@pytest.mark.django_db
def test_a_head_sent_the_escalation_acknowledges_and_owns_a_task_to_share_with_the_dsl(concern, team):
    """A head acknowledging an escalated concern gets an open task to share it and what they did with the DSL."""
    escalate(concern)

    alerting.concern_acknowledge(user=team["head"], concern=concern)

    concern.refresh_from_db()
    assert concern.acknowledged_by == team["head"]
    assert concern.status == ConcernStatus.ACKNOWLEDGED
    [action] = share_with_dsl_actions(concern)
    assert action.status == ActionStatus.OPEN
    assert action.owner == team["head"]
    assert action.created_by == team["head"]


@pytest.mark.django_db
def test_a_head_acknowledging_twice_has_one_task(concern, team):
    """Acknowledging again does not create a second share-with-DSL task."""
    escalate(concern)

    alerting.concern_acknowledge(user=team["head"], concern=concern)
    alerting.concern_acknowledge(user=team["head"], concern=concern)

    assert len(share_with_dsl_actions(concern)) == 1


@pytest.mark.django_db
def test_the_dsl_acknowledging_afterwards_closes_the_heads_task(concern, team):
    """When the DSL then acknowledges, the share-with-DSL task is done, completed by the DSL (R21)."""
    escalate(concern)
    alerting.concern_acknowledge(user=team["head"], concern=concern)
    alerting.concern_acknowledge(user=team["dsl"], concern=concern)

    [action] = share_with_dsl_actions(concern)
    assert action.status == ActionStatus.DONE
    assert action.completed_by == team["dsl"]
    assert action.completed_at == NOW


@pytest.mark.django_db
def test_a_head_sent_a_rerouted_alert_also_gets_the_task(school, team):
    """With the DSL team away, the Head who handles the rerouted concern must share it with the DSL (R21)."""
    for name in ("dsl", "deputy"):
        alerting.availability_set(user=team[name], school=school, away=True)
    concern = raise_concern(author=team["teacher"], school=school)
    assert Alert.objects.filter(concern=concern, recipient=team["head"], reason=AlertReason.REROUTED).exists()

    alerting.concern_acknowledge(user=team["head"], concern=concern)

    [action] = share_with_dsl_actions(concern)
    assert action.status == ActionStatus.OPEN
    assert action.owner == team["head"]


@pytest.mark.django_db
def test_the_dsl_acknowledging_first_creates_no_task(concern, team):
    """When the DSL team acknowledges in time there is nothing to hand back."""
    alerting.concern_acknowledge(user=team["dsl"], concern=concern)

    assert share_with_dsl_actions(concern) == []
