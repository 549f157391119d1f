"""The author's side after sending (R15, R16): /my-concerns/, the read-only receipt and dated addenda."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from concerns.models import Addendum
from concerns.services import alerting, raising
from contacts.models import Purpose
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import ContactFactory, PupilFactory, raise_concern
from .test_raise_view import page_text

MY_CONCERNS_URL = "/my-concerns/"
ACCOUNT = "In the lunch queue the pupil said there was no food at home again and she had not eaten since Friday."
IMMEDIATE_GUIDANCE = "Now speak to the DSL or a deputy in person. If a child is in immediate danger, call 999."
ADULT_GUIDANCE = (
    "Report it about the adult as well, today: it goes in confidence to the Headteacher (the Chair of Trustees if it "
    "is about the Headteacher)."
)


def receipt_url(concern):
    return reverse("concerns:receipt", kwargs={"public_id": concern.public_id})


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school, first_name="Priya", last_name="Sharma", job_title="Science teacher")


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo", year_group=8, form="8E")


@pytest.mark.django_db
def test_my_concerns_lists_the_authors_concerns_and_whether_they_were_received(
    client, school, teacher, pupil, make_person
):
    """Each of the author's concerns shows the child and "Not yet" or "Yes" for the team's acknowledgement;
    a colleague's concerns are not listed."""
    dsl = make_person(Role.DSL, school=school)
    colleague = make_person(Role.STAFF, school=school)
    received_about = PupilFactory(school=school, legal_first_name="Leo", legal_last_name="Brennan")
    received = raise_concern(author=teacher, school=school, subject=received_about)
    alerting.concern_acknowledge(user=dsl, concern=received)
    raise_concern(author=teacher, school=school, subject=pupil)
    raise_concern(
        author=colleague,
        school=school,
        subject=PupilFactory(school=school, legal_first_name="Ivy", legal_last_name="Marchetti"),
    )
    sign_in(client, teacher)
    response = client.get(MY_CONCERNS_URL)
    assert response.status_code == 200
    page = page_text(response)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2
    by_child = {("Maya Okonjo" in row, "Leo Brennan" in row): row for row in rows}
    assert "Not yet" in by_child[(True, False)]
    assert "Yes, " in by_child[(False, True)] and "Not yet" not in by_child[(False, True)]
    assert "Marchetti" not in page


@pytest.mark.django_db
def test_someone_with_no_concerns_is_told_so(client, school, teacher, pupil, make_person):
    """A person who has not recorded anything sees an empty list, not someone else's concerns."""
    raise_concern(author=make_person(Role.STAFF, school=school), school=school, subject=pupil)
    sign_in(client, teacher)
    page = page_text(client.get(MY_CONCERNS_URL))
    assert "You have not recorded any concerns." in page
    assert "Okonjo" not in page


@pytest.mark.django_db
def test_the_receipt_shows_the_concern_as_written_and_cannot_edit_it(client, school, teacher, pupil):
    """The receipt shows the child, the account, the place and the author, with no field to change any of it."""
    concern = raise_concern(
        author=teacher,
        school=school,
        subject=pupil,
        account=ACCOUNT,
        location="Dining hall",
        quotes=[("There is never any food", "Maya Okonjo")],
    )
    sign_in(client, teacher)
    response = client.get(receipt_url(concern))
    assert response.status_code == 200
    page = page_text(response)
    assert "Your concern has been sent to the safeguarding team" in page
    assert "Maya Okonjo, Year 8, 8E" in page
    assert ACCOUNT in page
    assert "Dining hall" in page
    assert "“There is never any food”" in page
    assert "by Priya Sharma, Science teacher" in page
    assert "Emotional abuse" in page
    for field in ("account", "location", "people_present", "happened_on", "categories"):
        assert f'name="{field}"' not in page


@pytest.mark.django_db
def test_an_addendum_is_dated_and_named_and_leaves_the_original_unchanged(client, school, teacher, pupil):
    """The author adds a correction; it shows with the date, time and their name, and the account is as sent,
    even when the POST tries to rewrite it."""
    concern = raise_concern(author=teacher, school=school, subject=pupil, account=ACCOUNT)
    sign_in(client, teacher)
    response = client.post(
        receipt_url(concern), {"text": "It was Thursday, not Friday.", "account": "Rewritten account."}
    )
    assert response.status_code == 302 and response.url == receipt_url(concern)
    addendum = Addendum.objects.get()
    assert (addendum.concern, addendum.author, addendum.author_name) == (concern, teacher, "Priya Sharma")
    concern.refresh_from_db()
    assert concern.account == ACCOUNT
    page = page_text(client.get(receipt_url(concern)))
    written = date_format(timezone.localtime(addendum.written_at), "l j F Y, H:i")
    assert f"{written}, Priya Sharma, Science teacher" in page
    assert "It was Thursday, not Friday." in page
    assert ACCOUNT in page
    assert "Rewritten account." not in page


