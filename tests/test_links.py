"""`links_to(name)` (safeguarding/links.py) gives the addresses `reverse()` gives, reversing the URL only once."""

import uuid

import pytest
from django.urls import NoReverseMatch, reverse

from safeguarding.links import links_to


@pytest.mark.parametrize(
    "name", ["concerns:detail", "concerns:pupil_file", "staff_allegations:detail", "concerns:pupil_file_chronology"]
)
def test_each_address_is_the_one_reverse_gives(name):
    link = links_to(name)
    for public_id in (uuid.uuid4(), uuid.uuid4()):
        assert link(public_id) == link(str(public_id)) == reverse(name, kwargs={"public_id": public_id})


def test_an_address_without_a_public_id_is_refused():
    with pytest.raises(NoReverseMatch):
        links_to("concerns:queue")


def test_an_id_that_is_not_one_is_refused():
    with pytest.raises(ValueError):
        links_to("concerns:detail")("../../admin")
