"""The child's CP file (/pupils/<id>/) and its PDF export: the chronology, who may open it, the audit log, and a
record a stranger can read decades from now (R52–R54, R85)."""

import html
import io
import re
from datetime import datetime, timedelta

import pypdf
import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.models import DecisionKind, LevelOfNeed
from concerns.services import alerting, pupil_file, raising, records, triage
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PupilFactory, concern_input, raise_concern

TRIAGE_REASON = "Significant harm is likely: the bruising and the words together meet the section 47 threshold."
DECISION_REASON = "The police asked the school to wait, so the child is not put at further risk before they visit."
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in the autumn term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo")


def file_url(pupil):
    return reverse("concerns:pupil_file", kwargs={"public_id": pupil.public_id})


def pdf_url(pupil):
    return reverse("concerns:pupil_file_pdf", kwargs={"public_id": pupil.public_id})


def text(response) -> str:
    return html.unescape(response.content.decode())


def pdf_text(response) -> str:
    """The PDF's words with line breaks, page breaks and page numbers taken out, as one line."""
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    words = "\n".join(page.extract_text() for page in reader.pages)
    words = re.sub(r"Page \d+ of \d+", " ", words)
    return " ".join(words.split())


def access_entries(pupil):
    return LogEntry.objects.get_for_object(pupil).filter(action=LogEntry.Action.ACCESS)


def worked_concern(*, teacher, dsl, school, pupil, number=0):
    """A concern with everything the file prints: a quote, an addendum, a triage, a decision, and closing; every
    other one given verbally to the DSL."""
    concern = raising.concern_raise(
        author=teacher,
        recorded_by=dsl if number % 2 else None,
        school=school,
        data=concern_input(
            subject=pupil,
            account=f"Account number {number}: the pupil arrived without a coat and said they had not eaten.",
            quotes=[(f"Nobody made tea last night, number {number}.", "Maya Okonjo")],
        ),
    )
    raising.addendum_add(user=teacher, concern=concern, text=f"Addendum number {number}.")
    triage.concern_triage(
        user=dsl,
        concern=concern,
        data=triage.TriageInput(level=LevelOfNeed.objects.get(code="level_3"), rationale="Child in need."),
        expected_version=1,
    )
    triage.decision_record(user=dsl, concern=concern, kind=DecisionKind.EARLY_HELP, rationale="Family agrees.")
    triage.concern_close(user=dsl, concern=concern, outcome_summary="Early help in place.", expected_version=2)
    return concern


@pytest.mark.django_db
def test_the_dsl_sees_the_chronology_newest_first(client, school, teacher, dsl, pupil):
    """The file lists the chronology by when things happened, newest first, whatever order they were typed in."""
    raise_concern(author=teacher, school=school, subject=pupil, location="Playground by the gate")
    with time_machine.travel(NOW - timedelta(days=7), tick=False):  # made second, but a week earlier
        raise_concern(author=teacher, school=school, subject=pupil, location="Science lab S2")
    sign_in(client, dsl)
    response = client.get(file_url(pupil))
    assert response.status_code == 200
    page = text(response)
    assert "Child protection file: Maya Okonjo" in page
    newer, older = page.index("at Playground by the gate"), page.index("at Science lab S2")
    assert newer < older


@pytest.mark.django_db
def test_the_chronology_gives_full_names_and_roles(client, school, teacher, dsl, pupil):
    """Each line names people in full with their roles, not by account or initials (R54)."""
    concern = raise_concern(author=teacher, school=school, subject=pupil)
    alerting.concern_acknowledge(user=dsl, concern=concern)
    sign_in(client, dsl)
    page = text(client.get(file_url(pupil)))
    assert "Concern recorded by Priya Sharma (Teacher)" in page
    assert "Concern acknowledged by Helen Marsh (Designated Safeguarding Lead)." in page


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.HEADTEACHER, Role.TRUSTEE])
@pytest.mark.parametrize("where", [file_url, pdf_url], ids=["page", "pdf"])
def test_only_the_dsl_team_opens_the_file(client, school, teacher, pupil, make_person, role, where):
    """Staff, the Headteacher and trustees get a 404, as if the file did not exist, and nothing is logged."""
    raise_concern(author=teacher, school=school, subject=pupil)
    sign_in(client, make_person(role, school=school))
    assert client.get(where(pupil)).status_code == 404
    assert not access_entries(pupil).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("where", [file_url, pdf_url], ids=["page", "pdf"])
def test_another_schools_dsl_cannot_open_the_file(client, school, other_school, teacher, pupil, make_person, where):
    """The DSL of another school gets a 404 for this school's child."""
    raise_concern(author=teacher, school=school, subject=pupil)
    sign_in(client, make_person(Role.DSL, school=other_school))
    assert client.get(where(pupil)).status_code == 404
    assert not access_entries(pupil).exists()


