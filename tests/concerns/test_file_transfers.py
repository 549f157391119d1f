"""R55, R58 (decision 2): moving schools. When a child with a CP file leaves, recording it opens the task to send the
file, due at the end of the 5th school day after leaving (or the 5th school day of the new term); the task closes
only when the receiving school's confirmation of receipt is recorded. A file received from the previous school goes
on the chronology and sets a task to confirm receipt to the sender; the DSL, the deputies and the SENCo are told."""

import html
from datetime import date, datetime, time

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerns import selectors
from concerns.models import (
    Action,
    ActionKind,
    ChronologyEntry,
    ChronologyKind,
    FileTransfer,
    PupilEvent,
    PupilFlag,
    TransferDirection,
)
from concerns.services import actions, transfers
from safeguarding.calendar import LONDON
from safeguarding.models import Role, TermName

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern
from ..test_calendar import make_term

DETAILS = "Moved to Leeds; the new school is Hawthorn Academy, Leeds."
# A Wednesday morning in the autumn term below, after every date the tests type (the latest is 24 November).
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def terms(school):
    """Spring 2025-26: Mon 5 Jan–Thu 2 Apr 2026, half term 16–20 Feb; summer: Mon 20 Apr–Wed 22 Jul 2026;
    autumn 2026-27 from Wed 2 Sep 2026."""
    make_term(
        school, TermName.SPRING, "2025-26", date(2026, 1, 5), date(2026, 4, 2), (date(2026, 2, 16), date(2026, 2, 20))
    )
    make_term(school, TermName.SUMMER, "2025-26", date(2026, 4, 20), date(2026, 7, 22))
    make_term(school, TermName.AUTUMN, "2026-27", date(2026, 9, 2), date(2026, 12, 18))


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_first_name="Esme", legal_last_name="Varga-Thornbury")


@pytest.fixture
def with_file(pupil, teacher, school):
    """A child with a CP file: a concern about them."""
    raise_concern(author=teacher, school=school, subject=pupil)
    return pupil


@pytest.fixture
def senco(school, make_person):
    return make_person(Role.SENCO, school=school, first_name="Ruth", last_name="Okoro", job_title="SENCo")


def url(pupil, record):
    return reverse("concerns:add_profile", kwargs={"public_id": pupil.public_id, "record": record})


def file_url(pupil):
    return reverse("concerns:pupil_file", kwargs={"public_id": pupil.public_id})


def text(response) -> str:
    return html.unescape(response.content.decode())


def leave(client, pupil, on):
    return client.post(
        url(pupil, "event"), {"kind": "left", "on": on.isoformat(), "details": DETAILS, "destination": "school"}
    )


def send(client, transfer, **overrides):
    data = {
        "transfer": str(transfer.public_id),
        "other_school": "Hawthorn Academy, Leeds",
        "other_school_contact": "Grace Adeyemi",
        "method": "secure_portal",
        "sent_on": transfer.event.on.isoformat(),
        **overrides,
    }
    return client.post(url(transfer.pupil, "transfer_sent"), data)


def confirm(client, transfer, **overrides):
    data = {
        "transfer": str(transfer.public_id),
        "receipt_confirmed_by": "Grace Adeyemi, Designated Safeguarding Lead",
        "receipt_confirmed_on": transfer.sent_on.isoformat(),
        **overrides,
    }
    return client.post(url(transfer.pupil, "transfer_receipt"), data)


def lines(pupil, kind):
    return list(ChronologyEntry.objects.filter(pupil=pupil, kind=kind).values_list("summary", flat=True))


def at_end_of_school_day(day):
    return datetime.combine(day, time(15, 30), tzinfo=LONDON)


