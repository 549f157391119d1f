"""R47: staff told on a need-to-know basis see a short note, never the file."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from concerns.models import StaffNote
from concerns.services import records
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import raise_concern

NOTE = "Please let the pupil leave lessons to see the pastoral team if upset this week."


@pytest.fixture
def concern(school, teacher):
    return raise_concern(author=teacher, school=school, account="A private account the form tutor must not read.")


@pytest.fixture
def form_tutor(school, make_person):
    return make_person(Role.STAFF, school=school, first_name="Amir", last_name="Khan", job_title="Form tutor")


@pytest.mark.django_db
def test_the_dsl_shares_a_note_and_the_tutor_sees_only_the_note(client, concern, dsl, form_tutor):
    """The tutor told sees the note and the child's name on My concerns, and cannot open the concern or file."""
    sign_in(client, dsl)
    response = client.post(
        reverse("concerns:add_staff_note", kwargs={"public_id": concern.public_id}),
        {"staff": [form_tutor.pk], "note": NOTE},
    )
    assert response.status_code == 302
    assert list(StaffNote.objects.get(concern=concern).staff.all()) == [form_tutor]
    line = concern.chronology.get(kind="staff_note").summary
    assert "Amir Khan (Form tutor)" in line and NOTE in line

    client.logout()
    sign_in(client, form_tutor)
    page = client.get(reverse("concerns:my_concerns")).content.decode()
    assert NOTE in page and concern.subject.full_name in page
    assert "A private account the form tutor must not read." not in page
    assert client.get(reverse("concerns:detail", kwargs={"public_id": concern.public_id})).status_code == 404
    file_url = reverse("concerns:pupil_file", kwargs={"public_id": concern.subject.public_id})
    assert client.get(file_url).status_code == 404


@pytest.mark.django_db
def test_a_note_needs_someone_to_tell(client, concern, dsl):
    """Sharing with nobody is refused with a clear message; the typed note stays in the form."""
    sign_in(client, dsl)
    response = client.post(reverse("concerns:add_staff_note", kwargs={"public_id": concern.public_id}), {"note": NOTE})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose who is being told." in page and NOTE in page


@pytest.mark.django_db
def test_staff_of_another_school_cannot_be_told(concern, dsl, other_school, make_person):
    """The note goes only to people who work at the child's school."""
    stranger = make_person(Role.STAFF, school=other_school)
    with pytest.raises(ValidationError):
        records.staff_note_share(user=dsl, concern=concern, staff=[stranger], note=NOTE)
