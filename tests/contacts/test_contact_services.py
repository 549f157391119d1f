"""contacts/services.py and the views calling it: only the DSL team changes the directory; every change is logged."""

from datetime import date, datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import Area, Contact, Purpose
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import ContactFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


LONG_AGO = date(2020, 1, 1)

# Roles at the school that read the directory but may not change it.
NOT_DSL_TEAM = [(Role.STAFF,), (Role.HEADTEACHER, Role.SENIOR_LEADER), (Role.DPO,), (Role.TRUSTEE,), (Role.IT_ADMIN,)]


def _log_entries(contact):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_pk=str(contact.pk)
    ).order_by("timestamp", "pk")


def _form_data(**overrides):
    data = {
        "area": Area.DERBY,
        "role": "Attendance welfare officer",
        "name": "Sam Example",
        "organisation": "Derby City Council",
        "phone": "01332 123456",
        "phone_alternative": "",
        "email": "",
        "use_when": "",
        "notes": "",
        "data_warning": "",
        "purpose": Purpose.NONE,
        "sort_order": "5",
    }
    data.update(overrides)
    return data


# --- contact_save -----------------------------------------------------------------------------------------------


def test_saving_sets_the_school_and_makes_today_the_review_date(school, other_school, make_person):
    """Saving an entry puts it in the school given and records it as reviewed today, whatever it said before."""
    dsl = make_person(Role.DSL, school=school)
    contact = ContactFactory.build(school=other_school, reviewed_on=LONG_AGO)
    services.contact_save(user=dsl, school=school, contact=contact)
    contact.refresh_from_db()
    assert contact.school == school
    assert contact.reviewed_on == timezone.localdate()


def test_saving_an_existing_entry_marks_it_reviewed(school, make_person):
    """Editing an entry saves the change and counts as a review."""
    deputy = make_person(Role.DEPUTY_DSL, school=school)
    contact = ContactFactory(school=school, reviewed_on=LONG_AGO, phone="01332 000000")
    contact.phone = "01332 111111"
    services.contact_save(user=deputy, school=school, contact=contact)
    contact.refresh_from_db()
    assert contact.phone == "01332 111111"
    assert contact.reviewed_on == timezone.localdate()


def test_staff_cannot_save_an_entry(school, make_person):
    """Staff can't add to the directory: saving raises PermissionDenied and stores nothing."""
    staff = make_person(Role.STAFF, school=school)
    with pytest.raises(PermissionDenied):
        services.contact_save(user=staff, school=school, contact=ContactFactory.build(school=school))
    assert not Contact.objects.exists()


def test_the_dsl_of_another_school_cannot_save_into_this_one(school, other_school, make_person):
    """A DSL edits only their own school's directory."""
    other_dsl = make_person(Role.DSL, school=other_school)
    contact = ContactFactory(school=school, reviewed_on=LONG_AGO)
    contact.phone = "01332 111111"
    with pytest.raises(PermissionDenied):
        services.contact_save(user=other_dsl, school=school, contact=contact)
    contact.refresh_from_db()
    assert contact.phone == "01332 000000"


def test_saving_an_invalid_entry_is_refused(school, make_person):
    """The service validates the entry itself, so a caller skipping the form can't store an unknown area."""
    from django.core.exceptions import ValidationError

    dsl = make_person(Role.DSL, school=school)
    with pytest.raises(ValidationError):
        services.contact_save(user=dsl, school=school, contact=ContactFactory.build(school=school, area="mars"))
    assert not Contact.objects.exists()


# --- mark reviewed, retire, restore -----------------------------------------------------------------------------


def test_marking_reviewed_makes_today_the_review_date(school, make_person):
    """Marking an entry reviewed records today as its review date and changes nothing else."""
    dsl = make_person(Role.DSL, school=school)
    contact = ContactFactory(school=school, reviewed_on=LONG_AGO, phone="01332 000000")
    services.contact_mark_reviewed(user=dsl, school=school, contact=contact)
    contact.refresh_from_db()
    assert contact.reviewed_on == timezone.localdate()
    assert contact.phone == "01332 000000"
    assert contact.retired_at is None


def test_retiring_takes_an_entry_out_without_deleting_it(school, make_person):
    """A retired entry is kept, with the time it was retired."""
    deputy = make_person(Role.DEPUTY_DSL, school=school)
    contact = ContactFactory(school=school)
    services.contact_retire(user=deputy, school=school, contact=contact)
    contact.refresh_from_db()
    assert contact.is_retired
    assert contact.retired_at == NOW


def test_restoring_brings_an_entry_back_as_reviewed_today(school, make_person):
    """A restored entry is current again and counts as reviewed today."""
    dsl = make_person(Role.DSL, school=school)
    contact = ContactFactory(school=school, retired_at=timezone.now(), reviewed_on=LONG_AGO)
    services.contact_restore(user=dsl, school=school, contact=contact)
    contact.refresh_from_db()
    assert not contact.is_retired
    assert contact.reviewed_on == timezone.localdate()


