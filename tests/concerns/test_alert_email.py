"""send_alert_email over a real SMTP conversation: retried until the server takes it, sent once, and never
saying anything about the child (R19)."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from concerns import categories
from concerns.models import Alert, AlertReason, Concern
from concerns.services import alerting
from concerns.tasks import send_alert_email
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..factories import PupilFactory, raise_concern

ACCOUNT = (
    "Marmaduke whispered that his stepfather Crowhurst locked him outside overnight because of missing "
    "homework, and showed purple bruising along his wrist."
)
CATEGORY = "physical_abuse"

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term, in school hours


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dsl(school, make_person):
    return make_person(Role.DSL, school=school, username="dsl", email="dsl.westpark@example.invalid")


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school, username="teacher")


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_first_name="Zephyrine", legal_last_name="Oakenshaw")


def raise_about(pupil, *, author, **overrides) -> Concern:
    return raise_concern(
        author=author, school=pupil.school, subject=pupil, account=ACCOUNT, category_codes=[CATEGORY], **overrides
    )


def retry_jobs(alert) -> list[DBTaskResult]:
    """Send jobs for `alert` queued to run later (a retry), as opposed to the first job queued to run at once."""
    jobs = DBTaskResult.objects.filter(task_path=send_alert_email.module_path)
    now = timezone.now()
    return [
        job for job in jobs if job.args_kwargs["args"] == [alert.pk] and now < job.run_after < now + timedelta(days=1)
    ]


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def assert_says_nothing_about_the_child(subject: str, body: str, pupil) -> None:
    text = f"{subject}\n{body}".lower()
    for name in (pupil.legal_first_name, pupil.legal_last_name):
        assert name.lower() not in text
    for word in {word for word in re.findall(r"[A-Za-z]+", ACCOUNT) if len(word) > 4}:
        assert word.lower() not in text, word
    assert categories.label(CATEGORY).lower() not in text


@pytest.mark.django_db
def test_a_refused_email_is_retried_later_then_sent_once(mail_server, dsl, teacher, pupil):
    """A server's "try again later" queues a retry; the next attempt sends it; a third sends nothing more."""
    concern = raise_about(pupil, author=teacher)
    alert = Alert.objects.get(concern=concern, recipient=dsl)

    mail_server.mailbox.refuse = True
    assert send_alert_email.call(alert.pk) == "retry queued"
    alert.refresh_from_db()
    assert alert.emailed_at is None
    assert alert.email_attempts == 1
    assert len(retry_jobs(alert)) == 1
    assert mail_server.mailbox.messages_to(dsl.email) == []

    mail_server.mailbox.refuse = False
    assert send_alert_email.call(alert.pk) == "sent"
    alert.refresh_from_db()
    assert alert.emailed_at is not None
    assert alert.email_attempts == 2
    assert len(mail_server.mailbox.messages_to(dsl.email)) == 1

    assert send_alert_email.call(alert.pk) == "already sent"
    assert len(mail_server.mailbox.messages_to(dsl.email)) == 1
    assert len(mail_server.mailbox.envelopes) == 1


@pytest.mark.django_db
def test_the_email_is_a_link_to_the_concern_for_its_recipient_only(mail_server, dsl, teacher, pupil):
    """The email goes to the alert's recipient and links to the concern's page on the site."""
    concern = raise_about(pupil, author=teacher)
    alert = Alert.objects.get(concern=concern, recipient=dsl)

    assert send_alert_email.call(alert.pk) == "sent"

    [envelope] = mail_server.mailbox.envelopes
    assert envelope.rcpt_tos == [dsl.email]
    [message] = mail_server.mailbox.messages_to(dsl.email)
    assert message["To"] == dsl.email
    assert f"{django_settings.SITE_URL}/concerns/{concern.public_id}/" in body_of(message)


@pytest.mark.django_db
def test_an_alert_email_never_names_the_child_or_says_what_happened(mail_server, dsl, teacher, pupil):
    """Neither the subject nor the body holds the child's name, the account's words or the category."""
    concern = raise_about(pupil, author=teacher)
    alert = Alert.objects.get(concern=concern, recipient=dsl)

    send_alert_email.call(alert.pk)

    [message] = mail_server.mailbox.messages_to(dsl.email)
    assert_says_nothing_about_the_child(message["Subject"], body_of(message), pupil)
    assert not message["Subject"].startswith("URGENT")


@pytest.mark.django_db
def test_an_immediate_concerns_email_is_marked_urgent_and_still_names_nobody(mail_server, dsl, teacher, pupil):
    """An Immediate concern's email subject starts "URGENT", with no more detail than any other."""
    concern = raise_about(pupil, author=teacher, is_immediate=True)
    alert = Alert.objects.get(concern=concern, recipient=dsl)

    send_alert_email.call(alert.pk)

    [message] = mail_server.mailbox.messages_to(dsl.email)
    assert message["Subject"].startswith("URGENT")
    assert_says_nothing_about_the_child(message["Subject"], body_of(message), pupil)


@pytest.mark.django_db
def test_an_escalation_email_names_nobody_either(mail_server, school, dsl, teacher, pupil, make_person):
    """The email telling the Head of an unacknowledged concern holds no more than the DSL's does."""
    head = make_person(Role.HEADTEACHER, school=school, username="head", email="head.westpark@example.invalid")
    concern = raise_about(pupil, author=teacher)
    alerting.concern_escalate_if_unacknowledged(
        concern_id=concern.pk, now=concern.escalation_due_at + timedelta(minutes=1)
    )
    alert = Alert.objects.get(concern=concern, recipient=head, reason=AlertReason.ESCALATED)

    assert send_alert_email.call(alert.pk) == "sent"

    [message] = mail_server.mailbox.messages_to(head.email)
    body = body_of(message)
    assert f"{django_settings.SITE_URL}/concerns/{concern.public_id}/" in body
    assert_says_nothing_about_the_child(message["Subject"], body, pupil)


@pytest.mark.django_db
def test_with_the_mail_server_down_the_concern_is_saved_and_the_email_retried(mail_server, dsl, teacher, pupil):
    """A mail server that refuses connections loses nothing: the concern stands and the email is queued again."""
    mail_server.stop()

    concern = raise_about(pupil, author=teacher)
    alert = Alert.objects.get(concern=concern, recipient=dsl)
    result = send_alert_email.call(alert.pk)

    assert result == "retry queued"
    assert Concern.objects.filter(pk=concern.pk).exists()
    alert.refresh_from_db()
    assert alert.emailed_at is None
    assert alert.email_attempts == 1
    assert len(retry_jobs(alert)) == 1
