"""R51: authorised staff see that a safeguarding file is held, never what it holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern

LOOKUP = reverse("concerns:pupil_lookup")


@pytest.fixture
def pupils(school, teacher):
    with_file = PupilFactory(school=school, legal_first_name="Keira", legal_last_name="Holloway")
    without = PupilFactory(school=school, legal_first_name="Keith", legal_last_name="Holloway")
    raise_concern(author=teacher, school=school, subject=with_file, account="Words the SENCo must never see.")
    return with_file, without


@pytest.mark.django_db
def test_the_senco_sees_the_tag_and_nothing_more(client, school, make_person, pupils):
    """The SENCo finds both pupils; only the one with a file carries the tag, and no concern text appears."""
    with_file, without = pupils
    sign_in(client, make_person(Role.SENCO, school=school))
    page = client.post(LOOKUP, {"q": "Holloway"}).content.decode()
    rows = {name: page.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Keira Holloway", "Keith Holloway")}
    assert "Safeguarding file held" in rows["Keira Holloway"]
    assert "Safeguarding file held" not in rows["Keith Holloway"]
    assert "Words the SENCo must never see." not in page
    assert reverse("concerns:pupil_file", args=[with_file.public_id]) not in page  # no link into the file


@pytest.mark.django_db
def test_plain_staff_cannot_look_pupils_up(client, school, make_person, pupils):
    """A teacher has no pupil look-up (they raise concerns with the raise form's search)."""
    sign_in(client, make_person(Role.STAFF, school=school))
    assert client.post(LOOKUP, {"q": "Holloway"}).status_code == 403


@pytest.mark.django_db
def test_the_lookup_costs_the_same_for_few_and_many_matches(client, school, dsl, pupils):
    """Whether a file is held comes in the same query as the pupils, however many match."""
    sign_in(client, dsl)
    client.post(LOOKUP, {"q": "Holloway"})
    with CaptureQueriesContext(connection) as few:
        client.post(LOOKUP, {"q": "Holloway"})
    PupilFactory.create_batch(20, school=school, legal_last_name="Holloway")
    with CaptureQueriesContext(connection) as many:
        client.post(LOOKUP, {"q": "Holloway"})
    assert len(many) == len(few)
