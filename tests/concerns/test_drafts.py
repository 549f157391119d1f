"""Drafts: what someone types is saved as they go, seen only by them, and gone once sent or after 30 days."""

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from concerns.models import Concern, ConcernDraft
from concerns.services import raising
from safeguarding import drafts
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import MembershipFactory, PupilFactory
from .test_raise_view import ACCOUNT, is_checked, page_text, raise_form_data

RAISE_URL = "/raise/"
DRAFT_OFFER = "You have an unsent concern"

# A Wednesday morning in term: what is typed happened an hour ago.
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school, first_name="Priya", last_name="Sharma")


@pytest.fixture
def colleague(school, make_person):
    return make_person(Role.STAFF, school=school)


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo", year_group=8, form="8E")


@pytest.fixture
def typed(pupil):
    return raise_form_data(pupil, location="Corridor outside room 14", categories=["injury_marks", "neglect"])


def save_draft(client, data):
    return client.post(reverse("concerns:draft_save"), data)


@pytest.mark.django_db
def test_saving_a_draft_keeps_the_typed_form_for_its_author(client, school, teacher, typed):
    """The draft holds what was typed, for its author and school, without the CSRF or author tokens."""
    sign_in(client, teacher)
    response = save_draft(client, {**typed, "csrfmiddlewaretoken": "secret-token", "author_token": "signed"})
    assert response.status_code == 200
    assert response.json()["saved"] is True
    draft = ConcernDraft.objects.get()
    assert (draft.author, draft.school, str(draft.idempotency_key)) == (teacher, school, typed["idempotency_key"])
    assert draft.data["account"] == [ACCOUNT]
    assert draft.data["categories"] == ["injury_marks", "neglect"]
    assert "csrfmiddlewaretoken" not in draft.data and "author_token" not in draft.data


@pytest.mark.django_db
def test_saving_again_updates_the_one_draft(client, teacher, typed):
    """Saving every few seconds keeps one draft per form, holding the latest text."""
    sign_in(client, teacher)
    save_draft(client, typed)
    save_draft(client, {**typed, "account": ACCOUNT + " She was crying."})
    assert ConcernDraft.objects.get().data["account"] == [ACCOUNT + " She was crying."]


@pytest.mark.django_db
def test_a_draft_without_the_forms_key_is_refused(client, teacher, typed):
    """A save that does not carry the form's key is a bad request and saves nothing."""
    sign_in(client, teacher)
    response = save_draft(client, {**typed, "idempotency_key": "not-a-key"})
    assert response.status_code == 400
    assert not ConcernDraft.objects.exists()


@pytest.mark.django_db
def test_reopening_the_form_offers_to_continue_the_draft(client, teacher, typed):
    """Opening /raise/ again offers the unsent draft, with a link to continue it, without showing its text."""
    sign_in(client, teacher)
    save_draft(client, typed)
    page = page_text(client.get(RAISE_URL))
    assert DRAFT_OFFER in page
    assert f'href="/raise/?draft={typed["idempotency_key"]}"' in page
    assert ACCOUNT not in page


@pytest.mark.django_db
def test_continuing_a_draft_shows_what_was_typed_and_the_chosen_child(client, teacher, typed):
    """The draft comes back with its text, its ticked categories, its key and the child it is about."""
    sign_in(client, teacher)
    save_draft(client, typed)
    response = client.get(RAISE_URL, {"draft": typed["idempotency_key"]})
    assert response.status_code == 200
    page = page_text(response)
    assert ACCOUNT + "</textarea>" in page
    assert 'value="Corridor outside room 14"' in page
    assert is_checked(page, "injury_marks") and is_checked(page, "neglect")
    assert "Maya Okonjo, Year 8, 8E" in page
    assert f'name="idempotency_key" value="{typed["idempotency_key"]}"' in page


@pytest.mark.django_db
def test_another_person_sees_nothing_of_someone_elses_draft(client, teacher, colleague, typed):
    """A colleague opening the draft's link gets an empty form: no text, no child, no key, no offer."""
    sign_in(client, teacher)
    save_draft(client, typed)
    client.logout()
    sign_in(client, colleague)
    response = client.get(RAISE_URL, {"draft": typed["idempotency_key"]})
    assert response.status_code == 200
    page = page_text(response)
    assert ACCOUNT not in page
    assert "Corridor outside room 14" not in page
    assert "Maya Okonjo" not in page
    assert DRAFT_OFFER not in page
    assert f'value="{typed["idempotency_key"]}"' not in page


