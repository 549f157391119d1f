"""Links to many records of one kind on a page (issue 12): `reverse()` costs tens of microseconds a call, and a list of
50 cases or chronology entries called it once a row. `links_to(name)` reverses the URL once, with a stand-in id,
and gives a function that puts each record's id in its place: the same address `reverse()` gives, for any URL whose
only argument is a `<uuid:public_id>`.

Tests: tests/test_links.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.urls import reverse

_STAND_IN = uuid.UUID(int=0)  # never a record's id: those come from uuid4


def links_to(name: str) -> Callable[[uuid.UUID | str], str]:
    """The function from a record's public id to `reverse(name, kwargs={"public_id": ...})`."""
    head, found, tail = reverse(name, kwargs={"public_id": _STAND_IN}).partition(str(_STAND_IN))
    if not found:
        raise ValueError(f"{name} does not put its public_id in the address as it is")

    def link(public_id: uuid.UUID | str) -> str:
        return f"{head}{uuid.UUID(str(public_id)) if isinstance(public_id, str) else public_id}{tail}"

    return link
