"""The audit log: every model registered, narrative masked whole, entries scoped per school, append-only."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.audit import log_access, redact
from safeguarding.models import Membership, Role, User

from .conftest import sign_in
from .factories import ContactFactory, MembershipFactory, PupilFactory

LONDON = ZoneInfo("Europe/London")

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
    page = signed_in(make_person(Role.DSL, school=school)).post(reverse("audit_log"), {"q": "Whitmore"})
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
    page = client.post(reverse("audit_log"), {"q": "Beta"}).content.decode()
    assert "Beta service" in page and "Alpha service" not in page
    page = client.post(reverse("audit_log"), {"action": LogEntry.Action.ACCESS}).content.decode()
    assert "Beta service" in page and "Alpha service" not in page


@pytest.mark.django_db
def test_audit_search_by_dates(school, make_person, signed_in):
    """The date filters keep the entries from the first day to the last, both included, in the school's time."""
    with time_machine.travel(datetime(2026, 11, 2, 9, 0, tzinfo=LONDON), tick=False):
        ContactFactory(school=school, role="Before the range")
    with time_machine.travel(datetime(2026, 11, 3, 0, 30, tzinfo=LONDON), tick=False):
        ContactFactory(school=school, role="First day of the range")
    with time_machine.travel(datetime(2026, 11, 5, 23, 30, tzinfo=LONDON), tick=False):
        ContactFactory(school=school, role="Last day of the range")
    with time_machine.travel(datetime(2026, 11, 6, 8, 0, tzinfo=LONDON), tick=False):
        ContactFactory(school=school, role="After the range")
        client = signed_in(make_person(Role.DSL, school=school))
        page = client.post(reverse("audit_log"), {"date_from": "2026-11-03", "date_to": "05/11/2026"})
    html = page.content.decode()
    assert "First day of the range" in html and "Last day of the range" in html
    assert "Before the range" not in html and "After the range" not in html
    assert "2 entries match this search." in html


@pytest.mark.django_db
def test_audit_search_reports_bad_dates(school, make_person, signed_in):
    """An end date before the start date is explained, the typed dates stay in the form, and nothing is listed."""
    ContactFactory(school=school, role="Alpha service")
    client = signed_in(make_person(Role.DSL, school=school))
    response = client.post(reverse("audit_log"), {"date_from": "2026-11-20", "date_to": "2026-11-01"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "The end date is before the start date." in page
    assert 'value="2026-11-20"' in page and 'value="2026-11-01"' in page
    assert "Nothing is listed until the search is corrected." in page and "Alpha service" not in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("q", "x" * 101, "Search for at most 100 characters."),
        ("action", "99", "Choose what happened from the list."),
        ("date_from", "yesterday", "Enter a date, for example 20/11/2026."),
        ("school", "not-a-school", "Choose one of the schools whose audit log you can read."),
        ("page", "two", "The page number must be a whole number."),
        ("page", "0", "Pages are numbered from 1."),
    ],
)
@pytest.mark.django_db
def test_every_bad_search_is_answered_clearly(school, make_person, signed_in, field, value, message):
    """A bad value (typed, or a form tampered with) is refused with a plain reason, and nothing is listed."""
    ContactFactory(school=school, role="Alpha service")
    response = signed_in(make_person(Role.DPO, school=school)).post(reverse("audit_log"), {field: value})
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert "Nothing is listed until the search is corrected." in page and "Alpha service" not in page


@pytest.mark.django_db
def test_words_to_search_for_are_never_read_from_the_address(school, make_person, signed_in):
    """No link in the app puts words to search for in the address; words typed or bookmarked there are not used.
    The reader is sent on without them (so the name leaves the address bar), the filters that name nobody kept, with
    a note saying why."""
    ContactFactory(school=school, role="Alpha service")
    ContactFactory(school=school, role="Beta service")
    client = signed_in(make_person(Role.DPO, school=school))
    response = client.get(reverse("audit_log"), {"q": "Beta", "date_from": "2020-01-01"})
    assert response.status_code == 302 and response.url == reverse("audit_log") + "?date_from=2020-01-01"
    page = client.get(response.url).content.decode()
    assert "Alpha service" in page and "Beta service" in page
    assert "no longer takes words to search for from its address" in page
    assert 'value="Beta"' not in page and 'value="2020-01-01"' in page
    bare = client.get(reverse("audit_log"), {"q": "Beta"})
    assert bare.status_code == 302 and bare.url == reverse("audit_log")


