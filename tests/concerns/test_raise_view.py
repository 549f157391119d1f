"""The "Raise a Concern" page (R1–R13): what it shows, what it refuses, and that a sent concern is saved once."""

import html
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from concerns.models import Alert, Attachment, Concern, SourceType
from concerns.services import raising
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..factories import PDF_BYTES, PupilFactory

RAISE_URL = "/raise/"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ACCOUNT = "At break the pupil said her stepfather hit her with a belt last night and showed a red mark on her arm."
# A Wednesday morning in term: the incident an hour ago was in school hours, and yesterday was a school day.
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def raise_form_data(pupil, *, happened_at=None, **overrides):
    """A complete, valid POST for /raise/ about `pupil`, as the page's form sends it.

    The incident is an hour ago unless `happened_at` says otherwise; date and time come from one moment, so the
    pair is never in the future even just after midnight.
    """
    happened = timezone.localtime(happened_at or timezone.now() - timedelta(hours=1))
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "subject": str(pupil.public_id),
        "happened_on": happened.date().isoformat(),
        "happened_time": happened.strftime("%H:%M"),
        "location": "Science lab S2",
        "people_present": "Sam Patel, teaching assistant",
        "source_type": SourceType.FIRST_HAND,
        "source_name": "",
        "source_role": "",
        "account": ACCOUNT,
        "opinion": "",
        "opinion_owner": "",
        "categories": ["physical_abuse"],
        "other_category": "",
        "quotes-TOTAL_FORMS": "1",
        "quotes-INITIAL_FORMS": "0",
        "quotes-MIN_NUM_FORMS": "0",
        "quotes-MAX_NUM_FORMS": "10",
        "quotes-0-words": "",
        "quotes-0-speaker": "",
        "others-TOTAL_FORMS": "1",
        "others-INITIAL_FORMS": "0",
        "others-MIN_NUM_FORMS": "0",
        "others-MAX_NUM_FORMS": "10",
        "others-0-pupil": "",
        "others-0-role": "",
    }
    data.update(overrides)
    return data


def page_text(response) -> str:
    """The page as a reader sees its characters (entities such as &#x27; turned back into apostrophes)."""
    return html.unescape(response.content.decode())


def is_checked(page: str, code: str) -> bool:
    return re.search(rf'<input[^>]*value="{code}"[^>]*\schecked', page) is not None


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school, first_name="Priya", last_name="Sharma", job_title="Science teacher")


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo", year_group=8, form="8E")


@pytest.mark.django_db
def test_the_form_shows_the_policy_rules_and_guidance(client, teacher, signed_in):
    """The page states the duty to record, the same-day rule, the TED guidance and the nude-image warning."""
    signed_in(teacher)
    response = client.get(RAISE_URL)
    assert response.status_code == 200
    page = page_text(response)
    assert "Any member of staff, including volunteers, must record any concern" in page
    assert "Record it today, before the child leaves school." in page
    assert "(TED)" in page and "Do not ask leading or investigative questions" in page
    assert "Never promise to keep a secret" in page
    assert "upload nude or semi-nude images of a child" in page


@pytest.mark.django_db
def test_the_author_is_named_from_the_account_and_cannot_be_edited(client, teacher, signed_in):
    """The author's full name and job title are shown as text; the form has no field to change them."""
    signed_in(teacher)
    page = page_text(client.get(RAISE_URL))
    assert "Recorded by <strong>Priya Sharma</strong>, Science teacher" in page
    for field in ("author", "author_name", "author_role", "recorded_at"):
        assert f'name="{field}"' not in page


@pytest.mark.django_db
def test_a_valid_concern_leads_to_its_receipt_and_belongs_to_the_signed_in_person(
    client, school, teacher, pupil, make_person, signed_in
):
    """A sent concern is the signed-in person's, recorded now, whatever author or time the POST claims."""
    impostor = make_person(Role.STAFF, school=school, first_name="Oliver", last_name="Grant")
    signed_in(teacher)
    data = raise_form_data(pupil, author=str(impostor.pk), author_name="Oliver Grant", recorded_at="2020-01-06 09:00")
    response = client.post(RAISE_URL, data)
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("concerns:receipt", kwargs={"public_id": concern.public_id})
    assert concern.author == teacher
    assert (concern.author_name, concern.author_role) == ("Priya Sharma", "Science teacher")
    assert concern.recorded_at == NOW
    assert concern.subject == pupil
    assert concern.account == ACCOUNT
    assert list(concern.categories.values_list("code", flat=True)) == ["physical_abuse"]


