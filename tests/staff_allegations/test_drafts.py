"""Drafts of the forms about adults: saved as the person types, offered back only to them and only on the same
form, gone once sent or after 30 days, and kept behind the register's wall in the audit log."""

import uuid
from datetime import date, datetime, timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from concerns.models import ConcernDraft
from safeguarding.calendar import LONDON
from safeguarding.models import Role
from staff_allegations import services
from staff_allegations.models import AdultCase, AdultConcernDraft
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


SAVE = reverse("staff_allegations:draft_save")
DISCARD = reverse("staff_allegations:draft_discard")
ADULT = reverse("staff_allegations:raise")
PRACTICE = reverse("staff_allegations:raise_practice")
OFFER = "You have an unsent concern"
WITNESSED = "The caretaker asked a Year 9 pupil for her phone number at the gate."


def typed(**changes):
    data = {
        "draft_form": "adult",
        "idempotency_key": str(uuid.uuid4()),
        "subject_name": "Carl Mendes",
        "subject_role": "Caretaker",
        "employment": "staff",
        "happened_on": date.today().isoformat(),
        "location": "School gate",
        "witnessed": WITNESSED,
        "risk_of_harm": "on",
    }
    data.update(changes)
    return data


def test_saving_keeps_what_was_typed_for_its_author_only(client, school, teacher):
    sign_in(client, teacher)
    data = typed(csrfmiddlewaretoken="secret", author_token="signed")
    response = client.post(SAVE, data)
    assert response.status_code == 200 and response.json()["saved"] is True
    draft = AdultConcernDraft.objects.get()
    assert (draft.author, draft.school, draft.form) == (teacher, school, "adult")
    assert str(draft.idempotency_key) == data["idempotency_key"]
    assert draft.data["witnessed"] == [WITNESSED] and draft.data["risk_of_harm"] == ["on"]
    for never_kept in ("csrfmiddlewaretoken", "author_token", "draft_form"):
        assert never_kept not in draft.data
    # Behind the wall: nothing lands in the children's drafts.
    assert not ConcernDraft.objects.exists()


def test_saving_again_updates_the_one_draft(client, teacher):
    sign_in(client, teacher)
    data = typed()
    client.post(SAVE, data)
    client.post(SAVE, {**data, "witnessed": WITNESSED + " She looked frightened."})
    assert AdultConcernDraft.objects.get().data["witnessed"] == [WITNESSED + " She looked frightened."]


@pytest.mark.parametrize("bad", [{"idempotency_key": "not-a-key"}, {"draft_form": "child"}, {"draft_form": ""}])
def test_a_save_without_a_known_form_and_key_is_refused(client, teacher, bad):
    sign_in(client, teacher)
    response = client.post(SAVE, typed(**bad))
    assert response.status_code == 400 and "reload the page" in response.json()["error"]
    assert not AdultConcernDraft.objects.exists()


def test_nobody_can_write_over_someone_elses_draft(client, school, teacher, colleague):
    data = typed()
    sign_in(client, teacher)
    client.post(SAVE, data)
    sign_in(client, colleague)
    assert client.post(SAVE, {**data, "witnessed": "Changed by someone else"}).status_code == 403
    assert AdultConcernDraft.objects.get().data["witnessed"] == [WITNESSED]


def test_a_signed_out_save_is_sent_to_sign_in_and_saves_nothing(client, teacher):
    response = client.post(SAVE, typed())
    assert response.status_code == 302 and reverse("login") in response.url
    assert not AdultConcernDraft.objects.exists()


def test_reopening_the_form_offers_the_draft_and_continuing_fills_it_in(client, teacher):
    sign_in(client, teacher)
    data = typed()
    client.post(SAVE, data)
    page = client.get(ADULT).content.decode()
    assert OFFER in page and f"?draft={data['idempotency_key']}" in page
    assert WITNESSED not in page  # only offered, not shown until asked for

    page = client.get(ADULT, {"draft": data["idempotency_key"]}).content.decode()
    assert OFFER not in page
    for value in (WITNESSED, "Carl Mendes", "School gate", data["idempotency_key"]):
        assert value in page
    assert "checked" in page.split('name="risk_of_harm"')[1].split(">")[0]


def test_a_draft_is_offered_only_on_its_own_form_and_only_to_its_author(client, teacher, colleague):
    data = typed()
    sign_in(client, teacher)
    client.post(SAVE, data)
    assert OFFER not in client.get(PRACTICE).content.decode()
    assert WITNESSED not in client.get(PRACTICE, {"draft": data["idempotency_key"]}).content.decode()

    sign_in(client, colleague)
    assert OFFER not in client.get(ADULT).content.decode()
    page = client.get(ADULT, {"draft": data["idempotency_key"]}).content.decode()
    assert WITNESSED not in page and data["idempotency_key"] not in page


def test_a_nonsense_draft_address_just_opens_an_empty_form(client, teacher):
    sign_in(client, teacher)
    response = client.get(ADULT, {"draft": "not-a-key"})
    assert response.status_code == 200 and OFFER not in response.content.decode()


def test_sending_the_form_removes_its_draft(client, teacher, leadership):
    sign_in(client, teacher)
    data = typed()
    client.post(SAVE, data)
    response = client.post(ADULT, data)
    assert response.status_code == 302
    assert AdultCase.objects.get().subject_name == "Carl Mendes"
    assert not AdultConcernDraft.objects.exists()