@pytest.mark.parametrize("roles", NOT_DSL_TEAM, ids=lambda roles: "+".join(roles))
@pytest.mark.parametrize("action", ["contact_mark_reviewed", "contact_retire", "contact_restore"])
def test_only_the_dsl_team_changes_an_entry(action, roles, school, make_person):
    """Anyone outside the DSL team is refused, and the entry is unchanged."""
    person = make_person(*roles, school=school)
    retired_at = timezone.now() if action == "contact_restore" else None
    contact = ContactFactory(school=school, reviewed_on=LONG_AGO, retired_at=retired_at)
    with pytest.raises(PermissionDenied):
        getattr(services, action)(user=person, school=school, contact=contact)
    contact.refresh_from_db()
    assert contact.reviewed_on == LONG_AGO
    assert contact.retired_at == retired_at


def test_every_service_change_is_audit_logged(school, make_person):
    """Adding, editing, reviewing, retiring and restoring each leave a log entry for the contact."""
    dsl = make_person(Role.DSL, school=school)
    contact = services.contact_save(user=dsl, school=school, contact=ContactFactory.build(school=school))
    contact.phone = "01332 111111"
    services.contact_save(user=dsl, school=school, contact=contact)
    Contact.objects.filter(pk=contact.pk).update(reviewed_on=LONG_AGO)
    contact.refresh_from_db()
    services.contact_mark_reviewed(user=dsl, school=school, contact=contact)
    services.contact_retire(user=dsl, school=school, contact=contact)
    services.contact_restore(user=dsl, school=school, contact=contact)
    actions = [entry.action for entry in _log_entries(contact)]
    assert actions == [LogEntry.Action.CREATE] + [LogEntry.Action.UPDATE] * 4


# --- through the views ------------------------------------------------------------------------------------------


def test_the_dsl_adds_a_contact(client, school, make_person):
    """The DSL's new entry is stored for their school, appears in the directory and is logged as theirs."""
    dsl = make_person(Role.DSL, school=school)
    sign_in(client, dsl)
    response = client.post(reverse("contacts:create"), _form_data())
    assert response.status_code == 302
    assert response.url.startswith(reverse("contacts:directory"))
    contact = Contact.objects.get(role="Attendance welfare officer")
    assert contact.school == school
    assert contact.reviewed_on == timezone.localdate()
    directory = client.get(reverse("contacts:directory")).content.decode()
    assert "Attendance welfare officer" in directory and "01332 123456" in directory
    entry = _log_entries(contact).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == dsl


def test_an_entry_without_a_way_to_reach_it_is_sent_back(client, school, make_person):
    """With no phone, email or "use when", the form comes back with the reason and with what was typed."""
    sign_in(client, make_person(Role.DSL, school=school))
    data = _form_data(role="Typed role that must survive", phone="", phone_alternative="", email="", use_when="")
    response = client.post(reverse("contacts:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give at least a phone number, an email address or how to reach this contact." in html
    assert 'value="Typed role that must survive"' in html
    assert not Contact.objects.exists()


def test_the_deputy_edits_a_contact(client, school, make_person):
    """The deputy DSL's edit is saved, the entry counts as reviewed and the log names the deputy."""
    deputy = make_person(Role.DEPUTY_DSL, school=school)
    contact = ContactFactory(school=school, reviewed_on=LONG_AGO)
    sign_in(client, deputy)
    url = reverse("contacts:edit", args=[contact.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, _form_data(role=contact.role, phone="01332 777777"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.phone == "01332 777777"
    assert contact.reviewed_on == timezone.localdate()
    entry = _log_entries(contact).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == deputy
    assert "phone" in entry.changes_dict


def test_staff_cannot_retire_a_contact(client, school, make_person):
    """Staff posting to retire an entry get 404 and the entry stays in the directory."""
    contact = ContactFactory(school=school)
    sign_in(client, make_person(Role.STAFF, school=school))
    response = client.post(reverse("contacts:retire", args=[contact.public_id]))
    assert response.status_code == 404
    contact.refresh_from_db()
    assert contact.retired_at is None
    assert not _log_entries(contact).filter(action=LogEntry.Action.UPDATE).exists()


def test_the_dsl_of_another_school_cannot_retire_this_schools_contact(client, school, other_school, make_person):
    """Another school's DSL gets 404 for this school's entry, as if it did not exist."""
    contact = ContactFactory(school=school)
    sign_in(client, make_person(Role.DSL, school=other_school))
    response = client.post(reverse("contacts:retire", args=[contact.public_id]))
    assert response.status_code == 404
    contact.refresh_from_db()
    assert contact.retired_at is None


def test_review_retire_and_restore_through_the_views_are_logged_with_the_actor(client, school, make_person):
    """Each change the DSL makes on the pages writes a log entry naming the DSL."""
    dsl = make_person(Role.DSL, school=school)
    contact = ContactFactory(school=school, reviewed_on=LONG_AGO)
    sign_in(client, dsl)

    response = client.post(reverse("contacts:mark_reviewed", args=[contact.public_id]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.reviewed_on == timezone.localdate()

    response = client.post(reverse("contacts:retire", args=[contact.public_id]))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.is_retired
    assert contact.role in client.get(reverse("contacts:retired")).content.decode()

    response = client.post(reverse("contacts:restore", args=[contact.public_id]))
    assert response.url.startswith(reverse("contacts:retired"))
    contact.refresh_from_db()
    assert not contact.is_retired

    entries = list(_log_entries(contact).filter(action=LogEntry.Action.UPDATE))
    assert len(entries) == 3
    assert [set(entry.changes_dict) for entry in entries] == [{"reviewed_on"}, {"retired_at"}, {"retired_at"}]
    assert {entry.actor for entry in entries} == {dsl}