@pytest.mark.django_db
def test_an_incident_from_yesterday_is_recorded_late(client, teacher, pupil, signed_in):
    """A concern sent after the end of the school day on which it happened carries the late flag (R12)."""
    yesterday = timezone.localtime() - timedelta(days=1)
    signed_in(teacher)
    client.post(RAISE_URL, raise_form_data(pupil, happened_at=yesterday.replace(hour=10, minute=0)))
    assert Concern.objects.get().is_late


@pytest.mark.django_db
def test_sending_the_same_form_twice_makes_one_concern(client, school, teacher, pupil, make_person, signed_in):
    """A double click or a resent POST lands on the same receipt, with one concern and one alert per person."""
    dsl = make_person(Role.DSL, school=school)
    signed_in(teacher)
    data = raise_form_data(pupil)
    first = client.post(RAISE_URL, data)
    second = client.post(RAISE_URL, data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Concern.objects.count() == 1
    assert list(Alert.objects.values_list("recipient", flat=True)) == [dsl.pk]


@pytest.mark.django_db
def test_a_form_missing_the_account_is_refused_and_keeps_everything_typed(client, teacher, pupil, signed_in):
    """An incomplete form answers 400, says what is missing, and shows every answer and the chosen child again."""
    signed_in(teacher)
    data = raise_form_data(
        pupil,
        account="",
        location="Playground by the bike shed",
        people_present="Tom Okafor, midday supervisor",
        categories=["injury_marks", "neglect"],
        **{"quotes-0-words": "It hurts when I sit down", "quotes-0-speaker": "Maya Okonjo"},
    )
    response = client.post(RAISE_URL, data)
    assert response.status_code == 400
    page = page_text(response)
    assert "Some answers need attention" in page
    assert "This field is required." in page
    assert 'value="Playground by the bike shed"' in page
    assert "Tom Okafor, midday supervisor</textarea>" in page
    assert "It hurts when I sit down</textarea>" in page
    assert 'value="Maya Okonjo"' in page
    assert is_checked(page, "injury_marks") and is_checked(page, "neglect")
    assert not is_checked(page, "physical_abuse")
    assert "Maya Okonjo, Year 8, 8E" in page
    assert f'value="{data["idempotency_key"]}"' in page
    assert not Concern.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"source_type": SourceType.SECOND_HAND, "source_name": "", "source_role": "Mother"},
            "Say who told you, with their full name.",
        ),
        (
            {"source_type": SourceType.SECOND_HAND, "source_name": "J. Smith", "source_role": "Mother"},
            "Write full names (first name and surname), not initials.",
        ),
        ({"quotes-0-words": "Mum said not to tell", "quotes-0-speaker": ""}, "Say who said these words."),
        ({"categories": ["other"], "other_category": ""}, "You chose “Other”: say what kind of concern it is."),
    ],
    ids=["second-hand-without-source", "source-as-initials", "quote-without-speaker", "other-without-saying-what"],
)
@pytest.mark.django_db
def test_incomplete_answers_are_refused_with_the_reason(client, teacher, pupil, signed_in, overrides, message):
    """Second-hand needs a named source, names are not initials, quotes have a speaker, "Other" says what."""
    signed_in(teacher)
    response = client.post(RAISE_URL, raise_form_data(pupil, **overrides))
    assert response.status_code == 400
    assert message in page_text(response)
    assert not Concern.objects.exists()


@pytest.mark.django_db
def test_a_time_in_the_future_is_refused(client, teacher, pupil, signed_in):
    """The incident's date and time cannot be later than now."""
    signed_in(teacher)
    tomorrow = timezone.localtime() + timedelta(days=1)
    response = client.post(RAISE_URL, raise_form_data(pupil, happened_at=tomorrow))
    assert response.status_code == 400
    assert "This is in the future." in page_text(response)
    assert not Concern.objects.exists()


