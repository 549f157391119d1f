"""decision_record, concern_close and concern_reopen: every decision with its reason, closing with an outcome,
reopening with a reason, and a chronology that cannot be rewritten (R16, R25, R40, R52)."""

import html
import re
from collections import Counter
from datetime import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from concerns.models import (
    ChronologyEntry,
    ChronologyKind,
    ConcernStatus,
    Decision,
    DecisionKind,
    LevelOfNeed,
)
from concerns.services import triage
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import raise_concern

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term, in school hours


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


NOT_TELLING = "Telling the parents could put the child at greater risk: the police asked us to wait."
OUTCOME = "Early help assessment completed; the family is working with the Team Around the Family."


@pytest.fixture
def concern(school, teacher):
    return raise_concern(author=teacher, school=school)


def url(name, concern):
    return reverse(f"concerns:{name}", kwargs={"public_id": concern.public_id})


def text(response) -> str:
    return html.unescape(response.content.decode())


def chronology(concern, kind):
    return list(ChronologyEntry.objects.filter(concern=concern, kind=kind))


def close(dsl, concern, outcome=OUTCOME):
    concern.refresh_from_db()
    return triage.concern_close(user=dsl, concern=concern, outcome_summary=outcome, expected_version=concern.version)


@pytest.mark.django_db
def test_a_decision_without_its_reason_is_refused_on_the_page(client, concern, dsl):
    """The decision form asks for the reason, even for a decision not to act, and records nothing without it."""
    sign_in(client, dsl)
    response = client.post(
        url("record_decision", concern), {"kind": DecisionKind.NOT_REFER_CSC, "details": "", "rationale": ""}
    )
    assert response.status_code == 400
    assert "Every decision needs its reason" in text(response)
    assert not Decision.objects.exists()
    assert not chronology(concern, ChronologyKind.DECISION)


@pytest.mark.django_db
def test_the_decisions_why_label_belongs_to_the_decisions_own_box(client, concern, dsl):
    """Every id on the concern page is unique, so the decision's "Why" label names the decision's reason box and
    not the triage's (a screen reader, or a click on the label, would otherwise land in the wrong box)."""
    sign_in(client, dsl)
    page = text(client.get(url("detail", concern)))
    repeated = {name for name, count in Counter(re.findall(r'\sid="([^"]+)"', page)).items() if count > 1}
    assert repeated == set()


@pytest.mark.django_db
def test_the_service_refuses_a_decision_without_its_reason(concern, dsl):
    """decision_record refuses an empty rationale too, so no other caller can skip it (R40)."""
    with pytest.raises(ValidationError):
        triage.decision_record(user=dsl, concern=concern, kind=DecisionKind.NOT_TELL_PARENTS, rationale="")
    assert not Decision.objects.exists()
    assert not chronology(concern, ChronologyKind.DECISION)


@pytest.mark.django_db
def test_a_decision_not_to_tell_parents_keeps_its_reason_with_who_and_when(client, concern, dsl):
    """Not telling the parents or carers is a decision: it is recorded with its reason, the DSL and the time."""
    sign_in(client, dsl)
    response = client.post(
        url("record_decision", concern),
        {"kind": DecisionKind.NOT_TELL_PARENTS, "details": "", "rationale": NOT_TELLING},
    )
    assert response.status_code == 302 and response.url == url("detail", concern)
    decision = Decision.objects.get()
    assert decision.get_kind_display() == "Not to tell the parents or carers"
    assert decision.rationale == NOT_TELLING
    assert decision.decided_by == dsl
    assert (decision.decided_by_name, decision.decided_by_role) == ("Helen Marsh", "Designated Safeguarding Lead")
    assert decision.decided_at == NOW
    page = text(client.get(url("detail", concern)))
    assert f"Why: {NOT_TELLING}" in page


@pytest.mark.django_db
def test_a_decision_writes_a_chronology_line_with_its_reason(concern, dsl):
    """The child's chronology says what was decided, by whom and why, in words (R52, R54)."""
    triage.decision_record(user=dsl, concern=concern, kind=DecisionKind.NOT_TELL_PARENTS, rationale=NOT_TELLING)
    [entry] = chronology(concern, ChronologyKind.DECISION)
    assert "Decision by Helen Marsh (Designated Safeguarding Lead)" in entry.summary
    assert "Not to tell the parents or carers" in entry.summary
    assert NOT_TELLING in entry.summary
    assert "not_tell_parents" not in entry.summary
    assert entry.author == dsl


@pytest.mark.django_db
def test_closing_without_an_outcome_is_refused_on_the_page(client, concern, dsl):
    """The close form asks for the outcome and leaves the concern open without it (R25)."""
    sign_in(client, dsl)
    response = client.post(url("close", concern), {"version": "1", "outcome_summary": ""})
    assert response.status_code == 400
    assert "Write the outcome before closing the concern." in text(response)
    concern.refresh_from_db()
    assert concern.status != ConcernStatus.CLOSED
    assert concern.closed_at is None
    assert not chronology(concern, ChronologyKind.CLOSED)


