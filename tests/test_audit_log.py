"""The audit log: every model registered, narrative masked whole, entries scoped per school, append-only."""

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.audit import log_access, redact
from safeguarding.models import Membership, Role, User

from .factories import ContactFactory

PROJECT_APPS = {"safeguarding", "contacts", "concerns", "staff_allegations"}


def test_every_project_model_is_in_the_audit_registry():
    """A model added to any project app without audit logging fails the suite."""
    project_models = [m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in PROJECT_APPS]
    assert project_models, "no project models found"
    missing = [m._meta.label for m in project_models if not auditlog.contains(m)]
    assert missing == []


def test_user_and_membership_are_audited():
    """People and their roles are in the audit registry."""
    assert auditlog.contains(User) and auditlog.contains(Membership)


@pytest.mark.django_db
def test_a_password_reset_shows_in_the_school_log_without_the_hash(school, make_person, signed_in):
    """The DSL sees that someone's password was changed, and never the hash itself."""
    teacher = make_person(Role.STAFF, school=school, last_name="Whitmore")
    teacher.set_password("a-brand-new-password-123")
    teacher.save()
    entry = LogEntry.objects.get_for_object(teacher).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.changes_dict["password"] == ["[redacted]", "[redacted]"]
    assert teacher.password not in str(entry.changes)
    page = signed_in(make_person(Role.DSL, school=school)).get(reverse("audit_log"), {"q": "Whitmore"})
    assert "[redacted]" in page.content.decode()


def test_sessions_and_task_queue_are_not_audited():
    """Session rows and the task queue would flood the log with noise and hold session keys."""
    from django.contrib.sessions.models import Session
    from django_tasks_db.models import DBTaskResult

    assert not auditlog.contains(Session)
    assert not auditlog.contains(DBTaskResult)


def test_masking_redacts_the_whole_value():
    """A masked narrative field shows nothing of its text (auditlog's default would keep half)."""
    assert redact("Sensitive words about a child") == "[redacted]"


@pytest.mark.django_db
def test_log_entries_cannot_be_changed_or_deleted(school):
    """The log is append-only."""
    contact = ContactFactory(school=school)
    entry = LogEntry.objects.get_for_object(contact).first()
    entry.object_repr = "rewritten"
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.save()
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.delete()
    assert LogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_an_access_is_logged_with_the_school(school):
    """A read logged by log_access lands in the school's log as an access."""
    contact = ContactFactory(school=school)
    log_access(contact)
    entry = LogEntry.objects.get_for_object(contact).filter(action=LogEntry.Action.ACCESS).get()
    assert entry.additional_data == {"school": school.pk}


@pytest.mark.django_db
def test_dsl_sees_their_school_changes_and_not_another_school(school, other_school, make_person, signed_in):
    """The audit page lists who changed what at the DSL's own school only."""
    dsl = make_person(Role.DSL, school=school, first_name="Helen", last_name="Marsh")
    client = signed_in(dsl)
    client.post(
        reverse("contacts:create"),
        {"area": "derby", "role": "Family Hub drop-in", "phone": "01332 111111", "sort_order": 0},
    )
    ContactFactory(school=other_school, role="Riverside only service")
    page = client.get(reverse("audit_log")).content.decode()
    assert "Family Hub drop-in" in page
    assert "Helen Marsh" in page
    assert "Riverside only service" not in page


@pytest.mark.django_db
def test_audit_search_filters_by_person_and_action(school, make_person, signed_in):
    """Searching by record name and by action narrows the list."""
    dpo = make_person(Role.DPO, school=school)
    ContactFactory(school=school, role="Alpha service")
    beta = ContactFactory(school=school, role="Beta service")
    log_access(beta)
    client = signed_in(dpo)
    page = client.get(reverse("audit_log"), {"q": "Beta"}).content.decode()
    assert "Beta service" in page and "Alpha service" not in page
    page = client.get(reverse("audit_log"), {"action": LogEntry.Action.ACCESS}).content.decode()
    assert "Beta service" in page and "Alpha service" not in page


@pytest.mark.django_db
def test_audit_search_reports_bad_dates(school, make_person, signed_in):
    """An end date before the start date is explained, and the typed dates stay in the form."""
    client = signed_in(make_person(Role.DSL, school=school))
    page = client.get(reverse("audit_log"), {"date_from": "2026-11-20", "date_to": "2026-11-01"}).content.decode()
    assert "The end date is before the start date." in page
    assert 'value="2026-11-20"' in page and 'value="2026-11-01"' in page


@pytest.mark.django_db
def test_audit_page_queries_do_not_grow_with_entries(school, make_person, signed_in):
    """The page costs the same number of queries for 5 entries as for 40."""
    client = signed_in(make_person(Role.DSL, school=school))
    ContactFactory.create_batch(5, school=school)
    client.get(reverse("audit_log"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("audit_log"))
    ContactFactory.create_batch(35, school=school)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("audit_log"))
    assert len(many) == len(few)