@pytest.mark.django_db
def test_an_image_on_a_nudes_concern_is_refused_and_nothing_is_saved(client, teacher, pupil, signed_in):
    """A PNG attached to a concern about nude or semi-nude images is refused (R11); no concern, no file."""
    signed_in(teacher)
    data = raise_form_data(
        pupil, categories=["nudes"], attachments=SimpleUploadedFile("screenshot.png", PNG_BYTES, "image/png")
    )
    response = client.post(RAISE_URL, data)
    assert response.status_code == 400
    assert "Do not upload images or files for a concern about nude or semi-nude images" in page_text(response)
    assert not Concern.objects.exists()
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(client, teacher, pupil, signed_in):
    """A file's first bytes must match its name: an executable renamed .pdf is refused."""
    signed_in(teacher)
    fake = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00 not a pdf at all", "application/pdf")
    response = client.post(RAISE_URL, raise_form_data(pupil, attachments=fake))
    assert response.status_code == 400
    assert "“notes.pdf” is not really a PDF file." in page_text(response)
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_a_pdf_is_kept_privately_and_served_only_through_the_checked_download(
    client, school, teacher, pupil, make_person, signed_in
):
    """A scanned note is stored under MEDIA_ROOT with no public URL; only the download view serves it, and only
    to someone allowed: another member of staff gets 404."""
    signed_in(teacher)
    upload = SimpleUploadedFile("handwritten notes.pdf", PDF_BYTES, "application/pdf")
    assert client.post(RAISE_URL, raise_form_data(pupil, attachments=upload)).status_code == 302
    attachment = Attachment.objects.get()
    concern = attachment.concern
    try:
        stored = Path(attachment.file.path).resolve()
        assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
        assert stored.read_bytes() == PDF_BYTES
        assert (attachment.original_name, attachment.content_type) == ("handwritten notes.pdf", "application/pdf")
        assert "handwritten" not in attachment.file.name  # the server names the file

        receipt = page_text(client.get(reverse("concerns:receipt", kwargs={"public_id": concern.public_id})))
        assert attachment.file.name not in receipt
        assert client.get("/" + attachment.file.name).status_code == 404
        assert client.get(settings.MEDIA_URL.rstrip("/") + "/" + attachment.file.name).status_code == 404

        download = reverse(
            "concerns:attachment_download",
            kwargs={"public_id": concern.public_id, "attachment_id": attachment.public_id},
        )
        response = client.get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Disposition"].startswith("attachment")

        client.logout()
        signed_in(make_person(Role.STAFF, school=school))
        assert client.get(download).status_code == 404
    finally:
        attachment.file.storage.delete(attachment.file.name)