@pytest.mark.django_db
def test_the_service_refuses_to_close_with_a_blank_outcome(concern, dsl):
    """Spaces are not an outcome: concern_close refuses them with the same message."""
    with pytest.raises(ValidationError) as refused:
        close(dsl, concern, outcome="   ")
    assert refused.value.message_dict["outcome_summary"] == ["Write the outcome before closing the concern."]
    concern.refresh_from_db()
    assert (concern.status, concern.version) == (ConcernStatus.NEW, 1)


@pytest.mark.django_db
def test_closing_records_the_outcome_who_and_when(client, concern, dsl):
    """Closing keeps the outcome, the DSL and the time, and the concern is Closed (R25)."""
    sign_in(client, dsl)
    response = client.post(url("close", concern), {"version": "1", "outcome_summary": OUTCOME})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    assert concern.outcome_summary == OUTCOME
    assert concern.closed_by == dsl
    assert concern.closed_at == NOW
    assert concern.version == 2


@pytest.mark.django_db
def test_closing_writes_a_chronology_line_with_the_outcome(concern, dsl):
    """The chronology says who closed the concern and what the outcome was."""
    close(dsl, concern)
    [entry] = chronology(concern, ChronologyKind.CLOSED)
    assert f"Closed by Helen Marsh (Designated Safeguarding Lead). Outcome: {OUTCOME}" in entry.summary


@pytest.mark.django_db
def test_reopening_needs_a_reason(client, concern, dsl):
    """A closed concern stays closed when no reason is given for reopening it."""
    close(dsl, concern)
    sign_in(client, dsl)
    response = client.post(url("reopen", concern), {"version": "2", "reason": ""})
    assert response.status_code == 400
    assert "Say why the concern is being reopened." in text(response)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED
    assert not chronology(concern, ChronologyKind.REOPENED)
    with pytest.raises(ValidationError):
        triage.concern_reopen(user=dsl, concern=concern, reason="  ", expected_version=concern.version)


@pytest.mark.django_db
def test_reopening_records_the_reason_and_sets_the_status_back(client, concern, dsl):
    """Reopening a triaged concern makes it Triaged again, clears the closing and writes the reason down."""
    triage.concern_triage(
        user=dsl,
        concern=concern,
        data=triage.TriageInput(level=LevelOfNeed.objects.get(code="level_2"), rationale="Early help."),
        expected_version=1,
    )
    close(dsl, concern)
    sign_in(client, dsl)
    reason = "A new disclosure from the same child this morning."
    response = client.post(url("reopen", concern), {"version": "3", "reason": reason})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.TRIAGED
    assert (concern.closed_at, concern.closed_by) == (None, None)
    assert concern.version == 4
    [entry] = chronology(concern, ChronologyKind.REOPENED)
    assert f"Reopened by Helen Marsh (Designated Safeguarding Lead): {reason}" in entry.summary


@pytest.mark.django_db
def test_reopening_an_untriaged_concern_makes_it_acknowledged(concern, dsl):
    """A concern closed before any triage reopens as Acknowledged, not Triaged."""
    close(dsl, concern)
    concern.refresh_from_db()
    triage.concern_reopen(user=dsl, concern=concern, reason="Closed by mistake.", expected_version=concern.version)
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ACKNOWLEDGED


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER])
def test_only_the_dsl_team_decides_and_closes(concern, school, make_person, role):
    """A member of staff or the Headteacher cannot record a decision or close a concern."""
    person = make_person(role, school=school)
    with pytest.raises(PermissionDenied):
        triage.decision_record(user=person, concern=concern, kind=DecisionKind.MONITOR, rationale="Watch.")
    with pytest.raises(PermissionDenied):
        triage.concern_close(user=person, concern=concern, outcome_summary=OUTCOME, expected_version=1)
    concern.refresh_from_db()
    assert not Decision.objects.exists()
    assert concern.status == ConcernStatus.NEW


@pytest.mark.django_db
def test_a_chronology_entry_cannot_be_changed(concern):
    """A line of the chronology, once written, cannot be edited; corrections are new entries (R16, R52)."""
    entry = ChronologyEntry.objects.get(concern=concern, kind=ChronologyKind.CONCERN_RAISED)
    original = entry.summary
    entry.summary = "Nothing happened."
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.save()
    entry.refresh_from_db()
    assert entry.summary == original


@pytest.mark.django_db
def test_a_chronology_entry_cannot_be_deleted(concern):
    """Neither one entry nor a query of entries can be deleted."""
    entry = ChronologyEntry.objects.get(concern=concern, kind=ChronologyKind.CONCERN_RAISED)
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.delete()
    with pytest.raises(PermissionDenied), transaction.atomic():
        ChronologyEntry.objects.filter(concern=concern).delete()
    assert ChronologyEntry.objects.filter(pk=entry.pk).exists()
