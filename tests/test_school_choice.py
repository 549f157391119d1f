"""A person at several schools of a trust picks the one they are working in, in the menu, for the session, and every
page follows (issue 13, item 6)."""

import pytest
from django.urls import reverse

from safeguarding import access
from safeguarding.models import Role

from .conftest import sign_in
from .factories import MembershipFactory, PupilFactory, SchoolFactory, raise_concern

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools(school):
    """Two schools of one trust; "Aldridge Academy" comes first by name."""
    school.name = "West Park School"
    school.save()
    return SchoolFactory(name="Aldridge Academy", trust=school.trust), school


@pytest.fixture
def lead(schools, make_person):
    """The DSL of both schools."""
    aldridge, west_park = schools
    person = make_person(Role.DSL, school=aldridge, username="lead")
    MembershipFactory(user=person, school=west_park, role=Role.DSL)
    return person


def choose(client, school, next_url="/queue/"):
    return client.post(reverse("choose_school"), {"school": str(school.public_id), "next": next_url})


def test_the_menu_offers_the_schools_and_the_queue_follows_the_choice(client, schools, lead, make_person):
    aldridge, west_park = schools
    for school, first, last in ((aldridge, "Ottoline", "Aldous"), (west_park, "Wilfred", "Parkin")):
        pupil = PupilFactory(school=school, legal_first_name=first, legal_last_name=last)
        raise_concern(author=make_person(Role.STAFF, school=school), school=school, subject=pupil)
    sign_in(client, lead)

    page = client.get(reverse("concerns:queue")).content.decode()
    assert 'id="nav-school-choice"' in page and "Aldous" in page and "Parkin" not in page

    response = choose(client, west_park)
    assert response.status_code == 302 and response.url == "/queue/"
    page = client.get(response.url).content.decode()
    assert "You are working in West Park School." in page
    assert "Parkin" in page and "Aldous" not in page
    assert f'<option value="{west_park.public_id}" selected>' in page

    # Kept for the session: another page, later, is still West Park's.
    raise_page = client.get(reverse("concerns:raise")).content.decode()
    assert f'<a class="navbar-brand" href="{reverse("home")}">West Park School</a>' in raise_page


def test_a_school_the_person_does_not_work_in_is_not_found(client, schools, lead):
    elsewhere = SchoolFactory(name="Riverside Academy")
    sign_in(client, lead)
    assert choose(client, elsewhere).status_code == 404
    assert client.post(reverse("choose_school"), {"school": "not-a-school"}).status_code == 404
    assert access.CHOSEN_SCHOOL_SESSION_KEY not in client.session


def test_no_switcher_for_a_person_at_one_school(client, school, make_person):
    sign_in(client, make_person(Role.STAFF, school=school))
    assert 'id="nav-school-choice"' not in client.get(reverse("concerns:raise")).content.decode()


def test_a_trust_role_alone_is_not_a_school_to_work_in(client, schools, make_person):
    """The trust's safeguarding lead reads every school's reports but works in none: no switcher."""
    aldridge, _ = schools
    person = make_person(Role.TRUST_SAFEGUARDING_LEAD, school=aldridge)
    assert access.schools_to_choose_from(person) == []


def test_the_switch_never_leaves_the_site(client, schools, lead):
    _, west_park = schools
    sign_in(client, lead)
    response = choose(client, west_park, next_url="https://evil.example/")
    assert response.status_code == 302 and response.url == reverse("home")


def test_the_chosen_school_comes_first_without_another_query(schools, lead, django_assert_num_queries):
    aldridge, west_park = schools
    assert access.schools_for(lead) == [aldridge, west_park]
    access.remember_chosen_school(lead, str(west_park.public_id))
    with django_assert_num_queries(0):
        assert access.schools_for(lead) == [west_park, aldridge]
        assert access.current_school(lead) == west_park
