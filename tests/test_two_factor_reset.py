"""The IT administrator's reset of someone's second factor (issue 13, item 4): devices gone, logged, emailed."""

import smtplib
from datetime import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from safeguarding import two_factor
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from .conftest import TOTP_KEY_HEX, sign_in
from .factories import PupilFactory, raise_concern

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning
PASSWORD = "correct-horse-battery"  # the factories' password


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def itadmin(school, make_person):
    return make_person(Role.IT_ADMIN, school=school, first_name="Chris", last_name="Lowe")


@pytest.fixture
def lead(school, make_person):
    """A DSL with an authenticator app and a set of backup codes."""
    person = make_person(Role.DSL, school=school, username="lead", first_name="Helen", last_name="Marsh")
    TOTPDevice.objects.create(user=person, name="Phone", key=TOTP_KEY_HEX, confirmed=True)
    two_factor.backup_codes_make(user=person)
    return person


def reset_jobs() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=two_factor.send_two_factor_reset_email.module_path))


def run_reset_emails() -> list[str]:
    """Runs the queued reset emails as the task worker would."""
    return [job.task.call(*job.args_kwargs["args"]) for job in reset_jobs()]


def reset_action(client, *people, confirm=True):
    data = {"action": "reset_two_factor", helpers.ACTION_CHECKBOX_NAME: [person.pk for person in people]}
    if confirm:
        data["post"] = "yes"
    return client.post(reverse("admin:safeguarding_user_changelist"), data)


def has_devices(person) -> bool:
    return TOTPDevice.objects.filter(user=person).exists() or StaticDevice.objects.filter(user=person).exists()


@pytest.mark.django_db
def test_the_reset_asks_first_then_deletes_the_app_and_backup_codes(itadmin, lead, signed_in):
    """The action on People shows who is about to be reset; only the confirmation deletes both devices."""
    client = signed_in(itadmin)
    page = reset_action(client, lead, confirm=False)
    assert page.status_code == 200
    assert "Reset two-factor sign-in for" in page.content.decode() and "Helen Marsh" in page.content.decode()
    assert has_devices(lead) and reset_jobs() == []

    done = reset_action(client, lead)
    assert done.status_code == 302
    assert not has_devices(lead) and not StaticToken.objects.filter(device__user=lead).exists()
    assert "Two-factor sign-in reset for Helen Marsh" in client.get(done.url).content.decode()


def admin_client(itadmin):
    """A second browser, the administrator's, beside the test's own `client`."""
    return sign_in(Client(), itadmin)


@pytest.mark.django_db
def test_after_a_reset_the_person_links_a_new_app(itadmin, lead, signed_in):
    """A reset ends the old second factor at once: the person's next page is the set-up, after their password."""
    theirs = signed_in(lead)
    assert theirs.get(reverse("audit_log")).status_code == 200
    reset_action(admin_client(itadmin), lead)
    assert theirs.get(reverse("audit_log")).url.startswith(reverse("two_factor_setup"))
    fresh = Client()
    fresh.post(reverse("login"), {"username": "lead", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert fresh.get(reverse("home")).url.startswith(reverse("two_factor_setup"))


@pytest.mark.django_db
def test_the_reset_is_in_the_schools_audit_log_with_who_did_it(school, itadmin, lead, signed_in, make_person):
    """Each deleted device and the reset itself are logged against the person's school, by the administrator."""
    reset_action(signed_in(itadmin), lead)
    deleted = LogEntry.objects.filter(action=LogEntry.Action.DELETE, actor=itadmin)
    kinds = {entry.content_type.model for entry in deleted}
    assert {"totpdevice", "staticdevice", "statictoken"} <= kinds
    assert all(entry.additional_data == {"school": school.pk} for entry in deleted)
    assert deleted.filter(content_type__model="totpdevice", object_repr="Phone (Helen Marsh)").exists()
    reset = LogEntry.objects.get_for_object(lead).get(action=LogEntry.Action.UPDATE, actor=itadmin)
    assert reset.changes_dict == {"two-factor sign-in": ["set up", "reset by the IT administrator"]}

    page = admin_client(make_person(Role.DSL, school=school)).get(reverse("audit_log")).content.decode()
    assert "Phone (Helen Marsh)" in page and "two-factor sign-in" in page and "Chris Lowe" in page


@pytest.mark.django_db
def test_the_person_is_emailed_when_and_by_whom_and_what_to_do(school, itadmin, lead, signed_in, mailoutbox):
    """The email says it was reset, by whom and when, and to get in touch at once if they did not ask; it names no
    child and no case."""
    pupil = PupilFactory(school=school, legal_first_name="Marmaduke", legal_last_name="Crowhurst")
    raise_concern(author=lead, school=school, subject=pupil)
    reset_action(signed_in(itadmin), lead)
    assert run_reset_emails() == ["sent"]
    [message] = mailoutbox
    assert message.to == [lead.email]
    assert message.subject == "Your two-factor sign-in was reset"
    assert "reset by Chris Lowe (IT administration) on Wednesday 2 December 2026 at 10:30" in message.body
    at_once = "If you did not ask for this, contact your IT administrator or your Designated Safeguarding Lead at once"
    assert at_once in message.body
    assert "West Park School" in message.body
    for secret in ("Marmaduke", "Crowhurst", "concern"):
        assert secret not in message.body and secret not in message.subject


@pytest.mark.django_db
def test_an_email_the_server_refuses_is_tried_again(itadmin, lead, monkeypatch):
    """A mail server that is down does not lose the email: the job queues itself again."""

    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("down")

    two_factor.two_factor_reset(user=itadmin, person=lead)
    monkeypatch.setattr(two_factor.EmailMessage, "send", refuse)
    assert run_reset_emails() == ["retry queued"]
    assert len(reset_jobs()) == 2


@pytest.mark.django_db
def test_the_it_administrator_cannot_reset_their_own(itadmin, lead, signed_in):
    """As with their own roles, an administrator's own second factor is reset by another administrator."""
    client = signed_in(itadmin)
    refused = reset_action(client, itadmin, lead)
    assert "You cannot reset your own two-factor sign-in" in client.get(refused.url).content.decode()
    assert has_devices(itadmin) and has_devices(lead) and reset_jobs() == []
    own = TOTPDevice.objects.get(user=itadmin)
    assert client.get(reverse("admin:otp_totp_totpdevice_delete", args=[own.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        two_factor.two_factor_reset(user=itadmin, person=itadmin)


@pytest.mark.django_db
def test_nobody_but_the_it_administrator_resets_and_never_a_superusers(school, itadmin, lead, make_person):
    """The DSL cannot reset anyone; the IT administrator cannot reset a superuser's (it would open their account)."""
    root = make_person(school=school, username="root", is_superuser=True)
    with pytest.raises(PermissionDenied):
        two_factor.two_factor_reset(user=lead, person=itadmin)
    with pytest.raises(PermissionDenied):
        two_factor.two_factor_reset(user=itadmin, person=root)
    assert reset_jobs() == []


@pytest.mark.django_db
def test_deleting_a_device_in_the_device_list_is_a_reset_too(itadmin, lead, signed_in):
    """The older path, deleting the TOTP device, also removes the backup codes, and logs and emails the reset."""
    client = signed_in(itadmin)
    device = TOTPDevice.objects.get(user=lead)
    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not has_devices(lead)
    assert len(reset_jobs()) == 1
    assert LogEntry.objects.get_for_object(lead).filter(action=LogEntry.Action.UPDATE, actor=itadmin).exists()