# --- Leaving opens the transfer and its task ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_in_year_leaver_over_half_term_is_due_on_the_5th_school_day(client, school, dsl, terms, with_file):
    """Leaving on Thursday 12 February 2026: Friday 13th is day 1, the half term (16–20th) does not count, and
    Thursday 26 February is day 5. The task is the recorder's, about the child, due at the end of that school day."""
    sign_in(client, dsl)
    assert leave(client, with_file, date(2026, 2, 12)).status_code == 302
    transfer = FileTransfer.objects.get(pupil=with_file)
    assert transfer.direction == TransferDirection.OUT and transfer.due_on == date(2026, 2, 26)
    task = transfer.action
    assert task.kind == ActionKind.SEND_CP_FILE and task.pupil == with_file and task.concern is None
    assert task.owner == dsl and task.is_open
    assert task.due_at == at_end_of_school_day(date(2026, 2, 26))
    assert lines(with_file, ChronologyKind.CP_FILE_DUE) == [
        "The CP file must be sent to the next school by the end of the school day on Thursday 26 February 2026, "
        "the fifth school day after the child left. A task was set for Helen Marsh (Designated Safeguarding Lead)."
    ]


@pytest.mark.django_db
def test_a_summer_leaver_is_due_on_the_5th_school_day_of_the_new_term(client, dsl, terms, with_file):
    """Leaving on the last day of the summer term, Wednesday 22 July 2026: the holiday does not count, and the
    autumn term starts on Wednesday 2 September, so day 5 is Tuesday 8 September (2, 3, 4, 7, 8)."""
    sign_in(client, dsl)
    leave(client, with_file, date(2026, 7, 22))
    transfer = FileTransfer.objects.get(pupil=with_file)
    assert transfer.due_on == date(2026, 9, 8)
    assert transfer.action.due_at == at_end_of_school_day(date(2026, 9, 8))


@pytest.mark.django_db
def test_a_child_with_a_current_flag_and_no_concern_has_a_file_to_send(client, school, dsl, terms, pupil):
    PupilFlag.objects.create(
        school=school,
        pupil=pupil,
        kind="young_carer",
        starts_on=date(2025, 9, 1),
        source="The child's mother",
        recorded_by=dsl,
        recorded_by_name="Helen Marsh",
        recorded_by_role="DSL",
    )
    sign_in(client, dsl)
    leave(client, pupil, date(2026, 3, 2))
    assert FileTransfer.objects.filter(pupil=pupil, direction=TransferDirection.OUT).count() == 1


@pytest.mark.django_db
def test_a_child_with_no_cp_file_gets_no_transfer(client, dsl, terms, pupil):
    sign_in(client, dsl)
    leave(client, pupil, date(2026, 3, 2))
    assert not FileTransfer.objects.exists()
    assert not Action.objects.filter(kind=ActionKind.SEND_CP_FILE).exists()


@pytest.mark.django_db
def test_an_absence_opens_no_transfer(client, dsl, terms, with_file):
    sign_in(client, dsl)
    client.post(url(with_file, "event"), {"kind": "absent", "on": "2026-03-02", "details": "Not seen since Friday."})
    assert not FileTransfer.objects.exists()


@pytest.mark.django_db
def test_a_leaving_recorded_twice_keeps_one_transfer(client, dsl, terms, with_file):
    sign_in(client, dsl)
    leave(client, with_file, date(2026, 3, 2))
    leave(client, with_file, date(2026, 3, 3))
    assert FileTransfer.objects.filter(pupil=with_file).count() == 1
    assert Action.objects.filter(pupil=with_file, kind=ActionKind.SEND_CP_FILE).count() == 1


# --- Sending, and the receipt that closes the task ----------------------------------------------------------


@pytest.fixture
def transfer(client, dsl, terms, with_file):
    sign_in(client, dsl)
    leave(client, with_file, date(2026, 3, 2))  # a Monday: due Monday 9 March
    return FileTransfer.objects.select_related("event", "pupil").get(pupil=with_file)


