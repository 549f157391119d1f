"""R8 (issue 18, item 8): names are full names, never initials. "J Smith" was caught, bare "JS" was not. One
pattern serves the server's refusal on name fields and the form's warning as the person types (raise.js reads it
from the page)."""

import pytest

from concerns.forms.checks import INITIALS, looks_like_initials
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PupilFactory
from .test_raise_view import RAISE_URL, page_text, raise_form_data


@pytest.mark.parametrize(
    "text",
    ["JS", "KMB", "JS (teaching assistant)", "told by JS", "J.S", "J.S.", "J Smith", "J. Smith", "Mr S", "Mrs K."],
)
def test_initials_are_caught(text):
    assert looks_like_initials(text)


@pytest.mark.parametrize(
    "text",
    [
        "Jordan Smith",
        "Jo-Ann O'Neill",
        "PC Sam Jones, Derbyshire Constabulary",
        "Helen Marsh (DSL)",
        "Sam Patel, TA",
        "Kyle Brown, HLTA",
        "the SENCo and the SENDCo",
        "Told the GP and CSC; an EHA is open",
        'She shouted "NO" and ran to the PE block',
        "I said it was OK",
        "Form 9W, Year 10",
        "seen at A&E",
        "CAMHS and the LADO",
    ],
)
def test_names_roles_and_the_usual_abbreviations_are_not_initials(text):
    assert not looks_like_initials(text)


def test_the_page_carries_the_servers_own_pattern(client, school, make_person, db):
    """The warning as they type is the server's rule, not a copy of it that can drift."""
    sign_in(client, make_person(Role.STAFF, school=school))
    page = client.get(RAISE_URL).content.decode()
    from django.utils.html import escape

    assert f'data-initials-pattern="{escape(INITIALS.pattern)}"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["JS", "KMB"])
def test_a_source_given_as_bare_initials_is_refused(client, school, make_person, name):
    sign_in(client, make_person(Role.STAFF, school=school))
    pupil = PupilFactory(school=school)
    response = client.post(
        RAISE_URL, raise_form_data(pupil, source_type="second_hand", source_name=name, source_role="Mother")
    )
    assert response.status_code == 400
    assert "Write full names (first name and surname), not initials." in page_text(response)
