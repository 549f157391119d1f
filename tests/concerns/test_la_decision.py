"""R30 (issue 18, item 7): "LA decision received?" is answered with what the local authority decided (section 47,
section 17 / child in need, early help, no further action, other), its date and the allocated social worker,
never with words alone. The social worker joins the child's key people (R50). The clock is frozen: the referral
is on Wednesday 2 December 2026 at 10:00 and the decision is recorded on Thursday."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerns.models import ActionKind, ChronologyEntry, ChronologyKind, KeyPerson, KeyPersonKind, LaOutcome
from concerns.services import actions

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern

LONDON = ZoneInfo("Europe/London")
REFERRED = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)
NEXT_DAY = datetime(2026, 12, 3, 11, 30, tzinfo=LONDON)


@pytest.fixture
def chase(school, teacher, dsl):
    pupil = PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo")
    with time_machine.travel(REFERRED, tick=False):
        concern = raise_concern(author=teacher, school=school, subject=pupil)
        actions.action_add(user=dsl, concern=concern, kind=ActionKind.CSC_REFERRAL_ONLINE)
    return concern.actions.get(kind=ActionKind.CSC_DECISION_CHASE)


@pytest.fixture(autouse=True)
def thursday():
    with time_machine.travel(NEXT_DAY, tick=False):
        yield


def decision(**overrides):
    data = {
        "la_outcome": LaOutcome.SECTION_47,
        "la_decided_on": "2026-12-03",
        "social_worker_name": "Grace Adeyemi",
        "social_worker_team": "Derby City Children's Services, Assessment Team 2",
        "outcome": "Strategy discussion held this morning",
    }
    data.update(overrides)
    return data


def complete_url(action):
    return reverse("concerns:complete_action", args=[action.public_id])


@pytest.mark.django_db
def test_the_decision_is_a_choice_with_its_date_and_social_worker(client, dsl, chase):
    sign_in(client, dsl)
    page = client.get(reverse("concerns:detail", args=[chase.concern.public_id])).content.decode()
    assert "Record the local authority's decision" in page
    assert "Section 47 enquiry (child protection)" in page

    response = client.post(complete_url(chase), decision())
    assert response.status_code == 302
    chase.refresh_from_db()
    assert not chase.is_open
    assert (chase.la_outcome, chase.la_decided_on) == (LaOutcome.SECTION_47, date(2026, 12, 3))
    assert chase.social_worker == "Grace Adeyemi, Derby City Children's Services, Assessment Team 2"
    line = ChronologyEntry.objects.filter(kind=ChronologyKind.ACTION_DONE).get()
    assert "The local authority decided: Section 47 enquiry (child protection), on 3 December 2026." in line.summary
    assert "Allocated social worker: Grace Adeyemi (Derby City Children's Services, Assessment Team 2)." in line.summary
    assert "Strategy discussion held this morning." in line.summary
    worker = KeyPerson.objects.get(pupil=chase.concern.subject)
    assert (worker.kind, worker.name) == (KeyPersonKind.SOCIAL_WORKER, "Grace Adeyemi")


@pytest.mark.django_db
def test_no_further_action_needs_no_social_worker(client, dsl, chase):
    sign_in(client, dsl)
    response = client.post(
        complete_url(chase),
        decision(la_outcome=LaOutcome.NO_FURTHER_ACTION, social_worker_name="", social_worker_team="", outcome=""),
    )
    assert response.status_code == 302
    chase.refresh_from_db()
    assert chase.la_outcome == LaOutcome.NO_FURTHER_ACTION and chase.outcome.startswith("The local authority decided")
    assert not KeyPerson.objects.exists()


@pytest.mark.django_db
def test_a_social_worker_already_on_the_file_is_not_added_twice(client, dsl, chase):
    KeyPerson.objects.create(
        school=chase.school,
        pupil=chase.concern.subject,
        kind=KeyPersonKind.SOCIAL_WORKER,
        name="Grace Adeyemi",
        relationship_or_team="Derby City",
        recorded_by=dsl,
        recorded_by_name="Helen Marsh",
        recorded_by_role="DSL",
    )
    sign_in(client, dsl)
    client.post(complete_url(chase), decision())
    assert KeyPerson.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"la_outcome": ""}, "la_outcome", "Choose what the local authority decided."),
        ({"la_decided_on": ""}, "la_decided_on", "Give the date of the decision."),
        ({"la_decided_on": "2026-12-04"}, "la_decided_on", "This date is in the future."),
        ({"la_decided_on": "2026-12-01"}, "la_decided_on", "This is before the referral (2 December 2026)."),
        ({"social_worker_name": "", "social_worker_team": ""}, "social_worker_name", "allocated social worker"),
        ({"social_worker_name": "GA"}, "social_worker_name", "not initials"),
        ({"social_worker_team": ""}, "social_worker_team", "team and local authority"),
    ],
)
def test_a_wrong_answer_is_refused_on_the_concern_page_and_keeps_what_was_typed(
    client, dsl, chase, change, field, message
):
    sign_in(client, dsl)
    response = client.post(complete_url(chase), decision(**change))
    assert response.status_code == 400
    page = response.content.decode()
    assert message.replace("'", "&#x27;") in page
    assert "Strategy discussion held this morning" in page  # nothing typed is lost
    chase.refresh_from_db()
    assert chase.is_open and chase.la_outcome == ""


@pytest.mark.django_db
def test_words_alone_no_longer_close_it(dsl, chase):
    with pytest.raises(ValidationError, match="Record what the local authority decided"):
        actions.action_complete(user=dsl, action=chase, outcome="They said it was fine.")
    chase.refresh_from_db()
    assert chase.is_open


@pytest.mark.django_db
def test_only_the_chase_is_answered_this_way(dsl, chase):
    follow_up = chase.concern.actions.exclude(pk=chase.pk).first()
    with pytest.raises(ValidationError, match="Only the local authority's decision"):
        actions.la_decision_record(user=dsl, action=follow_up, la_outcome=LaOutcome.OTHER, decided_on=date(2026, 12, 3))


@pytest.mark.django_db
def test_an_owner_outside_the_dsl_team_answers_it_under_tasks_for_you(client, school, dsl, chase, make_person):
    from safeguarding.models import Role

    senior = make_person(Role.SENIOR_LEADER, school=school)
    actions.action_reassign(user=dsl, action=chase, owner=senior)
    sign_in(client, senior)
    page = client.get(reverse("concerns:my_concerns")).content.decode()
    assert "Record the local authority's decision" in page
    refused = client.post(complete_url(chase), decision(social_worker_name=""))
    assert refused.status_code == 400
    assert "Give the allocated social worker" in refused.content.decode()
    assert "Strategy discussion held this morning" in refused.content.decode()
    done = client.post(complete_url(chase), decision())
    assert done.status_code == 302 and done.url == reverse("concerns:my_concerns")
    chase.refresh_from_db()
    assert chase.la_outcome == LaOutcome.SECTION_47