@pytest.mark.django_db
def test_the_task_cannot_be_marked_done_before_receipt_is_confirmed(client, transfer):
    """Through the usual action form: refused, with the reason, whether or not the file has been sent."""
    complete = reverse("concerns:complete_action", kwargs={"action_id": transfer.action.public_id})
    response = client.post(complete, {"outcome": "Sent it."}, follow=True)
    assert "closes only when the receiving school's confirmation of receipt" in text(response)
    send(client, transfer)
    response = client.post(complete, {"outcome": "Sent it."}, follow=True)
    assert "closes only when the receiving school's confirmation of receipt" in text(response)
    transfer.action.refresh_from_db()
    assert transfer.action.is_open
    with pytest.raises(ValidationError):
        actions.action_complete(user=transfer.recorded_by, action=transfer.action, outcome="Sent.")


@pytest.mark.django_db
def test_sending_then_confirming_receipt_closes_the_task_with_its_outcome(client, dsl, transfer):
    assert send(client, transfer, sent_on="2026-03-06").status_code == 302
    transfer.refresh_from_db()
    assert transfer.sent_on == date(2026, 3, 6) and transfer.method == "secure_portal" and transfer.sent_on_time
    assert transfer.action.is_open  # sent is not enough (R55)
    assert lines(transfer.pupil, ChronologyKind.CP_FILE_SENT) == [
        "CP file sent to Hawthorn Academy, Leeds, for Grace Adeyemi through a secure portal on Friday "
        "6 March 2026, on time. Recorded by Helen Marsh (Designated Safeguarding Lead). Waiting for the "
        "receiving school to confirm receipt."
    ]

    assert confirm(client, transfer, receipt_confirmed_on="2026-03-09").status_code == 302
    transfer.refresh_from_db()
    task = transfer.action
    assert transfer.receipt_confirmed_by == "Grace Adeyemi, Designated Safeguarding Lead"
    assert not task.is_open and task.completed_by == dsl
    assert task.outcome == (
        "Hawthorn Academy, Leeds confirmed receipt of the CP file: Grace Adeyemi, Designated Safeguarding Lead, on "
        "Monday 9 March 2026."
    )
    assert lines(transfer.pupil, ChronologyKind.CP_FILE_RECEIPT_CONFIRMED) == [
        task.outcome + " Recorded by Helen Marsh (Designated Safeguarding Lead); the task to send the file is done."
    ]
    page = text(client.get(file_url(transfer.pupil)))
    assert "Receipt confirmed by Grace Adeyemi" in page


@pytest.mark.django_db
def test_a_file_sent_after_its_day_says_so(client, transfer):
    send(client, transfer, sent_on="2026-03-10")
    transfer.refresh_from_db()
    assert transfer.sent_on_time is False
    assert "after the day it was due (9 March 2026)" in lines(transfer.pupil, ChronologyKind.CP_FILE_SENT)[0]


@pytest.mark.django_db
def test_receipt_cannot_be_confirmed_before_the_file_is_sent(client, transfer):
    response = client.post(
        url(transfer.pupil, "transfer_receipt"),
        {
            "transfer": str(transfer.public_id),
            "receipt_confirmed_by": "Grace Adeyemi",
            "receipt_confirmed_on": "2026-03-05",
        },
    )
    assert response.status_code == 404  # not the transfer's next step
    assert FileTransfer.objects.get(pk=transfer.pk).receipt_confirmed_on is None


@pytest.mark.django_db
def test_an_overdue_transfer_heads_the_queue_like_any_overdue_action(client, transfer):
    """Due 9 March 2026 and not sent: it is on the queue's overdue list now."""
    assert transfer.action in selectors.overdue_actions(school=transfer.school)
    response = client.get(reverse("concerns:queue"))
    assert "Send the CP file to the next school" in text(response)


# --- Bad input: 400, and what was typed is kept ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sent_on", "message"),
    [
        ("2026-02-27", "This is before the child left (2 March 2026)."),
        ("2026-12-03", "This date is in the future."),  # tomorrow
        ("2026-02-31", "That is not a real date."),
    ],
)
def test_a_bad_sent_date_is_refused_and_the_typing_kept(client, transfer, sent_on, message):
    response = send(client, transfer, sent_on=sent_on, other_school="Kirkstall Brook School, Leeds")
    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert 'value="Kirkstall Brook School, Leeds"' in page and f'value="{sent_on}"' in page
    assert FileTransfer.objects.get(pk=transfer.pk).sent_on is None


