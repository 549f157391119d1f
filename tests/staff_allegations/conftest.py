"""The people of a school for the adult-concern tests: a teacher, the DSL team, the Head and the Chair."""

import uuid

import pytest

from safeguarding.models import Role
from staff_allegations.services import AdultConcernInput, adult_concern_raise


@pytest.fixture
def teacher(school, make_person):
    return make_person(Role.STAFF, school=school, first_name="Priya", last_name="Sharma", job_title="Teacher")


@pytest.fixture
def colleague(school, make_person):
    return make_person(Role.STAFF, school=school, first_name="Owen", last_name="Blake", job_title="Teacher of PE")


@pytest.fixture
def dsl(school, make_person):
    return make_person(
        Role.DSL, school=school, first_name="Helen", last_name="Marsh", job_title="Designated Safeguarding Lead"
    )


@pytest.fixture
def deputy(school, make_person):
    return make_person(Role.DEPUTY_DSL, school=school, first_name="Tom", last_name="Reeve", job_title="Deputy DSL")


@pytest.fixture
def head(school, make_person):
    return make_person(Role.HEADTEACHER, school=school, first_name="Grace", last_name="Okafor", job_title="Headteacher")


@pytest.fixture
def chair(school, make_person):
    return make_person(Role.CHAIR, school=school, first_name="David", last_name="Lowe", job_title="Chair of Trustees")


@pytest.fixture
def trustee(school, make_person):
    return make_person(Role.TRUSTEE, school=school, first_name="Ruth", last_name="Ames", job_title="Trustee")


@pytest.fixture
def leadership(dsl, deputy, head, chair):
    return {"dsl": dsl, "deputy": deputy, "head": head, "chair": chair}


def report(reporter, school, *, subject=None, allegation=False, **fields):
    """Raises a concern about an adult the way the form does; an allegation ticks the first harm test."""
    values = {
        "idempotency_key": uuid.uuid4(),
        "witnessed": "Saw the adult shout at a Year 7 pupil and grab their arm in the corridor.",
        "subject_user": subject,
        "location": "Science corridor",
        "harmed": allegation,
    }
    if subject is None and not fields.get("self_referral") and fields.get("kind_hint") != "practice":
        values.update(subject_name="Jo Bright", subject_role="Supply teacher", employment="supply", employer="EdStaff")
    values.update(fields)
    return adult_concern_raise(reporter=reporter, school=school, data=AdultConcernInput(**values))