@pytest.mark.django_db
def test_sending_the_concern_deletes_its_draft(client, teacher, typed):
    """Once the concern is sent, its draft is gone."""
    sign_in(client, teacher)
    save_draft(client, typed)
    assert client.post(RAISE_URL, typed).status_code == 302
    assert Concern.objects.count() == 1
    assert not ConcernDraft.objects.exists()
    assert DRAFT_OFFER not in page_text(client.get(RAISE_URL))


@pytest.mark.django_db
def test_a_save_arriving_after_the_concern_was_sent_brings_nothing_back(client, school, teacher, typed):
    """A save on its way when Send was pressed lands after the concern: it is dropped, and a repeat send clears any
    draft that slipped in, so a sent concern is never offered again as unsent."""
    sign_in(client, teacher)
    client.post(RAISE_URL, typed)
    response = save_draft(client, typed)
    assert response.status_code == 200 and response.json() == {"saved": False, "sent": True}
    assert not ConcernDraft.objects.exists()
    ConcernDraft.objects.create(author=teacher, school=school, idempotency_key=typed["idempotency_key"], data={})
    client.post(RAISE_URL, typed)
    assert Concern.objects.count() == 1 and not ConcernDraft.objects.exists()
    assert DRAFT_OFFER not in page_text(client.get(RAISE_URL))


@pytest.mark.django_db
def test_discarding_deletes_the_draft(client, teacher, typed):
    """The author's "Delete it" removes the draft and returns to an empty form."""
    sign_in(client, teacher)
    save_draft(client, typed)
    response = client.post(reverse("concerns:draft_discard"), {"idempotency_key": typed["idempotency_key"]})
    assert response.status_code == 302 and response.url == reverse("concerns:raise")
    assert not ConcernDraft.objects.exists()


@pytest.mark.django_db
def test_nobody_else_can_discard_a_draft(client, teacher, colleague, typed):
    """A colleague posting the draft's key to the discard URL leaves the author's draft in place."""
    sign_in(client, teacher)
    save_draft(client, typed)
    client.logout()
    sign_in(client, colleague)
    client.post(reverse("concerns:draft_discard"), {"idempotency_key": typed["idempotency_key"]})
    assert ConcernDraft.objects.filter(author=teacher).exists()


@pytest.mark.django_db
def test_drafts_older_than_30_days_are_purged_and_newer_ones_kept(school, teacher, pupil):
    """drafts.purge removes drafts untouched for more than 30 days and keeps the rest."""
    old = raising.draft_save(
        user=teacher, school=school, idempotency_key=raise_form_data(pupil)["idempotency_key"], data={"a": ["1"]}
    )
    recent = raising.draft_save(
        user=teacher, school=school, idempotency_key=raise_form_data(pupil)["idempotency_key"], data={"a": ["2"]}
    )
    now = timezone.now()
    ConcernDraft.objects.filter(pk=old.pk).update(updated_at=now - timedelta(days=31))
    ConcernDraft.objects.filter(pk=recent.pk).update(updated_at=now - timedelta(days=29))
    assert drafts.purge(now=now) == 1
    assert list(ConcernDraft.objects.all()) == [recent]
    assert drafts.purge(now=now + timedelta(days=2)) == 1
    assert not ConcernDraft.objects.exists()


@pytest.mark.django_db
def test_the_audit_log_never_holds_draft_text(client, teacher, typed):
    """Saving, updating and sending a draft leaves audit entries without its data or any of its words."""
    sign_in(client, teacher)
    save_draft(client, typed)
    draft = ConcernDraft.objects.get()
    save_draft(client, {**typed, "people_present": "Nobody else was there at all"})
    client.post(RAISE_URL, typed)
    entries = LogEntry.objects.get_for_object(draft)
    assert {entry.action for entry in entries} >= {LogEntry.Action.CREATE, LogEntry.Action.DELETE}
    assert all("data" not in (entry.changes_dict or {}) for entry in entries)
    for entry in LogEntry.objects.all():
        logged = json.dumps([entry.changes, entry.changes_text, entry.serialized_data, entry.object_repr])
        assert "stepfather" not in logged
        assert "Nobody else was there at all" not in logged


@pytest.mark.django_db
def test_a_draft_for_a_second_school_comes_back_for_that_school(client, school, other_school, make_person):
    """Someone at two schools continues a draft made at the second one with its child and school."""
    teacher = make_person(Role.STAFF, school=other_school)  # "Riverside Academy" sorts first
    MembershipFactory(user=teacher, school=school, role=Role.STAFF)
    pupil = PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo", year_group=8, form="8E")
    typed = raise_form_data(pupil, school=str(school.public_id))
    sign_in(client, teacher)
    save_draft(client, typed)
    page = page_text(client.get(RAISE_URL, {"draft": typed["idempotency_key"]}))
    assert "Maya Okonjo, Year 8, 8E" in page
    assert f'name="school" value="{school.public_id}"' in page