@pytest.mark.django_db
def test_a_receipt_before_the_file_was_sent_is_refused(client, transfer):
    send(client, transfer, sent_on="2026-03-06")
    transfer.refresh_from_db()
    response = confirm(client, transfer, receipt_confirmed_on="2026-03-05", receipt_confirmed_by="Grace Adeyemi")
    assert response.status_code == 400
    page = text(response)
    assert "This is before the file was sent (6 March 2026)." in page and 'value="Grace Adeyemi"' in page
    transfer.action.refresh_from_db()
    assert transfer.action.is_open


@pytest.mark.django_db
def test_a_transfer_of_another_child_is_not_found(client, school, transfer):
    other = PupilFactory(school=school)
    response = client.post(
        url(other, "transfer_sent"),
        {
            "transfer": str(transfer.public_id),
            "other_school": "X School",
            "method": "tracked_post",
            "sent_on": "2026-03-03",
        },
    )
    assert response.status_code == 404
    assert client.post(url(transfer.pupil, "transfer_sent"), {"transfer": "not-a-uuid"}).status_code == 404


# --- Receiving a file (R58) -----------------------------------------------------------------------------------


def receive(client, pupil, **overrides):
    data = {
        "other_school": "Fernhill Primary School, Derby",
        "other_school_contact": "Owen Brightwater",
        "received_on": "2026-11-23",
        "method": "secure_email",
        **overrides,
    }
    return client.post(url(pupil, "transfer_in"), data)


@pytest.mark.django_db
def test_receiving_a_file_sets_the_confirm_task_and_a_chronology_line(client, school, dsl, deputy, senco, pupil):
    sign_in(client, dsl)
    assert receive(client, pupil).status_code == 302
    transfer = FileTransfer.objects.get(pupil=pupil)
    assert transfer.direction == TransferDirection.IN and transfer.due_on is None
    assert transfer.received_on == date(2026, 11, 23) and transfer.method == "secure_email"
    task = transfer.action
    assert task.kind == ActionKind.CONFIRM_CP_FILE_RECEIPT and task.pupil == pupil and task.owner == dsl
    assert task.due_at == datetime(2026, 12, 3, 17, 0, tzinfo=LONDON)  # the close of the next working day
    assert lines(pupil, ChronologyKind.CP_FILE_RECEIVED) == [
        "CP file received from Fernhill Primary School, Derby (Owen Brightwater) by secure email on Monday 23 "
        "November 2026. Recorded by Helen Marsh (Designated Safeguarding Lead), who is to confirm receipt to the "
        "sending school by the close of the next working day. The DSL, the deputies and the SENCo were told."
    ]
    # R58: told in the app, with no email (an email would have nothing it could say).
    assert set(transfer.told.all()) == {dsl, deputy, senco}
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_senco_sees_a_notice_with_the_childs_name_and_nothing_of_the_file(client, dsl, senco, teacher, pupil):
    sign_in(client, dsl)
    receive(client, pupil)
    sign_in(client, senco)
    page = text(client.get(reverse("concerns:my_concerns")))
    assert "Child protection files received" in page and "Esme Varga-Thornbury" in page
    assert "Fernhill" not in page and "Owen Brightwater" not in page
    sign_in(client, teacher)
    assert "Esme Varga-Thornbury" not in text(client.get(reverse("concerns:my_concerns")))


