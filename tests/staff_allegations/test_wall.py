"""R61: the subject of a case is excluded from it whatever their role: they cannot find it, count it, open it,
read its audit trail or be told of it. Proved for every role that could otherwise reach adult cases."""

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse

from concerns.models import Unavailability
from safeguarding import access
from safeguarding.models import Role
from staff_allegations import selectors, services
from staff_allegations.models import CaseMember
from staff_allegations.tasks import send_case_email
from tests.concerns.helpers import jobs
from tests.conftest import sign_in

from .conftest import report

pytestmark = pytest.mark.django_db


def _assert_walled(client, case, subject):
    """Every way in is shut for the subject."""
    access.forget_grants(subject)
    assert not access.can_view_adult_case(subject, case)
    assert not access.can_manage_adult_case(subject, case)
    assert case not in selectors.visible_cases(subject)
    assert selectors.open_case_count(user=subject) == 0
    assert all(p.count == 0 or case not in p.cases for p in selectors.pattern_list_for_user(user=subject))
    sign_in(client, subject)
    assert client.get(reverse("staff_allegations:detail", args=[case.public_id])).status_code == 404
    for name in ("add_entry", "decide", "escalate", "close", "reopen", "share", "retention"):
        assert client.post(reverse(f"staff_allegations:{name}", args=[case.public_id]), {}).status_code == 404
    for task in case.tasks.all():
        response = client.post(reverse("staff_allegations:complete_task", args=[task.public_id]), {})
        assert response.status_code == 404
    if access.can_use_adult_register(subject, case.school):
        page = client.get(reverse("staff_allegations:list"))
        assert page.status_code == 200
        assert case.reference not in page.content.decode()
    # The navigation badge counts only the person's own visible cases.
    home = client.get("/", follow=True).content.decode()
    assert "Staff concerns" not in home or "badge" not in home.split("Staff concerns")[1][:80]
    # No email job addresses the subject.
    assert not [j for j in jobs(send_case_email) if j.args_kwargs["args"][1] == subject.pk]


@pytest.mark.parametrize("role", [Role.DSL, Role.DEPUTY_DSL, Role.SENIOR_LEADER, Role.TRUSTEE, Role.DPO, Role.STAFF])
def test_subject_in_any_role_cannot_reach_their_case(client, school, teacher, leadership, make_person, role):
    subject = leadership["dsl"] if role == Role.DSL else make_person(role, school=school, username=f"s-{role}")
    case = report(teacher, school, subject=subject, allegation=True)
    _assert_walled(client, case, subject)


def test_dsl_as_subject_cannot_reach_a_case_even_when_the_head_is_away(client, school, teacher, leadership):
    Unavailability.objects.create(user=leadership["head"], school=school)
    case = report(teacher, school, subject=leadership["dsl"], allegation=True)
    assert case.case_manager == leadership["chair"]
    _assert_walled(client, case, leadership["dsl"])


def test_head_as_subject_cannot_reach_their_case_and_the_chair_can(client, school, teacher, leadership):
    case = report(teacher, school, subject=leadership["head"], allegation=True)
    _assert_walled(client, case, leadership["head"])
    sign_in(client, leadership["chair"])
    assert client.get(reverse("staff_allegations:detail", args=[case.public_id])).status_code == 200


def test_chair_as_subject_cannot_reach_their_case(client, school, teacher, leadership):
    case = report(teacher, school, subject=leadership["chair"], allegation=True)
    assert case.case_manager == leadership["head"]
    _assert_walled(client, case, leadership["chair"])


def test_subject_cannot_be_added_and_a_later_membership_is_still_refused(school, teacher, leadership):
    case = report(teacher, school, subject=leadership["dsl"])
    with pytest.raises(Exception, match="cannot be added"):
        services.member_add(user=leadership["head"], case=case, person=leadership["dsl"])
    # Even a row written some other way (say, by a bug) grants the subject nothing.
    CaseMember.objects.create(case=case, user=leadership["dsl"], added_by=leadership["head"])
    assert not access.can_view_adult_case(leadership["dsl"], case)
    assert case not in selectors.visible_cases(leadership["dsl"])