@pytest.mark.django_db
def test_an_empty_addendum_is_not_added(client, school, teacher, pupil):
    """Pressing "Add to the record" with nothing written adds nothing."""
    concern = raise_concern(author=teacher, school=school, subject=pupil)
    sign_in(client, teacher)
    assert client.post(receipt_url(concern), {"text": ""}).status_code == 200
    assert not Addendum.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STAFF, Role.DSL])
def test_a_receipt_is_its_authors_alone(client, school, teacher, pupil, make_person, role):
    """Anyone but the author, even the DSL, gets 404 for the receipt and cannot add to it there."""
    concern = raise_concern(author=teacher, school=school, subject=pupil)
    sign_in(client, make_person(role, school=school))
    assert client.get(receipt_url(concern)).status_code == 404
    assert client.post(receipt_url(concern), {"text": "Not mine to add."}).status_code == 404
    assert not Addendum.objects.exists()


@pytest.mark.django_db
def test_a_concern_about_an_adult_tells_the_author_to_go_to_the_headteacher_or_lado(client, school, teacher, pupil):
    """When an adult may have caused the harm, the receipt names the Headteacher route and the LADO's contact."""
    ContactFactory(school=school, purpose=Purpose.LADO, role="Local Authority Designated Officer", phone="01332 642376")
    concern = raise_concern(author=teacher, school=school, subject=pupil, involves_adult=True)
    routine = raise_concern(author=teacher, school=school, subject=pupil)
    sign_in(client, teacher)
    page = page_text(client.get(receipt_url(concern)))
    assert ADULT_GUIDANCE in page
    assert "contact the LADO directly" in page
    assert "Report a concern about an adult" in page  # R17: the link to the adult route
    assert "Local Authority Designated Officer, 01332 642376" in page
    assert ADULT_GUIDANCE not in page_text(client.get(receipt_url(routine)))


@pytest.mark.django_db
def test_an_immediate_concern_tells_the_author_to_speak_to_the_dsl_now(client, school, teacher, pupil):
    """The receipt of an Immediate concern says to speak to the DSL in person now and to call 999 in danger;
    a routine receipt does not."""
    immediate = raise_concern(author=teacher, school=school, subject=pupil, is_immediate=True)
    routine = raise_concern(author=teacher, school=school, subject=pupil)
    sign_in(client, teacher)
    page = page_text(client.get(receipt_url(immediate)))
    assert "You marked this Immediate." in page
    assert IMMEDIATE_GUIDANCE in page
    assert IMMEDIATE_GUIDANCE not in page_text(client.get(receipt_url(routine)))


@pytest.mark.django_db
def test_my_concerns_costs_the_same_queries_for_3_or_30_concerns(client, school, teacher):
    """The list asks the database a fixed number of questions, however many concerns the author has written."""
    for _ in range(3):
        raise_concern(author=teacher, school=school)
    sign_in(client, teacher)
    client.get(MY_CONCERNS_URL)  # the first request sets up the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(MY_CONCERNS_URL).content.decode().count("Not yet") == 3
    for _ in range(27):
        raise_concern(author=teacher, school=school)
    with CaptureQueriesContext(connection) as many:
        # 25 a page (issue 18, item 12; tests/concerns/test_my_concerns_paging.py), the rest on the next.
        assert client.get(MY_CONCERNS_URL).content.decode().count("Not yet") == 25
    assert len(many) == len(few)


@pytest.mark.django_db
def test_the_receipt_shows_the_authors_own_addenda_and_not_the_dsl_teams(client, school, teacher, pupil, make_person):
    """The reporter sees their own corrections on the receipt, never what the DSL team added afterwards."""
    dsl = make_person(Role.DSL, school=school)
    concern = raise_concern(author=teacher, school=school, subject=pupil)
    raising.addendum_add(user=teacher, concern=concern, text="It was Thursday, not Friday.")
    raising.addendum_add(user=dsl, concern=concern, text="Strategy discussion held with children's social care.")
    sign_in(client, teacher)
    page = page_text(client.get(receipt_url(concern)))
    assert "It was Thursday, not Friday." in page
    assert "Strategy discussion" not in page


@pytest.mark.django_db
def test_opening_the_receipt_is_logged_as_an_access(client, school, teacher, pupil):
    """R85: the receipt shows what was written about the child, so each opening is logged, by whom."""
    from auditlog.models import LogEntry

    concern = raise_concern(author=teacher, school=school, subject=pupil, account=ACCOUNT)
    sign_in(client, teacher)
    client.get(receipt_url(concern))
    row = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_pk=str(concern.pk))
    assert (row.actor, row.changes_text) == (teacher, "author's receipt")