@pytest.mark.django_db
def test_each_view_of_the_file_is_in_the_audit_log(client, school, teacher, dsl, pupil):
    """Every opening of the file writes an access entry for the child, naming who opened it (R85)."""
    raise_concern(author=teacher, school=school, subject=pupil)
    sign_in(client, dsl)
    client.get(file_url(pupil))
    client.get(file_url(pupil))
    entries = list(access_entries(pupil))
    assert len(entries) == 2
    assert {entry.actor for entry in entries} == {dsl}


@pytest.mark.django_db
def test_the_file_page_costs_the_same_queries_for_3_or_30_concerns(client, school, teacher, dsl, pupil):
    """The file asks the database a fixed number of questions, however long the child's history: it lists the
    newest 10 concerns and counts the earlier ones (tests/concerns/test_pupil_file_paging.py)."""
    for number in range(3):
        worked_concern(teacher=teacher, dsl=dsl, school=school, pupil=pupil, number=number)
    sign_in(client, dsl)
    client.get(file_url(pupil))  # the first request sets up the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(file_url(pupil)).status_code == 200
    concerns = [
        worked_concern(teacher=teacher, dsl=dsl, school=school, pupil=pupil, number=number) for number in range(3, 30)
    ]
    with CaptureQueriesContext(connection) as many:
        page = text(client.get(file_url(pupil)))
    newest, earlier = concerns[-10:], concerns[:-10]
    assert all(str(concern.public_id) in page for concern in newest)
    assert not any(str(concern.public_id) in page for concern in earlier)
    assert "The newest 10 of 30 concerns." in page and "Earlier concerns: 20 more" in page
    assert len(many) == len(few)


@pytest.fixture
def full_file(school, teacher, dsl, pupil):
    """Two concerns about Maya: one triaged at level 4 with a decision not to tell her parents, one plain."""
    first = raise_concern(
        author=teacher,
        school=school,
        subject=pupil,
        account="Maya had a bruise shaped like fingers on her upper arm when she rolled up her sleeve in PE.",
        quotes=[("Mum grabbed me when I dropped the plates.", "Maya Okonjo")],
        category_codes=["emotional_abuse", "physical_abuse"],
    )
    triage.concern_triage(
        user=dsl,
        concern=first,
        data=triage.TriageInput(level=LevelOfNeed.objects.get(code="level_4"), rationale=TRIAGE_REASON),
        expected_version=1,
    )
    triage.decision_record(user=dsl, concern=first, kind=DecisionKind.NOT_TELL_PARENTS, rationale=DECISION_REASON)
    raise_concern(
        author=teacher,
        school=school,
        subject=pupil,
        account="Maya fell asleep in the first lesson and said she had been up all night.",
        quotes=[("The baby cried all night again.", "Maya Okonjo"), ("She has been tired all week.", "Sam Patel")],
    )
    return pupil


@pytest.mark.django_db
def test_the_file_downloads_as_a_pdf(client, dsl, full_file):
    """The whole file comes as a PDF attachment."""
    sign_in(client, dsl)
    response = client.get(pdf_url(full_file))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_the_pdf_holds_the_chronology_in_words(client, dsl, full_file):
    """The PDF's chronology names the reporter in full and gives the triage and the decision with their reasons."""
    sign_in(client, dsl)
    words = pdf_text(client.get(pdf_url(full_file)))
    assert "Priya Sharma" in words
    assert "Concern recorded by Priya Sharma (Teacher)" in words
    assert "Level 4: Serious or acute needs (child protection)" in words
    assert TRIAGE_REASON in words
    assert "Not to tell the parents or carers" in words
    assert DECISION_REASON in words


@pytest.mark.django_db
def test_the_pdf_holds_each_account_and_each_quote_with_its_speaker(client, dsl, full_file):
    """Every concern is there in full: what was seen or heard, and the exact words with who said them (R6, R53)."""
    sign_in(client, dsl)
    words = pdf_text(client.get(pdf_url(full_file)))
    assert "Maya had a bruise shaped like fingers on her upper arm when she rolled up her sleeve in PE." in words
    assert "Maya fell asleep in the first lesson and said she had been up all night." in words
    assert "“Mum grabbed me when I dropped the plates.” (Maya Okonjo)" in words
    assert "“The baby cried all night again.” (Maya Okonjo)" in words
    assert "“She has been tired all week.” (Sam Patel)" in words


