"""People, a school calendar and a fixed clock for the report tests."""

import pytest
import time_machine

from safeguarding.models import Role

from .helpers import TODAY, terms_2025_26


@pytest.fixture(autouse=True)
def frozen_clock():
    """Every report test runs on TODAY (helpers.py), whatever the wall clock says."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dsl(school, make_person):
    return make_person(Role.DSL, school=school, first_name="Helen", last_name="Marsh", job_title="DSL")


@pytest.fixture
def trustee(school, make_person):
    return make_person(Role.TRUSTEE, school=school, first_name="Ruth", last_name="Ames", job_title="Trustee")


@pytest.fixture
def terms(school):
    return terms_2025_26(school)
