"""In a real Chromium (issue 18, item 1; R11, R15): the DSL keeps a file, with a reason, on a concern about nude
images that a teacher raised; the teacher's receipt shows neither the file nor the reason, and the file's address,
typed in by hand, answers "not found"."""

import re

import pytest
from playwright.sync_api import expect

from concerns.models import Attachment, Pupil
from safeguarding.demo import DEMO_SCHOOL, load_demo
from safeguarding.models import School, User
from tests.conftest import current_code
from tests.factories import PDF_BYTES, raise_concern

from .test_contacts_journey import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "The police asked the school to keep the letter from the other school."


def test_a_teacher_cannot_open_a_file_the_dsl_kept_on_their_concern(page, live_server, tmp_path):
    load_demo()
    school = School.objects.get(name=DEMO_SCHOOL)
    pupil = Pupil.objects.filter(school=school, on_roll=True).order_by("upn").last()
    concern = raise_concern(
        author=User.objects.get(username="staff"),
        school=school,
        subject=pupil,
        category_codes=["nudes"],
        account="A pupil said an image of the child was being passed round on a phone.",
    )
    letter = tmp_path / "letter-from-the-other-school.pdf"
    letter.write_bytes(PDF_BYTES)

    # The DSL keeps the letter, with the reason the nudes rule asks for.
    sign_in(page, live_server.url, "dsl", next_path=f"/concerns/{concern.public_id}/")
    page.get_by_label("Six-digit code from your authenticator app").fill(current_code())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("Concern about"))).to_be_visible()
    page.get_by_label("File (PDF, JPEG or PNG, up to 10 MB)").set_input_files(str(letter))
    page.get_by_label("Reason (required for a concern about nude or semi-nude images)").fill(REASON)
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_text("File attached.")).to_be_visible()
    expect(page.get_by_role("link", name="letter-from-the-other-school.pdf")).to_be_visible()
    kept = Attachment.objects.get(concern=concern)
    page.get_by_role("button", name="Sign out").click()

    # The teacher reads their receipt: their own account, and nothing the DSL added.
    sign_in(page, live_server.url, "staff", next_path=f"/my-concerns/{concern.public_id}/")
    expect(page.get_by_role("heading", name="Your concern has been sent to the safeguarding team")).to_be_visible()
    expect(page.get_by_text("A pupil said an image of the child was being passed round on a phone.")).to_be_visible()
    expect(page.get_by_text("letter-from-the-other-school.pdf")).to_have_count(0)
    expect(page.get_by_text(REASON)).to_have_count(0)

    # Typing the file's address by hand gets the "not found" page, not the file.
    response = page.goto(f"{live_server.url}/concerns/{concern.public_id}/attachments/{kept.public_id}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name=re.compile("not found", re.IGNORECASE))).to_be_visible()
