"""People and a school calendar for the report tests."""

import pytest

from safeguarding.models import Role

from .helpers import terms_2025_26


@pytest.fixture
def dsl(school, make_person):
    return make_person(Role.DSL, school=school, first_name="Helen", last_name="Marsh", job_title="DSL")


@pytest.fixture
def trustee(school, make_person):
    return make_person(Role.TRUSTEE, school=school, first_name="Ruth", last_name="Ames", job_title="Trustee")


@pytest.fixture
def terms(school):
    return terms_2025_26(school)