def test_the_audit_log_hides_adult_cases_from_the_dsl_and_from_the_subject_dpo(
    client, school, teacher, leadership, make_person
):
    dpo = make_person(Role.DPO, school=school, username="dpo")
    about_dsl = report(teacher, school, subject=leadership["dsl"], allegation=True)
    about_dpo = report(teacher, school, subject=dpo, allegation=True)
    sign_in(client, leadership["head"])
    client.get(reverse("staff_allegations:detail", args=[about_dsl.public_id]))
    rows = LogEntry.objects.filter(additional_data__adult_case__in=[about_dsl.pk, about_dpo.pk])
    assert rows.exists()

    sign_in(client, leadership["dsl"])
    page = client.get(reverse("audit_log")).content.decode()
    assert about_dsl.reference not in page and about_dpo.reference not in page
    # The DPO reviews access to cases, but never the rows of a case about themselves.
    sign_in(client, dpo)
    page = client.get(reverse("audit_log")).content.decode()
    assert about_dsl.reference in page
    assert about_dpo.reference not in page


def test_emails_go_only_to_the_case_manager_with_no_details(school, teacher, colleague, leadership):
    case = report(teacher, school, subject=colleague, allegation=True)
    for job in jobs(send_case_email):
        send_case_email.call(*job.args_kwargs["args"])
    assert [m.to for m in mail.outbox] == [[leadership["head"].email]]
    body = mail.outbox[0].subject + mail.outbox[0].body
    for secret in ("Owen", "Blake", "corridor", "Year 7", "allegation", teacher.last_name):
        assert secret.lower() not in body.lower()
    assert str(case.public_id) in body


def test_an_email_job_for_the_subject_sends_nothing(school, teacher, leadership, settings):
    case = report(teacher, school, subject=leadership["dsl"], allegation=True)
    mail.outbox.clear()
    assert send_case_email.call(case.pk, leadership["dsl"].pk, "shared") == "not sent"
    assert mail.outbox == []


def test_a_whistleblowing_concern_naming_the_head_is_walled_from_the_head(client, school, teacher, leadership):
    """It has no subject account: the Head's role is what keeps them out, and the Chair cannot share it with them."""
    head, chair = leadership["head"], leadership["chair"]
    case = report(teacher, school, kind_hint="practice", names_head=True)
    assert case.subject_user is None and case.subject_is_head and case.case_manager == chair
    _assert_walled(client, case, head)
    with pytest.raises(Exception, match="cannot be added"):
        services.member_add(user=chair, case=case, person=head)
    sign_in(client, chair)
    page = client.get(reverse("staff_allegations:detail", args=[case.public_id])).content.decode()
    assert head.name_and_role not in page.split("Who can read this case")[1]


def test_escalating_a_conflict_of_interest_case_keeps_it_with_the_chair(school, teacher, colleague, leadership):
    case = report(teacher, school, subject=colleague, conflict_of_interest=True, conflict_details="My partner")
    assert case.case_manager == leadership["chair"]
    services.case_escalate(user=leadership["chair"], case=case, reason="Now meets the threshold.")
    case.refresh_from_db()
    assert case.case_manager == leadership["chair"]


def test_patterns_count_only_the_decision_makers_own_cases(school, teacher, colleague, leadership):
    """A low-level concern the Chair holds (conflict of interest) does not make a pattern the Head is told of."""
    from staff_allegations.models import TaskKind

    report(teacher, school, subject=colleague, conflict_of_interest=True, conflict_details="Friend")
    second = report(teacher, school, subject=colleague)
    assert second.case_manager == leadership["head"]
    assert not second.tasks.filter(kind=TaskKind.PATTERN_REVIEW).exists()
    assert not selectors.pattern_list_for_user(user=leadership["head"])
