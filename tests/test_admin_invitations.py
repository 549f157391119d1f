"""Adding a person one at a time in the admin: no password typed or handed over, an invitation instead, and the
invitation sent again for someone who never signed in (issue 13, item 2)."""

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from safeguarding import passwords
from safeguarding.calendar import LONDON
from safeguarding.models import Role, User
from safeguarding.tasks import send_password_email

pytestmark = pytest.mark.django_db

SIGNED_IN_ONCE = datetime(2026, 9, 3, 8, 15, tzinfo=LONDON)  # the first day of term


@pytest.fixture
def itadmin(school, make_person):
    return make_person(Role.IT_ADMIN, school=school, username="itadmin", first_name="Nadia", last_name="Brook")


def invitations():
    return [
        tuple(job.args_kwargs["args"][:3])
        for job in DBTaskResult.objects.filter(task_path=send_password_email.module_path)
        if job.args_kwargs["args"][1] == passwords.INVITATION
    ]


def test_a_person_added_without_a_password_is_invited(itadmin, signed_in):
    client = signed_in(itadmin)
    form = client.get(reverse("admin:safeguarding_user_add")).content.decode()
    assert re.search(r'<input type="radio" name="usable_password" value="false"[^>]* checked>', form)
    response = client.post(
        reverse("admin:safeguarding_user_add"),
        {
            "username": "jfinch",
            "first_name": "Jo",
            "last_name": "Finch",
            "job_title": "Teacher of History",
            "email": "j.finch@example.invalid",
            "usable_password": "false",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-school": str(itadmin.memberships.get().school_id),
            "memberships-0-role": Role.STAFF,
        },
        follow=True,
    )
    assert "An invitation to choose a password is on its way to j.finch@example.invalid." in response.content.decode()
    newcomer = User.objects.get(username="jfinch")
    assert not newcomer.has_usable_password()
    assert invitations() == [(newcomer.pk, passwords.INVITATION, itadmin.pk)]


def test_the_invitation_is_sent_again_only_to_people_who_never_signed_in(itadmin, signed_in, school, make_person):
    waiting = make_person(Role.STAFF, school=school, username="waiting", first_name="Wyn", last_name="Ash")
    settled = make_person(Role.STAFF, school=school, username="settled", first_name="Sol", last_name="Birch")
    User.objects.filter(pk=settled.pk).update(last_login=SIGNED_IN_ONCE)
    client = signed_in(itadmin)
    response = client.post(
        reverse("admin:safeguarding_user_changelist"),
        {"action": "send_invitation", "_selected_action": [waiting.pk, settled.pk, itadmin.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Invitation sent to Wyn Ash." in page
    assert "No invitation for" in page and "Sol Birch" in page and "Nadia Brook" in page
    assert invitations() == [(waiting.pk, passwords.INVITATION, itadmin.pk)]
    settled.refresh_from_db()
    assert settled.has_usable_password()  # an account in use keeps its password
