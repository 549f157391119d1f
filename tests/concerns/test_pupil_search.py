"""The pupil type-ahead on the raise form (R1): this school's current roll, by name, and nothing about concerns."""

import html
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school)


@pytest.fixture
def searcher(client, teacher):
    """Returns the fragment the type-ahead shows for a query, as text."""
    sign_in(client, teacher)

    def search(query):
        response = client.post(reverse("concerns:pupil_search"), {"q": query})
        assert response.status_code == 200
        return html.unescape(response.content.decode())

    return search


def found(fragment: str) -> int:
    return fragment.count('class="list-group-item list-group-item-action pupil-result"')


ROLL_NAMES = ("Amara Okafor", "Amara Lewis", "Kit Hale (legal name Christopher Hale)", "Ben Whitfield")


@pytest.fixture
def roll(school):
    return {
        "amara": PupilFactory(
            school=school, legal_first_name="Amara", legal_last_name="Okafor", year_group=7, form="7W"
        ),
        "lewis": PupilFactory(
            school=school, legal_first_name="Amara", legal_last_name="Lewis", year_group=10, form="10S"
        ),
        "kit": PupilFactory(
            school=school, legal_first_name="Christopher", legal_last_name="Hale", preferred_first_name="Kit"
        ),
        "ben": PupilFactory(school=school, legal_first_name="Ben", legal_last_name="Whitfield"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "a", "O"])
def test_fewer_than_two_letters_finds_nobody(roll, searcher, query):
    """One letter (or none) shows no pupils and no "no match" message."""
    fragment = searcher(query)
    assert found(fragment) == 0
    assert "No pupil on the roll matches" not in fragment


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("amara", {"Amara Okafor", "Amara Lewis"}),
        ("OKAF", {"Amara Okafor"}),
        ("kit", {"Kit Hale (legal name Christopher Hale)"}),
        ("amara lew", {"Amara Lewis"}),
        ("whit ben", {"Ben Whitfield"}),
    ],
    ids=["first-name", "surname-any-case", "preferred-name", "two-words", "two-words-any-order"],
)
def test_names_match_by_first_name_surname_preferred_name_or_several_words(roll, searcher, query, expected):
    """Every typed word must match part of a first, last or preferred name."""
    fragment = searcher(query)
    assert {name for name in ROLL_NAMES if f'<span class="fw-semibold">{name}</span>' in fragment} == expected
    assert found(fragment) == len(expected)


@pytest.mark.django_db
def test_no_match_is_explained(roll, searcher):
    """A name nobody on the roll has says so."""
    assert "No pupil on the roll matches “zzzz”" in searcher("zzzz")


@pytest.mark.django_db
def test_only_this_schools_pupils_on_roll_are_found(school, other_school, searcher):
    """Pupils of another school and pupils who have left are never offered."""
    PupilFactory(school=school, legal_first_name="Noor", legal_last_name="Castellan")
    PupilFactory(school=other_school, legal_first_name="Ivo", legal_last_name="Castellan")
    PupilFactory(school=school, legal_first_name="Rhea", legal_last_name="Castellan", on_roll=False)
    fragment = searcher("castellan")
    assert found(fragment) == 1
    assert "Noor Castellan" in fragment
    assert "Ivo" not in fragment and "Rhea" not in fragment


@pytest.mark.django_db
def test_results_show_name_year_and_form_and_nothing_of_any_concern(school, teacher, searcher):
    """A result is the name, year and form; nothing shows whether the child has concerns or a file."""
    pupil = PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo", year_group=8, form="8E")
    raise_concern(author=teacher, school=school, subject=pupil, is_immediate=True)
    fragment = searcher("okonjo")
    assert found(fragment) == 1
    assert '<span class="fw-semibold">Maya Okonjo</span>, Year 8, 8E' in fragment
    assert f'data-pupil-id="{pupil.public_id}"' in fragment
    lowered = fragment.lower()
    for word in ("concern", "immediate", "safeguarding", "file", "born", pupil.upn.lower()):
        assert word not in lowered


@pytest.mark.django_db
def test_two_pupils_with_the_same_name_are_told_apart_by_date_of_birth(school, searcher):
    """Same-name pupils show their dates of birth; a pupil with a different name does not."""
    PupilFactory(school=school, legal_first_name="Sam", legal_last_name="Taylor", date_of_birth=date(2011, 3, 4))
    PupilFactory(school=school, legal_first_name="Sam", legal_last_name="Taylor", date_of_birth=date(2012, 11, 20))
    PupilFactory(school=school, legal_first_name="Sam", legal_last_name="Taylorson", date_of_birth=date(2010, 1, 9))
    fragment = searcher("sam taylor")
    assert found(fragment) == 3
    assert "(born 4 March 2011)" in fragment
    assert "(born 20 November 2012)" in fragment
    assert "9 January 2010" not in fragment


@pytest.mark.django_db
def test_a_search_costs_the_same_queries_with_10_or_300_pupils(school, searcher):
    """The search asks the database a fixed number of questions, however big the roll."""
    PupilFactory.create_batch(10, school=school, legal_last_name="Brown")
    searcher("brown")  # the first request sets up the session
    with CaptureQueriesContext(connection) as few:
        assert found(searcher("brown")) == 10
    PupilFactory.create_batch(290, school=school, legal_last_name="Brown")
    with CaptureQueriesContext(connection) as many:
        assert found(searcher("brown")) == 12  # the list is capped
    assert len(many) == len(few)