@pytest.mark.django_db
def test_a_database_error_shows_the_form_again_with_everything_typed(client, teacher, pupil, signed_in, monkeypatch):
    """When the database fails, the page says so and keeps every answer, so pressing Send again loses nothing."""

    def fail(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(raising, "concern_raise", fail)
    signed_in(teacher)
    data = raise_form_data(pupil, location="Library quiet room", categories=["neglect"])
    response = client.post(RAISE_URL, data)
    assert response.status_code == 400
    page = page_text(response)
    assert "could not be saved just now" in page
    assert ACCOUNT + "</textarea>" in page
    assert 'value="Library quiet room"' in page
    assert "Sam Patel, teaching assistant</textarea>" in page
    assert is_checked(page, "neglect")
    assert "Maya Okonjo, Year 8, 8E" in page
    assert f'value="{data["idempotency_key"]}"' in page
    assert not Concern.objects.exists()


@pytest.mark.parametrize("where", ["another school", "left the school"])
@pytest.mark.django_db
def test_only_a_child_on_this_schools_roll_can_be_chosen(client, school, other_school, teacher, signed_in, where):
    """A pupil of another school, or one who has left, is refused as the subject and their name is not shown."""
    if where == "another school":
        outsider = PupilFactory(school=other_school, legal_first_name="Zara", legal_last_name="Quinlan")
    else:
        outsider = PupilFactory(school=school, legal_first_name="Zara", legal_last_name="Quinlan", on_roll=False)
    signed_in(teacher)
    response = client.post(RAISE_URL, raise_form_data(outsider))
    assert response.status_code == 400
    page = page_text(response)
    assert "Choose a child on your school's roll." in page
    assert "Quinlan" not in page
    assert not Concern.objects.exists()


@pytest.mark.django_db
def test_other_children_are_linked_with_their_part_and_only_from_this_roll(
    client, school, other_school, teacher, pupil, signed_in
):
    """Another child on the roll is linked with their part (R10); one from another school is refused."""
    witness = PupilFactory(school=school, legal_first_name="Leo", legal_last_name="Brennan")
    outsider = PupilFactory(school=other_school, legal_first_name="Zara", legal_last_name="Quinlan")
    signed_in(teacher)
    refused = client.post(
        RAISE_URL, raise_form_data(pupil, **{"others-0-pupil": str(outsider.public_id), "others-0-role": "witness"})
    )
    assert refused.status_code == 400
    assert "One of the other children is not on your school's roll." in page_text(refused)
    assert not Concern.objects.exists()

    sent = client.post(
        RAISE_URL, raise_form_data(pupil, **{"others-0-pupil": str(witness.public_id), "others-0-role": "witness"})
    )
    assert sent.status_code == 302
    links = Concern.objects.get().pupil_links.values_list("pupil", "role")
    assert sorted(links) == sorted([(pupil.pk, "subject"), (witness.pk, "witness")])


@pytest.mark.django_db
def test_a_trust_only_person_cannot_raise_a_concern(client, school, pupil, make_person, signed_in):
    """A trust-level role is not in a school: the page and the POST answer 403."""
    signed_in(make_person(Role.TRUST_SAFEGUARDING_LEAD, school=school))
    assert client.get(RAISE_URL).status_code == 403
    assert client.post(RAISE_URL, raise_form_data(pupil)).status_code == 403
    assert not Concern.objects.exists()


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_however_many_pupils(client, school, teacher, signed_in):
    """Opening /raise/ does not load the roll: 5 pupils or 200, the same number of queries."""
    PupilFactory.create_batch(5, school=school)
    signed_in(teacher)
    client.get(RAISE_URL)  # the first request sets up the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(RAISE_URL).status_code == 200
    PupilFactory.create_batch(195, school=school)
    with CaptureQueriesContext(connection) as many:
        assert client.get(RAISE_URL).status_code == 200
    assert len(many) == len(few)


@pytest.mark.django_db
def test_a_pdf_on_a_nudes_concern_is_refused_too(client, school, teacher, pupil, signed_in):
    """A PDF can hold an image as easily as a JPEG: nothing at all is attached to a nudes concern (R11)."""
    signed_in(teacher)
    data = raise_form_data(
        pupil, categories=["nudes"], attachments=SimpleUploadedFile("scan.pdf", PDF_BYTES, "application/pdf")
    )
    response = client.post(RAISE_URL, data)
    assert response.status_code == 400
    assert "Do not upload images or files" in page_text(response)
    assert not Concern.objects.exists()


@pytest.mark.django_db
def test_the_dsl_attaches_a_file_to_a_nudes_concern_only_with_a_reason(client, school, teacher, pupil, make_person):
    """R11: on a nudes concern a file is kept only when the DSL records why; the reason goes on the chronology."""
    from concerns.models import ChronologyEntry

    from ..conftest import sign_in

    concern = raising.concern_raise(
        author=teacher,
        school=school,
        data=raising.ConcernInput(
            idempotency_key=uuid.uuid4(),
            subject=pupil,
            happened_at=timezone.now() - timedelta(hours=1),
            location="Corridor",
            people_present="Nobody else",
            source_type=SourceType.FIRST_HAND,
            account="A pupil said an image was being passed round.",
            category_codes=["nudes"],
        ),
    )
    sign_in(client, make_person(Role.DSL, school=school))
    url = reverse("concerns:add_attachment", kwargs={"public_id": concern.public_id})
    refused = client.post(url, {"file": SimpleUploadedFile("letter.pdf", PDF_BYTES, "application/pdf")})
    assert refused.status_code == 400
    assert "record why this file must be kept" in page_text(refused)
    assert not concern.attachments.exists()
    kept = client.post(
        url,
        {
            "file": SimpleUploadedFile("letter.pdf", PDF_BYTES, "application/pdf"),
            "override_reason": "Police letter confirming the referral; it contains no image.",
        },
    )
    assert kept.status_code == 302
    assert concern.attachments.get().override_reason.startswith("Police letter")
    assert ChronologyEntry.objects.filter(concern=concern, summary__contains="Police letter confirming").exists()
