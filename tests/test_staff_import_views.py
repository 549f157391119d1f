"""Staff in bulk (issue 13), the pages: upload, preview, confirm and the result, for the IT administrator only.

Every person here is fictional.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safeguarding.models import Membership, Role, User
from safeguarding.staff_import_views import PENDING

from .conftest import sign_in
from .test_staff_import import HEADER, SIS, fake_invitations


@pytest.fixture
def invitations(monkeypatch):
    return fake_invitations(monkeypatch)


UPLOAD = reverse("staff_import:upload")
PREVIEW = reverse("staff_import:preview")
CONFIRM = reverse("staff_import:confirm")
DONE = reverse("staff_import:done")


@pytest.fixture
def itadmin(school, make_person):
    return make_person(Role.IT_ADMIN, school=school, username="itadmin", email="it@westpark.example")


@pytest.fixture
def admin_client(client, itadmin):
    return sign_in(client, itadmin)


def csv_file(text, name="staff.csv", encoding="utf-8"):
    data = text if isinstance(text, bytes) else text.encode(encoding)
    return SimpleUploadedFile(name, data, content_type="text/csv")


def upload(client, text, *, whole_list=False, **file_options):
    data = {"file": csv_file(text, **file_options)}
    if whole_list:
        data["whole_list"] = "on"
    return client.post(UPLOAD, data)


def confirm(client, **extra):
    return client.post(CONFIRM, {"digest": client.session[PENDING]["digest"], **extra})


@pytest.mark.django_db
def test_the_users_list_in_the_admin_links_to_the_import(admin_client):
    page = admin_client.get(reverse("admin:safeguarding_user_changelist")).content.decode()
    assert f'href="{UPLOAD}"' in page and "Import staff from a CSV file" in page


@pytest.mark.django_db
def test_the_upload_page_offers_the_form(admin_client):
    page = admin_client.get(UPLOAD).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="csrfmiddlewaretoken"' in page
    assert "This file is the whole staff list" in page


@pytest.mark.django_db
def test_upload_preview_confirm_and_result(admin_client, school, make_person, invitations, itadmin):
    """The file is uploaded once; the preview lists who is added and changed with the counts; confirming imports it."""
    make_person(
        Role.STAFF,
        school=school,
        first_name="Reuben",
        last_name="Holis",
        job_title="Teacher",
        email="r.hollis@westpark.example",
    )
    response = upload(admin_client, SIS)
    assert response.status_code == 302 and response.url == PREVIEW
    page = admin_client.get(PREVIEW).content.decode()
    assert "To add (1)" in page and "Adaeze Okafor" in page and "a.okafor" in page
    assert "To change (1)" in page and "Holis" in page and "Head of Year 9" in page
    assert "Problems (" not in page and 'action="' + CONFIRM + '"' in page
    assert not User.objects.filter(email="a.okafor@westpark.example").exists()

    response = confirm(admin_client)
    assert response.status_code == 302 and response.url == DONE
    assert User.objects.filter(email="a.okafor@westpark.example", memberships__school=school).exists()
    assert invitations == [("a.okafor@westpark.example", itadmin)]
    assert PENDING not in admin_client.session
    page = admin_client.get(DONE).content.decode()
    assert "The staff list is imported: 1 added and invited, 1 changed, 0 deactivated." in page
    assert "Added and invited (1)" in page and "Adaeze Okafor" in page


@pytest.mark.django_db
def test_the_whole_list_box_deactivates_the_leavers_shown(admin_client, school, make_person, invitations):
    leaver = make_person(
        Role.STAFF, school=school, first_name="Tom", last_name="Varga", email="t.varga@westpark.example"
    )
    upload(admin_client, SIS, whole_list=True)
    page = admin_client.get(PREVIEW).content.decode()
    assert "Leaving, to be deactivated (1)" in page and "Tom Varga" in page
    confirm(admin_client)
    leaver.refresh_from_db()
    assert not leaver.is_active


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "The submitted file is empty."),  # Django's own check, before the importer's
        ("First name,Email\nZoë,z@westpark.example\n".encode("cp1252"), "is not UTF-8 text"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "is not a CSV file"),
        (b"First name,Last name,Email\n" + b"A,B,c@westpark.example\n" * 100_000, "larger than the 2 MB"),
    ],
)
@pytest.mark.django_db
def test_a_bad_file_is_refused_with_a_clear_message_and_changes_nothing(admin_client, data, says):
    before = User.objects.count()
    response = upload(admin_client, data)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert PENDING not in admin_client.session and User.objects.count() == before


@pytest.mark.django_db
def test_a_file_with_problems_shows_them_by_line_and_cannot_be_confirmed(admin_client, invitations):
    upload(admin_client, "Forename,Surname,Job Title\nAda,Okafor,Teacher\n")
    page = admin_client.get(PREVIEW).content.decode()
    assert "Problems (1)" in page and "there is no email column" in page
    assert 'action="' + CONFIRM + '"' not in page

    upload(admin_client, SIS + "Ms,Mei,Chen,not-an-email,Teacher\n")
    page = admin_client.get(PREVIEW).content.decode()
    assert "<td>4</td><td>&#x27;not-an-email&#x27; is not an email address</td>" in page
    response = confirm(admin_client)  # posted anyway
    assert response.status_code == 400
    assert "This file has problems, so nothing was changed." in response.content.decode()
    assert not User.objects.filter(email="a.okafor@westpark.example").exists()
    assert invitations == []


@pytest.mark.django_db
def test_safeguarding_roles_are_given_only_with_the_box_ticked(admin_client, school, invitations):
    upload(admin_client, HEADER + "Ada,Okafor,a.okafor@westpark.example,Teacher,Deputy DSL\n")
    page = admin_client.get(PREVIEW).content.decode()
    assert "Safeguarding roles to confirm (1)" in page and "Deputy Designated Safeguarding Lead" in page
    assert "Give the safeguarding roles listed above" in page

    response = confirm(admin_client)
    assert response.status_code == 400
    assert "Tick this box to give the safeguarding roles listed" in response.content.decode()
    assert not User.objects.filter(email="a.okafor@westpark.example").exists()

    response = confirm(admin_client, confirm_roles="on")
    assert response.status_code == 302
    assert Membership.objects.filter(user__email="a.okafor@westpark.example", role=Role.DEPUTY_DSL).exists()


@pytest.mark.django_db
def test_a_confirmation_for_another_file_changes_nothing(admin_client, invitations):
    upload(admin_client, SIS)
    admin_client.get(PREVIEW)
    response = admin_client.post(CONFIRM, {"digest": "0" * 64})
    assert response.status_code == 302 and response.url == PREVIEW
    assert not User.objects.filter(email="a.okafor@westpark.example").exists()


@pytest.mark.django_db
def test_a_change_since_the_preview_sends_the_administrator_back_to_it(admin_client, make_person, school):
    upload(admin_client, SIS, whole_list=True)
    admin_client.get(PREVIEW)
    make_person(Role.STAFF, school=school, email="arrived.meanwhile@westpark.example")
    response = confirm(admin_client)
    assert response.status_code == 302 and response.url == PREVIEW
    assert "changed since the preview" in admin_client.get(PREVIEW).content.decode()
    assert not User.objects.filter(email="a.okafor@westpark.example").exists()


@pytest.mark.django_db
def test_the_upload_needs_the_csrf_token(itadmin):
    client = sign_in(Client(enforce_csrf_checks=True), itadmin)
    response = client.post(UPLOAD, {"file": csv_file(SIS)})
    assert response.status_code == 403
    assert PENDING not in client.session


@pytest.mark.parametrize(
    "roles",
    [(Role.STAFF,), (Role.DSL,), (Role.DEPUTY_DSL,), (Role.HEADTEACHER,), (Role.CHAIR,), (Role.DPO,), (Role.TRUSTEE,)],
)
@pytest.mark.django_db
def test_nobody_but_the_it_administrator_uploads_or_confirms(client, school, make_person, roles):
    sign_in(client, make_person(*roles, school=school))
    assert client.post(UPLOAD, {"file": csv_file(SIS)}).status_code == 403
    assert client.post(CONFIRM, {"digest": "0" * 64}).status_code == 403
    assert not User.objects.filter(email="a.okafor@westpark.example").exists()


@pytest.mark.django_db
def test_the_it_administrator_of_another_school_cannot_import_here(client, school, other_school, make_person):
    sign_in(client, make_person(Role.IT_ADMIN, school=other_school))
    client.post(UPLOAD, {"file": csv_file(SIS), "school": str(school.public_id)})
    assert PENDING not in client.session


@pytest.mark.django_db
def test_an_administrator_of_two_schools_chooses_one(client, school, other_school, make_person, invitations):
    admin = make_person(Role.IT_ADMIN, school=school)
    Membership.objects.create(user=admin, school=other_school, role=Role.IT_ADMIN)
    sign_in(client, admin)
    assert "Riverside Academy" in client.get(UPLOAD).content.decode()
    client.post(UPLOAD, {"file": csv_file(SIS), "school": str(other_school.public_id)})
    assert "Riverside Academy." in client.get(PREVIEW).content.decode()
    confirm(client)
    assert User.objects.filter(email="a.okafor@westpark.example", memberships__school=other_school).exists()