@pytest.mark.django_db
def test_the_pdf_has_no_internal_codes(client, dsl, full_file):
    """A reader decades from now meets words, not codes such as level_4 or not_tell_parents (R54)."""
    sign_in(client, dsl)
    words = pdf_text(client.get(pdf_url(full_file)))
    for code in ("level_4", "not_tell_parents", "emotional_abuse", "physical_abuse", "first_hand"):
        assert code not in words
    assert re.findall(r"\b[a-z]+_[a-z0-9_]+\b", words) == []
    assert "Emotional abuse" in words


@pytest.mark.django_db
def test_each_pdf_download_is_in_the_audit_log(client, dsl, full_file):
    """Every PDF export writes an access entry for the child too (R85)."""
    sign_in(client, dsl)
    client.get(pdf_url(full_file))
    assert access_entries(full_file).count() == 1
    client.get(pdf_url(full_file))
    assert access_entries(full_file).count() == 2
    assert {entry.actor for entry in access_entries(full_file)} == {dsl}


@pytest.mark.django_db
def test_the_pdf_costs_the_same_queries_for_3_or_30_concerns(client, school, teacher, dsl, pupil):
    """The export asks the database a fixed number of questions, however long the child's history."""
    for number in range(3):
        worked_concern(teacher=teacher, dsl=dsl, school=school, pupil=pupil, number=number)
    sign_in(client, dsl)
    client.get(file_url(pupil))  # the first request sets up the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(pdf_url(pupil)).status_code == 200
    for number in range(3, 30):
        worked_concern(teacher=teacher, dsl=dsl, school=school, pupil=pupil, number=number)
    with CaptureQueriesContext(connection) as many:
        response = client.get(pdf_url(pupil))
    assert "Account number 29:" in pdf_text(response)
    assert len(many) == len(few)


# --- Issue 18, item 5: the PDF holds everything the file page shows, each labelled --------------------------------


@pytest.mark.django_db
def test_the_pdf_holds_the_flags_key_people_files_and_both_category_choices(client, school, teacher, dsl, full_file):
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from concerns.models import Concern, FlagKind, KeyPerson, KeyPersonKind, PupilFlag

    from ..factories import PDF_BYTES

    pupil = full_file
    pupil_file.pupil_profile_add(
        user=dsl,
        pupil=pupil,
        record=PupilFlag(
            kind=FlagKind.CHILD_PROTECTION, starts_on=date(2026, 9, 14), source="Derby City Children's Services"
        ),
    )
    pupil_file.pupil_profile_add(
        user=dsl,
        pupil=pupil,
        record=KeyPerson(
            kind=KeyPersonKind.SOCIAL_WORKER,
            name="Grace Adeyemi",
            relationship_or_team="Derby City Children's Services",
            phone="01332 640000",
        ),
    )
    first = Concern.objects.filter(account__startswith="Maya had a bruise").get()
    triage.concern_triage(
        user=dsl,
        concern=first,
        data=triage.TriageInput(
            level=LevelOfNeed.objects.get(code="level_4"), rationale="Again", category_codes=["physical_abuse"]
        ),
        expected_version=None,
    )
    upload = SimpleUploadedFile("body-map.pdf", PDF_BYTES, content_type="application/pdf")
    records.attachment_add(
        user=dsl,
        concern=first,
        upload=raising.UploadedFile(
            name="body-map.pdf", content_type="application/pdf", size=len(PDF_BYTES), file=upload
        ),
    )

    sign_in(client, dsl)
    words = pdf_text(client.get(pdf_url(pupil)))
    assert (
        "Flag: Child protection plan, from 14 September 2026 (current). Source: Derby City Children's Services."
        in words
    )
    assert "Social worker: Grace Adeyemi, Derby City Children's Services, telephone 01332 640000." in words
    assert "File: body-map.pdf" in words and "added" in words and "by Helen Marsh" in words
    # Physical abuse was both the writer's choice and the DSL's: each is said once, and said whose it was.
    assert "Kind of concern chosen by the writer: Emotional abuse; Physical abuse." in words
    assert "Re-categorised by the safeguarding team as: Physical abuse." in words


@pytest.mark.django_db
def test_every_page_of_the_pdf_says_whose_file_it_is_and_that_it_is_confidential(client, school, teacher, dsl, pupil):
    for number in range(12):
        worked_concern(teacher=teacher, dsl=dsl, school=school, pupil=pupil, number=number)
    sign_in(client, dsl)
    reader = pypdf.PdfReader(io.BytesIO(client.get(pdf_url(pupil)).content))
    assert len(reader.pages) > 2
    for page in reader.pages:
        assert "Confidential: child protection file of Maya Okonjo" in " ".join(page.extract_text().split())