@pytest.mark.django_db
def test_confirming_receipt_to_the_sender_closes_the_task(client, dsl, pupil):
    sign_in(client, dsl)
    receive(client, pupil)
    transfer = FileTransfer.objects.get(pupil=pupil)
    complete = reverse("concerns:complete_action", kwargs={"action_id": transfer.action.public_id})
    response = client.post(complete, {"outcome": "Emailed them."}, follow=True)
    assert "the date you confirmed receipt to the sending school" in text(response)
    assert Action.objects.get(pk=transfer.action.pk).is_open

    response = client.post(
        url(pupil, "transfer_confirmed"), {"transfer": str(transfer.public_id), "confirmation_sent_on": "2026-11-24"}
    )
    assert response.status_code == 302
    task = Action.objects.get(pk=transfer.action.pk)
    assert not task.is_open
    assert (
        task.outcome
        == "Receipt of the CP file confirmed to Fernhill Primary School, Derby on Tuesday 24 November 2026."
    )
    assert lines(pupil, ChronologyKind.CP_FILE_RECEIPT_CONFIRMED) == [
        task.outcome + " Recorded by Helen Marsh (Designated Safeguarding Lead)."
    ]


@pytest.mark.django_db
def test_a_file_received_in_the_future_is_refused_and_the_typing_kept(client, dsl, pupil):
    sign_in(client, dsl)
    response = receive(client, pupil, received_on="2026-12-03", other_school="Brook Lane Junior School")
    assert response.status_code == 400
    page = text(response)
    assert "This date is in the future." in page and 'value="Brook Lane Junior School"' in page
    assert not FileTransfer.objects.exists() and not Action.objects.exists()


@pytest.mark.django_db
def test_a_confirmation_before_the_file_arrived_is_refused(client, dsl, pupil):
    sign_in(client, dsl)
    receive(client, pupil)
    transfer = FileTransfer.objects.get(pupil=pupil)
    response = client.post(
        url(pupil, "transfer_confirmed"), {"transfer": str(transfer.public_id), "confirmation_sent_on": "2026-11-20"}
    )
    assert response.status_code == 400
    assert "This is before the file was received (23 November 2026)." in text(response)


@pytest.mark.django_db
def test_a_missing_school_is_refused(client, dsl, pupil):
    sign_in(client, dsl)
    response = receive(client, pupil, other_school="")
    assert response.status_code == 400
    assert "Give the school the file came from." in text(response)


# --- Who may ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("record", ["transfer_in", "transfer_sent", "transfer_receipt", "transfer_confirmed"])
def test_a_teacher_cannot_post_the_forms(client, teacher, terms, with_file, dsl, record):
    event = PupilEvent.objects.create(
        school=with_file.school,
        pupil=with_file,
        kind="left",
        on=date(2026, 3, 2),
        details=DETAILS,
        recorded_by=dsl,
        recorded_by_name="Helen Marsh",
        recorded_by_role="DSL",
    )
    transfer = transfers.file_transfer_out_open(user=dsl, pupil=with_file, event=event)
    sign_in(client, teacher)
    data = {
        "transfer": str(transfer.public_id),
        "other_school": "X",
        "received_on": "2026-03-03",
        "method": "tracked_post",
        "sent_on": "2026-03-03",
    }
    assert client.post(url(with_file, record), data).status_code == 404
    assert FileTransfer.objects.count() == 1 and FileTransfer.objects.get().sent_on is None


@pytest.mark.django_db
def test_the_services_refuse_someone_who_cannot_open_the_file(teacher, transfer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        transfers.file_transfer_sent(
            user=teacher, transfer=transfer, sent_on=date(2026, 3, 3), method="tracked_post", other_school="X"
        )
    with pytest.raises(PermissionDenied):
        transfers.file_transfer_received(
            user=teacher,
            pupil=transfer.pupil,
            transfer=FileTransfer(other_school="X", received_on=date(2026, 3, 3), method="tracked_post"),
        )


# --- The file page's queries do not grow with transfers --------------------------------------------------------


@pytest.mark.django_db
def test_the_file_page_costs_the_same_with_one_transfer_or_many(client, dsl, pupil, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, dsl)
    receive(client, pupil)
    client.get(file_url(pupil))
    with CaptureQueriesContext(connection) as few:
        client.get(file_url(pupil))
    for day in range(2, 12):
        receive(client, pupil, received_on=f"2026-11-{day:02d}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(file_url(pupil)).status_code == 200
    assert len(many) == len(few)
