"""The menu badge's live count (issue 18, item 9): /queue/poll/ answers how many concerns wait for the reader's
acknowledgement, with a token that changes when the queue does. It is cheap, scoped like the queue, never cached,
writes nothing, and does not keep an idle session alive."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.models import Alert, AlertReason, Concern
from concerns.services import alerting
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import raise_concern

POLL = reverse("concerns:queue_poll")
CONTACTS = reverse("contacts:directory")
LONDON = ZoneInfo("Europe/London")
SCHOOL_MORNING = datetime(2027, 3, 10, 9, 30, tzinfo=LONDON)  # a Wednesday in school hours: nothing is late


@pytest.fixture(autouse=True)
def clock():
    """Raising a concern reads the clock (lateness, escalation due), and so does the session's idle timeout."""
    with time_machine.travel(SCHOOL_MORNING, tick=False) as traveller:
        yield traveller


def put_on_cover(person, *, school, by):
    """On the cover rota for today's school day (R22), so alerted like the DSL team."""
    alerting.cover_shift_add(
        user=by,
        school=school,
        person=person,
        starts_at=SCHOOL_MORNING,
        ends_at=SCHOOL_MORNING + timedelta(hours=8),
    )


def poll(client):
    response = client.get(POLL)
    assert response.status_code == 200, response.status_code
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.mark.django_db
def test_the_poll_counts_the_concerns_waiting_for_acknowledgement(client, school, teacher, dsl):
    """Two raised, one acknowledged: one waits. The answer holds the count and a token, nothing about a child."""
    first = raise_concern(author=teacher, school=school)
    raise_concern(author=teacher, school=school)
    alerting.concern_acknowledge(user=dsl, concern=first)
    sign_in(client, dsl)
    answer = poll(client)
    assert set(answer) == {"waiting", "token"}
    assert answer["waiting"] == 1
    assert first.subject.legal_last_name not in client.get(POLL).content.decode()


@pytest.mark.django_db
def test_the_token_changes_when_a_concern_arrives_or_is_acknowledged_and_not_otherwise(client, school, teacher, dsl):
    """The queue page refreshes only when the token moves on: a new concern, an acknowledgement. Asking again, or
    another school's concern, leaves it as it was."""
    sign_in(client, dsl)
    empty = poll(client)
    assert empty["waiting"] == 0 and poll(client)["token"] == empty["token"]
    concern = raise_concern(author=teacher, school=school)
    arrived = poll(client)
    assert arrived["waiting"] == 1 and arrived["token"] != empty["token"]
    alerting.concern_acknowledge(user=dsl, concern=concern)
    acknowledged = poll(client)
    assert acknowledged["waiting"] == 0 and acknowledged["token"] not in (empty["token"], arrived["token"])
    assert poll(client)["token"] == acknowledged["token"]


@pytest.mark.django_db
def test_the_token_changes_when_a_concern_is_withheld_from_the_reader(client, school, teacher, dsl):
    """An allegation about the DSL withholds an acknowledged concern from them (R64): nothing waits and nothing
    new arrived, but their queue lost a row, so its token moves on."""
    concern = raise_concern(author=teacher, school=school)
    alerting.concern_acknowledge(user=dsl, concern=concern)
    alerting.concern_acknowledge(user=dsl, concern=raise_concern(author=teacher, school=school))
    raise_concern(author=teacher, school=school)
    sign_in(client, dsl)
    before = poll(client)
    Concern.objects.filter(pk=concern.pk).update(withheld_from=dsl)
    after = poll(client)
    assert after["waiting"] == before["waiting"] == 1
    assert after["token"] != before["token"]


@pytest.mark.django_db
def test_a_senior_leaders_token_changes_when_an_older_concern_is_routed_to_them(
    client, school, teacher, dsl, make_person
):
    """A Headteacher's queue holds only what was routed to them: an older concern escalated to them after a newer
    one changes their token and their count."""
    head = make_person(Role.HEADTEACHER, school=school)
    older = raise_concern(author=teacher, school=school)
    newer = raise_concern(author=teacher, school=school)
    Alert.objects.create(concern=newer, recipient=head, reason=AlertReason.REROUTED)
    sign_in(client, head)
    before = poll(client)
    Alert.objects.create(concern=older, recipient=head, reason=AlertReason.ESCALATED)
    after = poll(client)
    assert (before["waiting"], after["waiting"]) == (1, 2)
    assert after["token"] != before["token"]