@pytest.mark.django_db
def test_the_filters_that_name_nobody_still_work_in_a_link(school, make_person, signed_in):
    """A link may still open the accesses alone, or a page of them: the kind of event names nobody."""
    ContactFactory(school=school, role="Alpha service")
    log_access(ContactFactory(school=school, role="Beta service"))
    client = signed_in(make_person(Role.DSL, school=school))
    page = client.get(reverse("audit_log"), {"action": LogEntry.Action.ACCESS}).content.decode()
    assert "Beta service" in page and "Alpha service" not in page
    assert client.get(reverse("audit_log"), {"action": "99"}).status_code == 400


@pytest.mark.django_db
def test_paging_posts_the_search_again_and_no_link_carries_it(school, make_person, signed_in):
    """A search longer than a page pages by posting the same search; no link or GET form in the page holds it."""
    pupil = PupilFactory(school=school, legal_first_name="Zebedee", legal_last_name="Quartermaine")
    for _ in range(54):
        log_access(pupil)
    ContactFactory(school=school, role="Alpha service")
    client = signed_in(make_person(Role.DPO, school=school))
    first = client.post(reverse("audit_log"), {"q": "Quartermaine"}).content.decode()
    assert "55 entries match this search." in first and "Page 1 of 2" in first
    assert first.count("<tr>") - 1 == 50 and "Alpha service" not in first
    hrefs = re.findall(r'href="([^"]*)"', first)
    assert hrefs and not [h for h in hrefs if "?" in h or "Quartermaine" in h]
    assert 'method="get"' not in first.lower()
    assert '<input type="hidden" name="q" value="Quartermaine">' in first
    assert '<button class="page-link" type="submit" name="page" value="2">Older</button>' in first
    second = client.post(reverse("audit_log"), {"q": "Quartermaine", "page": "2"}).content.decode()
    assert "Page 2 of 2" in second and second.count("<tr>") - 1 == 5
    beyond = client.post(reverse("audit_log"), {"q": "Quartermaine", "page": "7"})
    assert beyond.status_code == 200
    assert "There is no page 7: this search has 2 pages, and this is the last." in beyond.content.decode()


@pytest.mark.django_db
def test_the_search_needs_the_csrf_token(school, make_person):
    """The search is a POST like any other: refused without the page's token, and carried out with it."""
    ContactFactory(school=school, role="Alpha service")
    ContactFactory(school=school, role="Beta service")
    client = sign_in(Client(enforce_csrf_checks=True), make_person(Role.DSL, school=school))
    assert client.post(reverse("audit_log"), {"q": "Beta"}).status_code == 403
    client.get(reverse("audit_log"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(reverse("audit_log"), {"q": "Beta", "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "Beta service" in response.content.decode() and "Alpha service" not in response.content.decode()


@pytest.mark.django_db
def test_a_reader_of_two_schools_chooses_the_school_in_the_search(school, other_school, make_person, signed_in):
    """The school is posted with the search, and each choice shows that school's log alone."""
    dpo = make_person(Role.DPO, school=school)
    MembershipFactory(user=dpo, school=other_school, role=Role.DPO)
    ContactFactory(school=school, role="West Park service")
    ContactFactory(school=other_school, role="Riverside service")
    client = signed_in(dpo)
    for chosen, shown, hidden in [(other_school, "Riverside", "West Park"), (school, "West Park", "Riverside")]:
        page = client.post(reverse("audit_log"), {"school": str(chosen.public_id)}).content.decode()
        assert f"{shown} service" in page and f"{hidden} service" not in page


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


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 7, 3, 9, 15, 2, tzinfo=LONDON), tick=False)  # summer: an hour ahead of UTC
def test_each_line_says_when_who_what_and_which_record(school, make_person, signed_in):
    """A line gives the time in the school's time zone, the person by full name (or the system), what happened
    with how a record was read, the kind of record with its name, and each change made."""
    client = signed_in(make_person(Role.DSL, school=school, first_name="Helen", last_name="Marsh"))
    client.post(
        reverse("contacts:create"),
        {"area": "derby", "role": "Family Hub drop-in", "phone": "01332 111111", "sort_order": 0},
    )
    log_access(ContactFactory(school=school, role="Early help line"), how="PDF export")  # no request: the system
    page = client.get(reverse("audit_log")).content.decode()
    rows = page[page.index("<tbody>") : page.index("</tbody>")].split("</tr>")
    created = next(row for row in rows if "Family Hub drop-in" in row and "<td>Create</td>" in row)
    assert '<time datetime="2026-07-03T09:15:02+01:00">3 Jul 2026, 09:15:02</time>' in created
    assert "<td>Helen Marsh</td>" in created and "<dt>phone</dt><dd>01332 111111</dd>" in created
    read = next(row for row in rows if "PDF export" in row)
    assert re.search(r"<td>The system</td>\s*<td>Access \(PDF export\)</td>\s*<td>Contact: [^<]+</td>", read)
