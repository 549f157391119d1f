"""Append-only records refuse the bulk paths too (issue 18, item 14).

The audit log, a child's chronology and the record of a case about an adult are never changed or deleted once
written. `save()` and `delete()` of one row send a signal that safeguarding.signals refuses; `QuerySet.update()`,
`bulk_update()` and a fast `QuerySet.delete()` send none, so each model's queryset refuses them itself.
"""

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction

from concerns.models import ChronologyEntry, ChronologyKind
from safeguarding.audit import log_list_access
from safeguarding.models import Role, User

from .factories import ContactFactory, UserFactory, raise_concern
from .staff_allegations.conftest import report as report_adult_concern


@pytest.fixture
def audit_row(school):
    entry = LogEntry.objects.get_for_object(ContactFactory(school=school)).get()
    return entry, "object_repr"


@pytest.fixture
def chronology_row(school, make_person):
    concern = raise_concern(author=make_person(Role.STAFF, school=school), school=school)
    return ChronologyEntry.objects.get(concern=concern, kind=ChronologyKind.CONCERN_RAISED), "summary"


@pytest.fixture
def case_row(school, make_person):
    make_person(Role.HEADTEACHER, school=school)
    case = report_adult_concern(make_person(Role.STAFF, school=school), school, allegation=True)
    return case.entries.get(), "details"


ROWS = ["audit_row", "chronology_row", "case_row"]


@pytest.fixture(params=ROWS)
def row(request):
    """One saved row of each append-only model, and a text field of it to try to change."""
    return request.getfixturevalue(request.param)


def unchanged(entry, field) -> bool:
    before = getattr(entry, field)
    fresh = type(entry)._base_manager.filter(pk=entry.pk).first()
    return fresh is not None and getattr(fresh, field) == before


@pytest.mark.django_db
def test_a_queryset_update_is_refused_and_changes_nothing(row):
    entry, field = row
    rows = type(entry).objects.filter(pk=entry.pk)
    with pytest.raises(PermissionDenied, match="cannot be changed"), transaction.atomic():
        rows.update(**{field: "Rewritten"})
    with pytest.raises(PermissionDenied, match="cannot be changed"), transaction.atomic():
        type(entry).objects.update(**{field: "Rewritten"})
    assert unchanged(entry, field)


@pytest.mark.django_db
def test_bulk_update_is_refused_and_changes_nothing(row):
    entry, field = row
    original = getattr(entry, field)
    setattr(entry, field, "Rewritten")
    with pytest.raises(PermissionDenied, match="cannot be changed"), transaction.atomic():
        type(entry).objects.bulk_update([entry], [field])
    setattr(entry, field, original)
    assert unchanged(entry, field)


@pytest.mark.django_db
def test_a_queryset_delete_is_refused_and_removes_nothing(row):
    entry, field = row
    model = type(entry)
    with pytest.raises(PermissionDenied, match="cannot be deleted"), transaction.atomic():
        model.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionDenied, match="cannot be deleted"), transaction.atomic():
        model.objects.all().delete()
    assert unchanged(entry, field)


@pytest.mark.django_db
def test_the_private_bulk_paths_are_refused_too(row):
    """`_raw_delete()` deletes with no signal and no cascade; `_update()` is update() without its checks."""
    entry, field = row
    rows = type(entry).objects.filter(pk=entry.pk)
    with pytest.raises(PermissionDenied, match="cannot be deleted"), transaction.atomic():
        rows._raw_delete(rows.db)
    with pytest.raises(PermissionDenied, match="cannot be changed"), transaction.atomic():
        rows._update([(type(entry)._meta.get_field(field), None, "Rewritten")])
    assert unchanged(entry, field)


@pytest.mark.django_db
def test_a_chronology_reached_through_its_child_refuses_bulk_changes(chronology_row):
    """`pupil.chronology` is a related manager built from the model's default manager: it is guarded too."""
    entry, field = chronology_row
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.pupil.chronology.update(summary="Rewritten")
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.pupil.chronology.all().delete()
    assert unchanged(entry, field)


@pytest.mark.django_db
def test_a_case_record_reached_through_its_case_refuses_bulk_changes(case_row):
    entry, field = case_row
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.case.entries.update(details="Rewritten")
    with pytest.raises(PermissionDenied), transaction.atomic():
        entry.case.entries.all().delete()
    assert unchanged(entry, field)


@pytest.mark.django_db
def test_a_saved_case_record_entry_cannot_be_saved_over_or_deleted(case_row):
    """The record of a case about an adult is append-only like the children's chronology, one row at a time too."""
    entry, field = case_row
    original = entry.details
    entry.details = "Nothing happened."
    with pytest.raises(PermissionDenied, match="Case record entries cannot be changed"), transaction.atomic():
        entry.save()
    with pytest.raises(PermissionDenied, match="Case record entries cannot be deleted"), transaction.atomic():
        entry.delete()
    entry.details = original
    assert unchanged(entry, field)


@pytest.mark.django_db
def test_each_refusal_names_the_record(audit_row, chronology_row, case_row):
    expected = [
        (audit_row, "Audit log entries cannot be changed: the record is append-only."),
        (chronology_row, "Chronology entries cannot be changed: the record is append-only."),
        (case_row, "Case record entries cannot be changed: the record is append-only."),
    ]
    for (entry, field), message in expected:
        with pytest.raises(PermissionDenied, match=message):
            type(entry).objects.filter(pk=entry.pk).update(**{field: "Rewritten"})


@pytest.mark.django_db
def test_new_rows_are_still_written(school, make_person):
    """Appending is untouched: auditlog's own log_create, the bulk_create of list sightings, and create()."""
    contact = ContactFactory(school=school)
    assert LogEntry.objects.log_create(contact, force_log=True, action=LogEntry.Action.ACCESS) is not None
    before = LogEntry.objects.count()
    log_list_access([contact, ContactFactory(school=school)], "seen in a list")
    assert LogEntry.objects.filter(changes_text="seen in a list").count() == 2
    assert LogEntry.objects.count() == before + 3  # the second contact's creation, and the two sightings


@pytest.mark.django_db
def test_deleting_a_person_still_clears_them_from_their_audit_rows(school):
    """Django's deletion cascade sets the rows' actor to NULL through its own plain manager, which stays open."""
    leaver = UserFactory()
    with set_actor(leaver):
        contact = ContactFactory(school=school)
    row = LogEntry.objects.get_for_object(contact).get()
    assert row.actor == leaver
    leaver.delete()
    row.refresh_from_db()
    assert row.actor is None
    assert not User.objects.filter(pk=leaver.pk).exists()


@pytest.mark.django_db
def test_the_audit_log_guard_survives_the_app_registry_clearing_its_caches(audit_row):
    """Django rebuilds a model's managers when the registry's caches are cleared (override_settings does)."""
    entry, field = audit_row
    apps.clear_cache()
    with pytest.raises(PermissionDenied), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(**{field: "Rewritten"})
    assert unchanged(entry, field)
    assert LogEntry.objects.get_for_object(entry.content_type.get_object_for_this_type(pk=entry.object_id))