@pytest.mark.django_db
def test_the_count_leaves_out_what_the_reader_may_not_see(client, school, other_school, teacher, dsl, make_person):
    """Scoped as the queue is (R20, R21, R61, R64): the DSL counts every concern of the school except one withheld
    from them; a Headteacher counts only what was routed to them (once, however many alerts); another school's DSL
    counts none of it."""
    head = make_person(Role.HEADTEACHER, school=school)
    deputy = make_person(Role.DEPUTY_DSL, school=school)
    raise_concern(author=teacher, school=school)
    withheld = raise_concern(author=teacher, school=school)
    Concern.objects.filter(pk=withheld.pk).update(withheld_from=dsl)  # as an allegation about the DSL would set it
    routed = raise_concern(author=teacher, school=school)
    alerting.concern_escalate_if_unacknowledged(
        concern_id=routed.pk, now=routed.escalation_due_at + timedelta(minutes=1)
    )
    Alert.objects.create(concern=routed, recipient=head, reason=AlertReason.REROUTED)  # a second alert, same concern

    assert poll(sign_in(client, dsl))["waiting"] == 2
    assert poll(sign_in(client, deputy))["waiting"] == 3
    assert poll(sign_in(client, head))["waiting"] == 1
    assert poll(sign_in(client, make_person(Role.DSL, school=other_school)))["waiting"] == 0


@pytest.mark.django_db
def test_someone_on_cover_counts_what_was_sent_to_them(client, school, teacher, dsl, make_person):
    """A member of staff on the cover rota watches the queue (R22): their count is what was routed to them."""
    pastoral = make_person(Role.PASTORAL, school=school)
    put_on_cover(pastoral, school=school, by=dsl)
    raise_concern(author=teacher, school=school)
    assert poll(sign_in(client, pastoral))["waiting"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.TRUSTEE, Role.DPO, Role.IT_ADMIN])
def test_people_who_do_not_watch_a_queue_are_refused(client, school, teacher, make_person, role):
    """403, never cached, and nothing counted, for someone who cannot open /queue/."""
    raise_concern(author=teacher, school=school)
    sign_in(client, make_person(role, school=school))
    response = client.get(POLL)
    assert response.status_code == 403
    assert "no-store" in response["Cache-Control"]
    assert "waiting" not in response.json()


@pytest.mark.django_db
def test_a_signed_out_poll_gets_401_not_a_redirect(client, school, teacher):
    """The script stops quietly on 401: no redirect to the sign-in page for it to follow, again and again."""
    raise_concern(author=teacher, school=school)
    response = client.get(POLL)
    assert response.status_code == 401
    assert "Location" not in response
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {"signed_in": False}


@pytest.mark.django_db
def test_the_poll_is_get_only(client, dsl):
    sign_in(client, dsl)
    assert client.post(POLL).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["dsl", "head", "cover"])
def test_the_poll_costs_a_fixed_small_number_of_queries(client, school, teacher, dsl, make_person, who):
    """The same few queries with one concern as with forty, for the DSL team, a Headteacher and someone on cover;
    none of them a write."""
    reader = {
        "dsl": dsl,
        "head": make_person(Role.HEADTEACHER, school=school),
        "cover": make_person(Role.PASTORAL, school=school),
    }[who]
    if who == "cover":
        put_on_cover(reader, school=school, by=dsl)

    def raise_and_route(count):
        for _ in range(count):
            concern = raise_concern(author=teacher, school=school)
            if who == "head":
                alerting.concern_escalate_if_unacknowledged(
                    concern_id=concern.pk, now=concern.escalation_due_at + timedelta(minutes=1)
                )

    sign_in(client, reader)
    raise_and_route(1)
    poll(client)
    with CaptureQueriesContext(connection) as few:
        assert poll(client)["waiting"] == 1
    raise_and_route(39)
    with CaptureQueriesContext(connection) as many:
        assert poll(client)["waiting"] == 40
    # The session, the person, their authenticator, their roles, their schools, (on cover, the rota, asked by the
    # menu's rule and again by the queue's), and the count.
    assert len(many) == len(few) <= 8
    statements = [query["sql"].lstrip().split()[0].upper() for query in many.captured_queries]
    assert set(statements) == {"SELECT"}, statements