def test_a_practice_draft_comes_back_on_the_practice_form(client, teacher, leadership):
    sign_in(client, teacher)
    data = {
        "draft_form": "practice",
        "idempotency_key": str(uuid.uuid4()),
        "witnessed": "Visitors are not signed in at reception on Fridays.",
    }
    client.post(SAVE, data)
    assert OFFER in client.get(PRACTICE).content.decode()
    assert OFFER not in client.get(ADULT).content.decode()
    page = client.get(PRACTICE, {"draft": data["idempotency_key"]}).content.decode()
    assert "Visitors are not signed in at reception on Fridays." in page


def test_deleting_the_draft_from_the_offer(client, teacher, colleague):
    data = typed()
    sign_in(client, teacher)
    client.post(SAVE, data)
    sign_in(client, colleague)
    client.post(DISCARD, {"draft_form": "adult", "idempotency_key": data["idempotency_key"]})
    assert AdultConcernDraft.objects.exists()  # not theirs to delete

    sign_in(client, teacher)
    response = client.post(DISCARD, {"draft_form": "adult", "idempotency_key": data["idempotency_key"]}, follow=True)
    assert response.redirect_chain[-1][0] == ADULT
    assert "The unsent draft was deleted." in response.content.decode()
    assert not AdultConcernDraft.objects.exists()


def test_drafts_untouched_for_30_days_are_cleared(school, teacher):
    old = services.draft_save(user=teacher, school=school, form="adult", idempotency_key=uuid.uuid4(), data={})
    AdultConcernDraft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=31))
    services.draft_save(user=teacher, school=school, form="adult", idempotency_key=uuid.uuid4(), data={})
    assert AdultConcernDraft.objects.count() == 1 and not AdultConcernDraft.objects.filter(pk=old.pk).exists()


def test_trust_staff_who_cannot_raise_cannot_save_a_draft(client, school, make_person):
    trust_lead = make_person(Role.TRUST_SAFEGUARDING_LEAD, school=school)
    sign_in(client, trust_lead)
    assert client.post(SAVE, typed()).status_code == 403


def test_the_audit_log_never_holds_the_words_or_the_key(client, teacher):
    sign_in(client, teacher)
    data = typed()
    client.post(SAVE, data)
    client.post(DISCARD, {"draft_form": "adult", "idempotency_key": data["idempotency_key"]})
    entries = LogEntry.objects.filter(content_type__model="adultconcerndraft")
    assert entries.count() == 2  # created, deleted
    for entry in entries:
        for secret in (WITNESSED, "Carl Mendes", data["idempotency_key"]):
            assert secret not in str(entry.changes) and secret not in str(entry.additional_data)


@pytest.mark.parametrize("reader", [Role.DPO, Role.DSL])
def test_no_reader_of_the_audit_log_sees_a_draft_about_an_adult(client, school, teacher, make_person, reader):
    """An unsent draft has no case yet, so nobody can tell whom it is about, the DPO included (R61): its rows are
    kept off /audit/ for every reader, though the rows of the teacher's other work still show."""
    person = make_person(reader, school=school)
    sign_in(client, teacher)
    client.post(SAVE, typed(subject_user=str(person.pk), subject_name=""))
    assert LogEntry.objects.filter(content_type__model="adultconcerndraft").exists()
    sign_in(client, person)
    page = client.get(reverse("audit_log")).content.decode()
    assert "adult concern draft" not in page.lower()


def test_a_key_tells_someone_else_nothing_about_whether_the_form_was_sent(client, teacher, colleague, leadership):
    """Another person posting a key gets the same refusal for a draft and for a sent case."""
    drafted, sent = typed(), typed()
    sign_in(client, teacher)
    client.post(SAVE, drafted)
    client.post(ADULT, sent)
    assert AdultCase.objects.count() == 1
    sign_in(client, colleague)
    assert client.post(SAVE, drafted).status_code == 403
    assert client.post(SAVE, sent).status_code == 403
    assert AdultConcernDraft.objects.count() == 1


def test_a_draft_untouched_for_30_days_is_neither_offered_nor_continued(client, teacher):
    sign_in(client, teacher)
    data = typed()
    client.post(SAVE, data)
    AdultConcernDraft.objects.update(updated_at=timezone.now() - timedelta(days=31))
    assert OFFER not in client.get(ADULT).content.decode()
    assert WITNESSED not in client.get(ADULT, {"draft": data["idempotency_key"]}).content.decode()


def test_saving_any_draft_clears_old_drafts_of_every_form(client, school, teacher):
    """The adult forms are seldom used, so their old drafts go when any draft is saved, a child's included."""
    from concerns.services import raising as concern_raising

    old = services.draft_save(user=teacher, school=school, form="adult", idempotency_key=uuid.uuid4(), data={})
    AdultConcernDraft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=31))
    concern_raising.draft_save(user=teacher, school=school, idempotency_key=uuid.uuid4(), data={})
    assert not AdultConcernDraft.objects.exists() and ConcernDraft.objects.count() == 1


def test_a_save_arriving_after_the_form_was_sent_brings_nothing_back(client, teacher, leadership):
    """A save on its way when Send was pressed lands after the case: it is dropped, and the form is not offered."""
    sign_in(client, teacher)
    data = typed()
    client.post(ADULT, data)
    response = client.post(SAVE, data)
    assert response.status_code == 200 and response.json() == {"saved": False, "sent": True}
    assert not AdultConcernDraft.objects.exists()
    assert OFFER not in client.get(ADULT).content.decode()


def test_sending_again_clears_a_draft_that_slipped_in(client, school, teacher, leadership):
    sign_in(client, teacher)
    data = typed()
    client.post(ADULT, data)
    AdultConcernDraft.objects.create(
        author=teacher, school=school, form="adult", idempotency_key=data["idempotency_key"], data={}
    )
    client.post(ADULT, data)
    assert AdultCase.objects.count() == 1 and not AdultConcernDraft.objects.exists()
