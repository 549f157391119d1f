"""The DSL team's side (R19–R24): the alert queue, acknowledging, the concern page, being away, and recording
concerns for others."""

from datetime import datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import Addendum, Alert, Concern, ConcernKind, ConcernStatus
from concerns.services import alerting
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern
from .test_raise_view import ACCOUNT, page_text, raise_form_data

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term, in school hours


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


QUEUE_URL = "/queue/"
ACKNOWLEDGED_HEADING = '<h2 class="h5 mt-4">Acknowledged</h2>'


def detail_url(concern):
    return reverse("concerns:detail", kwargs={"public_id": concern.public_id})


def about(school, first_name, last_name):
    return PupilFactory(school=school, legal_first_name=first_name, legal_last_name=last_name)


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school, first_name="Priya", last_name="Sharma")


@pytest.fixture
def dsl(school, make_person):
    return make_person(Role.DSL, school=school, first_name="Helen", last_name="Marsh")


@pytest.mark.django_db
def test_the_queue_lists_waiting_before_acknowledged_and_immediate_first(client, school, teacher, dsl):
    """Waiting concerns come first, Immediate before routine; acknowledged ones follow under their own heading."""
    acknowledged = raise_concern(author=teacher, school=school, subject=about(school, "Ada", "Acknowledged"))
    alerting.concern_acknowledge(user=dsl, concern=acknowledged)
    raise_concern(author=teacher, school=school, subject=about(school, "Rory", "Routine"))
    raise_concern(author=teacher, school=school, subject=about(school, "Isla", "Immediate"), is_immediate=True)
    sign_in(client, dsl)
    response = client.get(QUEUE_URL)
    assert response.status_code == 200
    page = page_text(response)
    assert "Waiting for acknowledgement (2)" in page
    immediate, routine = page.index("Isla Immediate"), page.index("Rory Routine")
    heading, done = page.index(ACKNOWLEDGED_HEADING), page.index("Ada Acknowledged")
    assert immediate < routine < heading < done


@pytest.mark.django_db
def test_acknowledging_records_who_and_when_and_moves_the_concern(client, school, teacher, dsl):
    """One click records the DSL and the time, and the concern moves from waiting to acknowledged."""
    concern = raise_concern(author=teacher, school=school, subject=about(school, "Maya", "Okonjo"))
    sign_in(client, dsl)
    response = client.post(reverse("concerns:acknowledge", kwargs={"public_id": concern.public_id}))
    assert response.status_code == 302 and response.url == detail_url(concern)
    concern.refresh_from_db()
    assert concern.acknowledged_by == dsl
    assert concern.acknowledged_at == NOW
    assert concern.status == ConcernStatus.ACKNOWLEDGED
    page = page_text(client.get(QUEUE_URL))
    assert "Waiting for acknowledgement (0)" in page
    assert page.index(ACKNOWLEDGED_HEADING) < page.index("Maya Okonjo")
    assert "Acknowledged by Helen Marsh" in page


@pytest.mark.django_db
def test_the_head_sees_only_concerns_escalated_to_them(client, school, teacher, dsl, make_person):
    """A concern nobody acknowledged in time reaches the Headteacher's queue; others stay with the DSL team."""
    head = make_person(Role.HEADTEACHER, school=school)
    escalated = raise_concern(author=teacher, school=school, subject=about(school, "Eli", "Escalated"))
    quiet = raise_concern(author=teacher, school=school, subject=about(school, "Nia", "Notrouted"))
    alerts = alerting.concern_escalate_if_unacknowledged(
        concern_id=escalated.pk, now=escalated.escalation_due_at + timedelta(minutes=1)
    )
    assert [alert.recipient for alert in alerts] == [head]
    sign_in(client, head)
    page = page_text(client.get(QUEUE_URL))
    assert "Eli Escalated" in page
    assert "Nia Notrouted" not in page
    assert client.get(detail_url(escalated)).status_code == 200
    assert client.get(detail_url(quiet)).status_code == 404


@pytest.mark.django_db
def test_a_dsl_of_another_school_sees_none_of_this_schools_concerns(
    client, school, other_school, teacher, dsl, make_person
):
    """The queue is per school: another school's DSL sees an empty queue and gets 404 for the concern."""
    concern = raise_concern(author=teacher, school=school, subject=about(school, "Maya", "Okonjo"))
    sign_in(client, make_person(Role.DSL, school=other_school))
    response = client.get(QUEUE_URL)
    assert response.status_code == 200
    page = page_text(response)
    assert "Okonjo" not in page
    assert "Nothing is waiting." in page
    assert client.get(detail_url(concern)).status_code == 404


@pytest.mark.django_db
def test_opening_a_concern_is_written_to_the_audit_log(client, school, teacher, dsl):
    """Every view of a concern's page leaves an access entry naming who looked (R85)."""
    concern = raise_concern(author=teacher, school=school)
    accesses = LogEntry.objects.get_for_object(concern).filter(action=LogEntry.Action.ACCESS)
    assert not accesses.exists()
    sign_in(client, dsl)
    assert client.get(detail_url(concern)).status_code == 200
    assert client.get(detail_url(concern)).status_code == 200
    assert accesses.count() == 2
    assert {entry.actor for entry in accesses} == {dsl}


