"""Invitations and "Forgot your password?" (issue 13, item 2): a link by email, over a real SMTP conversation, that
works once and for a while; a form that tells nobody whether an address has an account; no child in any email."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks_db.models import DBTaskResult

from safeguarding import passwords
from safeguarding.calendar import LONDON
from safeguarding.models import Role
from safeguarding.tasks import PASSWORD_EMAIL_ATTEMPTS, send_password_email

from .factories import PupilFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 7, 7, 30, tzinfo=LONDON)  # a Monday, before school
PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "kettle on the staffroom windowsill"
LINK = re.compile(r"http://\S+/accounts/(?:password/new|invitation)/[^/\s]+/[^/\s]+/")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school, username="akelly", email="A.Kelly@westpark.example.invalid")


def queued():
    """The password emails waiting for the task worker, as (person, kind) pairs."""
    return [
        tuple(job.args_kwargs["args"][:2])
        for job in DBTaskResult.objects.filter(task_path=send_password_email.module_path)
    ]


def send_queued():
    """What the task worker does: run each queued password email once."""
    for job in DBTaskResult.objects.filter(task_path=send_password_email.module_path):
        send_password_email.call(*job.args_kwargs["args"])
        job.delete()


def ask_for_reset(client, address):
    return client.post(reverse("password_reset"), {"email": address})


def only_message_to(mail_server, address):
    messages = mail_server.mailbox.messages_to(address)
    assert len(messages) == 1
    return messages[0]


def link_in(message) -> str:
    found = LINK.search(message.get_content())
    assert found, "the email has no link"
    return found.group(0)


def choose(client, link, password=NEW_PASSWORD, again=None):
    """Opens the link as the browser does (Django swaps the token for a session key) and sends the new password."""
    page = client.get(link, follow=True)
    return client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"new_password1": password, "new_password2": again or password},
    )


def signs_in(client, username, password) -> bool:
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")
    return response.status_code == 302


def test_the_sign_in_page_offers_the_way_back_in(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page and "Forgot your password?" in page


def test_a_forgotten_password_is_reset_from_the_email_once(client, teacher, mail_server, school):
    PupilFactory(school=school, legal_first_name="Peregrine", legal_last_name="Oddie")
    response = ask_for_reset(client, "a.kelly@WESTPARK.example.invalid")  # the address in any case
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert queued() == [(teacher.pk, passwords.RESET)]
    send_queued()

    message = only_message_to(mail_server, teacher.email)
    body = message.get_content()
    assert message["Subject"] == f"Reset your password for {school.name}'s safeguarding records"
    assert "akelly" in body and "60 minutes" in body and "Peregrine" not in body and "Oddie" not in body
    link = link_in(message)

    done = choose(client, link)
    assert done.status_code == 302 and done.url == reverse("login")
    assert "Your new password is set" in client.get(done.url).content.decode()
    assert signs_in(client, "akelly", NEW_PASSWORD) and not signs_in(client, "akelly", PASSWORD)

    client.logout()
    again = client.get(link, follow=True).content.decode()
    assert "This link no longer works" in again and "Set my password" not in again


def test_the_form_says_the_same_whoever_is_asked_about(client, teacher, make_person, school):
    """No way to learn who has an account: a known address, an unknown one and a former member of staff's get the
    same answer and the same page; only the known, active one queues an email."""
    make_person(Role.STAFF, school=school, username="left", email="left@example.invalid", is_active=False)
    answers = []
    for address in (teacher.email, "nobody@example.invalid", "left@example.invalid"):
        response = ask_for_reset(client, address)
        answers.append((response.status_code, response.url))
        page = client.get(response.url).content.decode()
        assert "If that address belongs to an account here" in page
    assert len(set(answers)) == 1
    assert queued() == [(teacher.pk, passwords.RESET)]


def test_a_bad_address_is_explained_and_kept(client):
    response = ask_for_reset(client, "not an address")
    page = response.content.decode()
    assert response.status_code == 200 and "Enter a valid email address" in page
    assert 'value="not an address"' in page
    assert queued() == []


def test_one_email_in_five_minutes_however_often_the_form_is_sent(client, teacher, clock):
    for _ in range(3):
        ask_for_reset(client, teacher.email)
    assert queued() == [(teacher.pk, passwords.RESET)]
    clock.shift(timedelta(minutes=6))
    ask_for_reset(client, teacher.email)
    assert queued() == [(teacher.pk, passwords.RESET)] * 2


def test_the_job_holds_no_link_and_the_email_is_made_when_sent(client, teacher, mail_server):
    """A token sitting in the task table would be a key to the account: the job carries the person and the kind."""
    ask_for_reset(client, teacher.email)
    (job,) = DBTaskResult.objects.filter(task_path=send_password_email.module_path)
    assert job.args_kwargs == {"args": [teacher.pk, passwords.RESET, None], "kwargs": {}}


def test_a_reset_link_expires_after_an_hour(client, teacher, mail_server, clock):
    ask_for_reset(client, teacher.email)
    send_queued()
    link = link_in(only_message_to(mail_server, teacher.email))
    clock.shift(timedelta(minutes=61))
    page = client.get(link, follow=True).content.decode()
    assert "This link no longer works" in page
    assert signs_in(client, "akelly", PASSWORD)


def test_a_weak_password_is_refused_with_the_reason(client, teacher, mail_server):
    """NCSC advice through Django's validators: long enough, not a common one; the link still works afterwards."""
    ask_for_reset(client, teacher.email)
    send_queued()
    link = link_in(only_message_to(mail_server, teacher.email))
    short = choose(client, link, password="Derby2026")
    assert short.status_code == 200 and "at least 12 characters" in short.content.decode()
    common = client.post(short.request["PATH_INFO"], {"new_password1": "password1234", "new_password2": "password1234"})
    assert "too common" in common.content.decode()
    mismatch = client.post(short.request["PATH_INFO"], {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert "didn’t match" in mismatch.content.decode() or "didn't match" in mismatch.content.decode()
    assert signs_in(client, "akelly", PASSWORD)


def test_a_reset_lets_a_locked_out_person_in_again(client, teacher, mail_server, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        signs_in(client, "akelly", "wrong guess")
    assert AccessAttempt.objects.filter(username="akelly").exists()
    assert not signs_in(client, "akelly", PASSWORD)  # locked out

    ask_for_reset(client, teacher.email)
    send_queued()
    choose(client, link_in(only_message_to(mail_server, teacher.email)))
    assert not AccessAttempt.objects.filter(username="akelly").exists()
    assert signs_in(client, "akelly", NEW_PASSWORD)


def test_setting_a_password_never_skips_the_second_factor(client, school, make_person, mail_server):
    dsl = make_person(Role.DSL, school=school, username="lead", email="lead@example.invalid")
    ask_for_reset(client, dsl.email)
    send_queued()
    choose(client, link_in(only_message_to(mail_server, dsl.email)))
    assert "_auth_user_id" not in client.session  # nobody is signed in by setting a password
    client.post(reverse("login"), {"username": "lead", "password": NEW_PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert client.get(reverse("concerns:queue")).url.startswith(reverse("two_factor_verify"))


def test_a_refused_email_is_tried_again_later(teacher, mail_server):
    mail_server.mailbox.refuse = True
    assert send_password_email.call(teacher.pk, passwords.RESET, None) == "retry queued"
    (retry,) = DBTaskResult.objects.filter(task_path=send_password_email.module_path)
    assert retry.args_kwargs["args"] == [teacher.pk, passwords.RESET, None, 2] and retry.run_after > NOW
    assert send_password_email.call(teacher.pk, passwords.RESET, None, PASSWORD_EMAIL_ATTEMPTS) == "given up"


# Invitations


def test_an_invitation_sets_the_first_password(client, school, make_person, mail_server, clock):
    itadmin = make_person(Role.IT_ADMIN, school=school, first_name="Nadia", last_name="Brook")
    newcomer = make_person(Role.STAFF, school=school, username="jfinch", email="j.finch@example.invalid")
    passwords.invite(newcomer, invited_by=itadmin)
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()  # the link is the only way in
    assert not signs_in(client, "jfinch", PASSWORD)
    send_queued()

    message = only_message_to(mail_server, newcomer.email)
    body = message.get_content()
    assert message["Subject"] == f"Your account for {school.name}'s safeguarding records"
    assert "Your username is: jfinch" in body and "Nadia Brook added you" in body and "5 days" in body
    link = link_in(message)
    assert "/accounts/invitation/" in link

    clock.shift(timedelta(days=4, hours=23))  # a weekend and more later, still good
    page = client.get(link, follow=True).content.decode()
    assert "Welcome: choose your password" in page and "jfinch" in page
    done = choose(client, link)
    assert done.url == reverse("login")
    assert signs_in(client, "jfinch", NEW_PASSWORD)
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_an_invitation_expires_after_five_days(client, school, make_person, mail_server, clock):
    newcomer = make_person(Role.STAFF, school=school, username="jfinch", email="j.finch@example.invalid")
    passwords.invite(newcomer, invited_by=None)
    send_queued()
    link = link_in(only_message_to(mail_server, newcomer.email))
    clock.shift(timedelta(days=5, minutes=1))
    page = client.get(link, follow=True).content.decode()
    assert "This link no longer works" in page and "an invitation works for 5 days" in page


def test_an_expired_invitation_is_not_a_dead_end(client, school, make_person, mail_server):
    """An invited person has no usable password yet; "Forgot your password?" still reaches them."""
    newcomer = make_person(Role.STAFF, school=school, username="jfinch", email="j.finch@example.invalid")
    passwords.invite(newcomer, invited_by=None)
    DBTaskResult.objects.all().delete()
    ask_for_reset(client, newcomer.email)
    assert queued() == [(newcomer.pk, passwords.RESET)]


def test_an_invitation_link_is_not_a_reset_link_nor_the_other_way_round(client, teacher):
    uid = urlsafe_base64_encode(force_bytes(teacher.pk))
    invitation_token = passwords.invitation_tokens.make_token(teacher)
    reset_url = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": invitation_token})
    assert "This link no longer works" in client.get(reset_url, follow=True).content.decode()
    invitation_url = reverse(
        "invitation_accept", kwargs={"uidb64": uid, "token": default_token_generator.make_token(teacher)}
    )
    assert "This link no longer works" in client.get(invitation_url, follow=True).content.decode()


def test_no_email_for_a_person_without_an_address(school, make_person, mail_server):
    newcomer = make_person(Role.STAFF, school=school, username="noaddress", email="")
    passwords.invite(newcomer, invited_by=None)
    assert send_password_email.call(newcomer.pk, passwords.INVITATION, None) == "no active person with an address"
    assert mail_server.mailbox.envelopes == []
