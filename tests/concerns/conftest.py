"""People the concerns tests share: a teacher who raises concerns, and the DSL team who act on them."""

import pytest

from safeguarding.models import Role


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school, first_name="Priya", last_name="Sharma", job_title="Teacher")


@pytest.fixture
def dsl(school, make_person):
    return make_person(
        Role.DSL, school=school, first_name="Helen", last_name="Marsh", job_title="Designated Safeguarding Lead"
    )


@pytest.fixture
def deputy(school, make_person):
    return make_person(
        Role.DEPUTY_DSL, school=school, first_name="Tom", last_name="Reeve", job_title="Deputy Safeguarding Lead"
    )