@pytest.mark.django_db
def test_the_dsl_can_add_a_dated_addendum_on_the_concern_page(client, school, teacher, dsl):
    """The DSL's addendum is kept with their name; the concern's own text does not change."""
    concern = raise_concern(author=teacher, school=school, account=ACCOUNT)
    sign_in(client, dsl)
    response = client.post(
        reverse("concerns:add_addendum", kwargs={"public_id": concern.public_id}),
        {"text": "Spoke to Mum at pick-up; she confirmed the bruise."},
    )
    assert response.status_code == 302 and response.url == detail_url(concern)
    addendum = Addendum.objects.get()
    assert (addendum.concern, addendum.author, addendum.author_name) == (concern, dsl, "Helen Marsh")
    concern.refresh_from_db()
    assert concern.account == ACCOUNT
    page = page_text(client.get(detail_url(concern)))
    assert "Spoke to Mum at pick-up; she confirmed the bruise." in page
    assert "Helen Marsh" in page


@pytest.mark.django_db
def test_a_dsl_marked_away_is_not_alerted_while_the_rest_of_the_team_is(client, school, teacher, dsl, make_person):
    """Away, new concerns alert only the other team members; back again, they alert the DSL too (R21)."""
    deputy = make_person(Role.DEPUTY_DSL, school=school)
    sign_in(client, dsl)
    response = client.post(reverse("concerns:set_availability"), {"away": "1"})
    assert response.status_code == 302 and response.url == reverse("concerns:queue")
    while_away = raise_concern(author=teacher, school=school)
    assert [alert.recipient for alert in Alert.objects.filter(concern=while_away)] == [deputy]

    client.post(reverse("concerns:set_availability"), {"away": "0"})
    back = raise_concern(author=teacher, school=school)
    assert {alert.recipient for alert in Alert.objects.filter(concern=back)} == {dsl, deputy}


@pytest.mark.django_db
def test_the_queue_costs_the_same_queries_for_3_or_30_concerns(client, school, teacher, dsl):
    """The queue asks the database a fixed number of questions, however many concerns are in it."""
    for _ in range(3):
        raise_concern(author=teacher, school=school)
    sign_in(client, dsl)
    client.get(QUEUE_URL)  # the first request sets up the session
    cache.clear()  # each measured page counts its acknowledged concerns afresh (concerns.live.acknowledged_count)
    with CaptureQueriesContext(connection) as few:
        assert "Waiting for acknowledgement (3)" in client.get(QUEUE_URL).content.decode()
    for _ in range(27):
        raise_concern(author=teacher, school=school)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        assert "Waiting for acknowledgement (30)" in client.get(QUEUE_URL).content.decode()
    assert len(many) == len(few)


@pytest.mark.django_db
def test_a_verbal_concern_is_the_reporters_and_marked_as_transcribed(client, school, teacher, dsl):
    """The DSL writes down a concern given to them verbally: it is the reporter's, transcribed by the DSL (R23)."""
    pupil = about(school, "Maya", "Okonjo")
    sign_in(client, dsl)
    assert client.get(reverse("concerns:record_verbal")).status_code == 200
    response = client.post(reverse("concerns:record_verbal"), {**raise_form_data(pupil), "reporter": teacher.pk})
    concern = Concern.objects.get()
    assert response.status_code == 302 and response.url == detail_url(concern)
    assert concern.author == teacher
    assert concern.author_name == "Priya Sharma"
    assert concern.transcribed_by == dsl
    assert concern.kind == ConcernKind.VERBAL
    assert concern.subject == pupil
    assert "transcribed by Helen Marsh" in page_text(client.get(detail_url(concern)))


@pytest.mark.django_db
def test_a_police_notification_is_recorded_as_domestic_abuse_with_its_reference(client, school, dsl):
    """The police notification page shows the no-questions rule and records a domestic abuse concern (R24)."""
    pupil = about(school, "Maya", "Okonjo")
    url = reverse("concerns:record_police_notification")
    sign_in(client, dsl)
    page = page_text(client.get(url))
    assert "Do not ask the child or their parents about the incident." in page
    incident = timezone.localtime() - timedelta(days=1)
    response = client.post(
        url,
        {
            "idempotency_key": raise_form_data(pupil)["idempotency_key"],
            "subject": str(pupil.public_id),
            "police_reference": "DY-2024-0412",
            "happened_on": incident.date().isoformat(),
            "happened_time": "21:40",
            "location": "The family home",
            "child_present": "yes",
            "child_voice": "Maya told officers she hid upstairs.",
            "officer": "Hannah Burrows, police constable, Derbyshire Constabulary",
            "account": "Police attended a domestic incident at the home; the child was present.",
        },
    )
    concern = Concern.objects.get()
    assert response.status_code == 302 and response.url == detail_url(concern)
    assert concern.kind == ConcernKind.DOMESTIC_ABUSE_NOTIFICATION
    assert list(concern.categories.values_list("code", flat=True)) == ["domestic_abuse"]
    assert concern.police_notification.police_reference == "DY-2024-0412"
    assert concern.police_notification.child_present is True
    assert concern.subject == pupil
    assert "Reference DY-2024-0412" in page_text(client.get(detail_url(concern)))


@pytest.mark.django_db
def test_the_menu_shows_how_many_concerns_wait(client, school, make_person, signed_in):
    """Every page the DSL opens shows the number of concerns waiting for acknowledgement (R19)."""
    dsl = make_person(Role.DSL, school=school)
    author = make_person(Role.STAFF, school=school)
    raise_concern(author=author, school=school)
    raise_concern(author=author, school=school)
    page = signed_in(dsl).get(reverse("contacts:directory")).content.decode()
    assert '2<span class="visually-hidden"> waiting</span>' in page
