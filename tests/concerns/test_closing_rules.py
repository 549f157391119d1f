"""What a closed concern allows, and the small rules around actions that keep the record honest."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerns.models import ActionKind, ConcernStatus
from concerns.services import actions, alerting, triage
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import raise_concern


@pytest.fixture
def dsl(school, make_person):
    return make_person(Role.DSL, school=school)


@pytest.fixture
def concern(school, make_person):
    return raise_concern(author=make_person(Role.STAFF, school=school), school=school)


@pytest.mark.django_db
def test_a_concern_with_open_actions_cannot_be_closed(client, concern, dsl):
    """Closing is refused while actions are open, and the page names them (they would remind with nobody looking)."""
    actions.action_add(user=dsl, concern=concern, kind=ActionKind.PASTORAL_SUPPORT)
    with pytest.raises(ValidationError, match="Finish the open actions first: Pastoral support"):
        triage.concern_close(user=dsl, concern=concern, outcome_summary="All fine.", expected_version=None)
    sign_in(client, dsl)
    response = client.post(
        reverse("concerns:close", kwargs={"public_id": concern.public_id}),
        {"version": concern.version, "outcome_summary": "All fine."},
    )
    assert response.status_code == 400
    assert "Finish the open actions first" in response.content.decode()
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ACTIONS_OPEN


@pytest.mark.django_db
def test_a_closed_concern_takes_no_new_decision_or_action(concern, dsl):
    """After closing, a decision or an action needs the concern reopened first."""
    triage.concern_close(user=dsl, concern=concern, outcome_summary="Resolved in school.", expected_version=None)
    with pytest.raises(ValidationError, match="reopen it first"):
        triage.decision_record(user=dsl, concern=concern, kind="monitor", rationale="Keep an eye.")
    with pytest.raises(ValidationError, match="reopen it first"):
        actions.action_add(user=dsl, concern=concern, kind=ActionKind.MONITORING)


@pytest.mark.django_db
def test_the_hand_back_task_closes_only_when_the_dsl_takes_the_concern_back(school, concern, dsl, make_person):
    """A senior leader cannot tick off their own 'share with the DSL' task: the DSL's acknowledgement closes it."""
    head = make_person(Role.HEADTEACHER, school=school)
    alerting.concern_escalate_if_unacknowledged(concern_id=concern.pk, now=concern.escalation_due_at)
    alerting.concern_acknowledge(user=head, concern=concern)
    task = concern.actions.get(kind=ActionKind.SHARE_WITH_DSL)
    with pytest.raises(ValidationError, match="closes when the DSL team acknowledges"):
        actions.action_complete(user=head, action=task, outcome="Told them.")
    alerting.concern_acknowledge(user=dsl, concern=concern)
    task.refresh_from_db()
    assert task.status == "done" and task.completed_by == dsl


@pytest.mark.django_db
def test_a_rule_made_action_moves_the_concern_on_and_is_on_the_chronology(school, concern, dsl):
    """Actions the rules create at triage set the status to Actions open and write their own chronology line."""
    from concerns.models import LevelOfNeed

    triage.concern_triage(
        user=dsl,
        concern=concern,
        expected_version=None,
        data=triage.TriageInput(
            level=LevelOfNeed.objects.get(code="level_2"),
            rationale="Prevent advice first.",
            category_codes=["radicalisation"],
        ),
    )
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ACTIONS_OPEN
    assert concern.chronology.filter(summary__contains="Call the LA Prevent team for advice").exists()


@pytest.mark.django_db
def test_the_audit_log_tells_a_pdf_export_from_a_view(client, concern, dsl):
    """Viewing the CP file and exporting it as a PDF are both logged, and the export says so."""
    sign_in(client, dsl)
    pupil = concern.subject
    client.get(reverse("concerns:pupil_file", kwargs={"public_id": pupil.public_id}))
    client.get(reverse("concerns:pupil_file_pdf", kwargs={"public_id": pupil.public_id}))
    accesses = LogEntry.objects.get_for_object(pupil).filter(action=LogEntry.Action.ACCESS).order_by("timestamp")
    assert [entry.additional_data.get("access") for entry in accesses] == [None, "PDF export"]
    assert all(entry.actor == dsl for entry in accesses)
    page = client.get(reverse("audit_log"), {"action": LogEntry.Action.ACCESS}).content.decode()
    assert "(PDF export)" in page