@pytest.mark.django_db
def test_a_poll_writes_no_session_and_no_audit_row(client, school, teacher, dsl, clock):
    """Asking every 4 seconds leaves no trace: the session row is not saved and the audit log gains nothing."""
    raise_concern(author=teacher, school=school)
    sign_in(client, dsl)
    key = client.session.session_key
    before = Session.objects.get(session_key=key).expire_date
    audit_rows = LogEntry.objects.count()
    for _ in range(3):
        clock.shift(timedelta(seconds=4))
        poll(client)
    assert Session.objects.get(session_key=key).expire_date == before
    assert LogEntry.objects.count() == audit_rows


@pytest.mark.django_db
def test_polling_does_not_keep_an_idle_session_alive(client, school, teacher, dsl, clock):
    """R86: 30 minutes without a real request signs a person out, even with a page polling all the while. A page
    opened in between does count, and pushes the timeout back."""
    raise_concern(author=teacher, school=school)
    sign_in(client, dsl)
    assert client.get(CONTACTS).status_code == 200  # the last real request: 09:30
    for minutes in (10, 10, 9):  # 09:40, 09:50, 09:59
        clock.shift(timedelta(minutes=minutes))
        assert poll(client)["waiting"] == 1
    clock.shift(timedelta(minutes=2))  # 10:01: half an hour and a minute since the last real request
    assert client.get(POLL).status_code == 401
    assert client.get(CONTACTS).url.startswith(reverse("login"))


@pytest.mark.django_db
def test_a_real_request_still_counts_as_activity(client, school, teacher, dsl, clock):
    """The other side of the rule: a page opened at 09:50 keeps the session until 10:20."""
    sign_in(client, dsl)
    clock.shift(timedelta(minutes=20))
    assert client.get(CONTACTS).status_code == 200
    clock.shift(timedelta(minutes=29))
    assert poll(client)["waiting"] == 0
    clock.shift(timedelta(minutes=2))
    assert client.get(POLL).status_code == 401


@pytest.mark.django_db
def test_every_page_carries_the_live_badge_for_those_who_watch_the_queue(client, school, teacher, dsl, make_person):
    """The DSL's pages (not only /queue/) carry the badge with the poll's address, the polite live region and the
    script; a teacher's pages carry none of them. A badge with nothing waiting is there, hidden, for the script."""
    sign_in(client, dsl)
    page = client.get(CONTACTS).content.decode()
    assert f'data-live-badge data-poll-url="{POLL}" hidden>0<span class="visually-hidden"> waiting</span>' in page
    assert '<div id="live-alerts-announcer" class="visually-hidden" aria-live="polite" aria-atomic="true">' in page
    assert '<script src="/static/js/live-alerts.js"></script>' in page
    raise_concern(author=teacher, school=school)
    page = client.get(CONTACTS).content.decode()
    assert f'data-live-badge data-poll-url="{POLL}">1<span class="visually-hidden"> waiting</span>' in page

    sign_in(client, teacher)
    page = client.get(reverse("concerns:my_concerns")).content.decode()
    assert "data-live-badge" not in page and "live-alerts" not in page


@pytest.mark.django_db
def test_the_queue_is_drawn_with_the_token_the_poll_gives(client, school, teacher, dsl):
    """The live part carries the queue's token, so the script refreshes it only when the poll's differs."""
    raise_concern(author=teacher, school=school)
    sign_in(client, dsl)
    token = poll(client)["token"]
    assert f'data-live-token="{token}"' in client.get(reverse("concerns:queue")).content.decode()
    assert f'data-live-token="{token}"' in client.get(reverse("concerns:queue"), {"status": "closed"}).content.decode()
