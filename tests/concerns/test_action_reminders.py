"""remind_action_due: at its due time an open action is reminded to its owner, once, by an email that says nothing
about the child (R19, R39)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from concerns.models import ActionKind, LevelOfNeed
from concerns.services import actions, triage
from concerns.tasks import remind_action_due

from ..factories import PupilFactory, raise_concern
from .helpers import jobs

LONDON = ZoneInfo("Europe/London")
DUE = datetime(2025, 10, 15, 16, 0, tzinfo=LONDON)
ACCOUNT = "Marmaduke said his stepfather Crowhurst locked him in the shed overnight and showed bruising on his wrist."
ACCOUNT_WORDS = ("Marmaduke", "Crowhurst", "stepfather", "shed", "overnight", "bruising", "wrist")


@pytest.fixture(autouse=True)
def clock():
    """The actions are set on the morning of DUE, a Wednesday in term; `clock(moment)` moves the clock (time-machine
    gives timezone.now() in UTC, as the real clock does)."""
    with time_machine.travel(datetime(2025, 10, 15, 9, 0, tzinfo=LONDON), tick=False) as traveller:
        yield traveller.move_to


@pytest.fixture
def pupil(school):
    return PupilFactory(
        school=school,
        legal_first_name="Marmaduke",
        legal_last_name="Crowhurst-Ellery",
        preferred_first_name="Duke",
    )


@pytest.fixture
def concern(school, teacher, pupil):
    return raise_concern(
        author=teacher,
        school=school,
        subject=pupil,
        account=ACCOUNT,
        location="Behind the sports hall",
        category_codes=["fgm"],
    )


@pytest.fixture
def dsl_action(concern, dsl):
    """Pastoral support the DSL owns, due at 16:00 on a Wednesday."""
    return actions.action_add(user=dsl, concern=concern, kind=ActionKind.PASTORAL_SUPPORT, due_at=DUE)


@pytest.fixture
def teacher_action(concern, dsl):
    """The FGM report the teacher who recorded the concern must make (R32)."""
    triage.concern_triage(
        user=dsl,
        concern=concern,
        data=triage.TriageInput(
            level=LevelOfNeed.objects.get(code="level_4"), rationale="Disclosed FGM.", known_fgm=True
        ),
        expected_version=concern.version,
    )
    return concern.actions.get(kind=ActionKind.FGM_REPORT)


def sent_text(message) -> str:
    return f"{message.subject}\n{message.body}"


@pytest.mark.django_db
def test_a_due_action_is_reminded_to_its_owner_by_one_email(dsl_action, dsl, clock):
    """Just after the due time, the owner gets one reminder email, and the action records when."""
    mail.outbox.clear()
    clock(DUE + timedelta(minutes=1))
    assert remind_action_due.call(dsl_action.pk) == "reminded"
    [message] = mail.outbox
    assert message.to == [dsl.email]
    assert message.subject == "Safeguarding action due"
    dsl_action.refresh_from_db()
    assert dsl_action.reminded_at == DUE + timedelta(minutes=1)


@pytest.mark.django_db
def test_the_reminder_says_nothing_about_the_child_or_the_concern(dsl_action, pupil, clock):
    """Neither subject nor body holds the child's names, the account's words, the place or the action itself."""
    mail.outbox.clear()
    clock(DUE + timedelta(minutes=1))
    remind_action_due.call(dsl_action.pk)
    [message] = mail.outbox
    text = sent_text(message)
    for word in (pupil.legal_first_name, pupil.legal_last_name, pupil.preferred_first_name, pupil.upn):
        assert word not in text
    for word in ACCOUNT_WORDS:
        assert word.lower() not in text.lower()
    assert "sports hall" not in text
    assert "FGM" not in text and "Pastoral" not in text


@pytest.mark.django_db
def test_a_dsl_owner_is_sent_a_link_to_the_concern(dsl_action, concern, clock):
    """The DSL may open the concern, so the link goes straight to it."""
    mail.outbox.clear()
    clock(DUE + timedelta(minutes=1))
    remind_action_due.call(dsl_action.pk)
    [message] = mail.outbox
    link = settings.SITE_URL + reverse("concerns:detail", kwargs={"public_id": concern.public_id})
    assert link in message.body


@pytest.mark.django_db
def test_a_teacher_owner_is_sent_a_link_to_my_concerns_not_to_the_concern(teacher_action, teacher, concern, clock):
    """A teacher cannot open the concern page, so their reminder links to their own list, where the task is."""
    mail.outbox.clear()
    clock(teacher_action.due_at + timedelta(minutes=1))
    assert remind_action_due.call(teacher_action.pk) == "reminded"
    [message] = mail.outbox
    assert message.to == [teacher.email]
    assert settings.SITE_URL + reverse("concerns:my_concerns") in message.body
    assert reverse("concerns:my_concerns") == "/my-concerns/"
    assert str(concern.public_id) not in message.body


@pytest.mark.django_db
def test_a_second_call_sends_nothing(dsl_action, clock):
    """Reminded once: the job run again (a duplicate, a retry) sends no second email."""
    mail.outbox.clear()
    clock(DUE + timedelta(minutes=1))
    remind_action_due.call(dsl_action.pk)
    clock(DUE + timedelta(hours=3))
    assert remind_action_due.call(dsl_action.pk) == "nothing to remind"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_done_action_is_not_reminded(dsl_action, dsl, clock):
    """An action marked done before its due time gets no reminder."""
    actions.action_complete(user=dsl, action=dsl_action, outcome="Met the pupil with their form tutor.")
    mail.outbox.clear()
    clock(DUE + timedelta(minutes=1))
    assert remind_action_due.call(dsl_action.pk) == "nothing to remind"
    assert mail.outbox == []
    dsl_action.refresh_from_db()
    assert dsl_action.reminded_at is None


@pytest.mark.django_db
def test_a_reminder_run_early_sends_nothing_and_waits_for_the_due_time(dsl_action, clock):
    """Run before the due time (a worker clock ahead, or a job picked early), it sends nothing and queues itself
    again for the due time."""
    queued = jobs(remind_action_due, dsl_action.pk)
    mail.outbox.clear()
    clock(DUE - timedelta(hours=1))
    assert remind_action_due.call(dsl_action.pk) == "not due yet"
    assert mail.outbox == []
    dsl_action.refresh_from_db()
    assert dsl_action.reminded_at is None
    again = [job for job in jobs(remind_action_due, dsl_action.pk) if job not in queued]
    assert [job.run_after for job in again] == [DUE]
