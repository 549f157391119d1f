"""The child's file opens on the newest 20 chronology entries and the newest 10 concerns, says how many earlier ones
there are, and links to them, 100 a page (issue 12); each page of them is logged like the file (R85), leaves out
what is withheld from the reader (R61), and costs the same queries at 130 rows as at 1,000."""

import html
from datetime import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from concerns.models import Concern
from safeguarding.calendar import LONDON
from safeguarding.models import Role

from ..conftest import sign_in
from ..factories import PupilFactory
from .test_query_counts_at_volume import make_concerns

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=LONDON)  # a Wednesday morning in term


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school, legal_first_name="Maya", legal_last_name="Okonjo")


def url(name, pupil, page=None) -> str:
    address = reverse(f"concerns:{name}", kwargs={"public_id": pupil.public_id})
    return f"{address}?page={page}" if page else address


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def newest_first(pupil) -> list[Concern]:
    return list(Concern.objects.filter(pupil_links__pupil=pupil).order_by("-recorded_at", "-pk"))


def queries_for(client, address) -> int:
    client.get(address)  # warm: the session, the content types
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_file_shows_the_newest_entries_and_concerns_and_counts_the_earlier(client, school, teacher, dsl, pupil):
    make_concerns(school=school, author=teacher, pupil=pupil, count=25)
    concerns = newest_first(pupil)
    sign_in(client, dsl)
    page = text(client.get(url("pupil_file", pupil)))
    assert "The newest 20 of 25 entries." in page
    assert "Earlier entries: 5 more" in page
    assert url("pupil_file_chronology", pupil) in page
    assert "The newest 10 of 25 concerns." in page
    assert "Earlier concerns: 15 more" in page
    assert url("pupil_file_concerns", pupil) in page
    # The 20 newest entries each link to their concern; the 21st does not reach the page.
    assert all(str(c.public_id) in page for c in concerns[:20])
    assert not any(str(c.public_id) in page for c in concerns[20:])


@pytest.mark.django_db
def test_a_short_file_shows_everything_and_no_earlier_links(client, school, teacher, dsl, pupil):
    make_concerns(school=school, author=teacher, pupil=pupil, count=3)
    sign_in(client, dsl)
    page = text(client.get(url("pupil_file", pupil)))
    assert page.count("Concern recorded by Priya Sharma (Teacher).") == 3
    assert "Earlier entries" not in page and "Earlier concerns" not in page and "The newest" not in page
    earlier = text(client.get(url("pupil_file_chronology", pupil)))
    assert "There are none earlier: the file itself shows them all." in earlier
    assert "No earlier entries." in earlier


@pytest.mark.django_db
def test_the_earlier_entries_come_100_a_page_after_the_files_newest_20(client, school, teacher, dsl, pupil):
    make_concerns(school=school, author=teacher, pupil=pupil, count=250)
    concerns = newest_first(pupil)
    sign_in(client, dsl)
    first = text(client.get(url("pupil_file_chronology", pupil)))
    assert "Entries 21–120 of 250, newest first. The newest 20 are on the file itself." in first
    assert all(str(c.public_id) in first for c in concerns[20:120])
    assert not any(str(c.public_id) in first for c in concerns[:20] + concerns[120:])
    assert "Page 1 of 3" in first and f"{url('pupil_file_chronology', pupil)}?page=2" in first
    last = text(client.get(url("pupil_file_chronology", pupil, page=3)))
    assert "Entries 221–250 of 250" in last
    assert all(str(c.public_id) in last for c in concerns[220:])
    assert url("pupil_file", pupil) in last and url("pupil_file_pdf", pupil) in last


@pytest.mark.django_db
def test_the_earlier_concerns_come_100_a_page_after_the_files_newest_10(client, school, teacher, dsl, pupil):
    make_concerns(school=school, author=teacher, pupil=pupil, count=150)
    concerns = newest_first(pupil)
    sign_in(client, dsl)
    first = text(client.get(url("pupil_file_concerns", pupil)))
    assert "Concerns 11–110 of 150, newest first. The newest 10 are on the file itself." in first
    assert all(str(c.public_id) in first for c in concerns[10:110])
    assert not any(str(c.public_id) in first for c in concerns[:10] + concerns[110:])
    assert "2 Dec 2026</a>: Neglect. New.</li>" in first
    second = text(client.get(url("pupil_file_concerns", pupil, page=2)))
    assert "Concerns 111–150 of 150" in second
    assert all(str(c.public_id) in second for c in concerns[110:])


@pytest.mark.django_db
def test_a_concern_withheld_from_the_reader_is_neither_shown_nor_counted(client, school, teacher, dsl, pupil):
    """R61: a concern kept from the DSL (an allegation about them) leaves no line and no number behind."""
    make_concerns(school=school, author=teacher, pupil=pupil, count=30)
    withheld = newest_first(pupil)[0]
    Concern.objects.filter(pk=withheld.pk).update(withheld_from=dsl)  # as an allegation about the DSL would set it
    sign_in(client, dsl)
    for page in (
        text(client.get(url("pupil_file", pupil))),
        text(client.get(url("pupil_file_chronology", pupil))),
        text(client.get(url("pupil_file_concerns", pupil))),
    ):
        assert str(withheld.public_id) not in page
    page = text(client.get(url("pupil_file", pupil)))
    assert "The newest 20 of 29 entries." in page and "The newest 10 of 29 concerns." in page


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["pupil_file_chronology", "pupil_file_concerns"])
def test_each_earlier_page_is_in_the_audit_log(client, school, teacher, dsl, pupil, name):
    """Reading the earlier entries or concerns is reading the file: each view is logged, naming who and which."""
    make_concerns(school=school, author=teacher, pupil=pupil, count=3)
    sign_in(client, dsl)
    client.get(url(name, pupil))
    client.get(url(name, pupil, page=2))
    entries = LogEntry.objects.get_for_object(pupil).filter(action=LogEntry.Action.ACCESS)
    what = "earlier chronology entries" if name == "pupil_file_chronology" else "earlier concerns"
    assert [(e.actor, e.additional_data["access"]) for e in entries] == [(dsl, what), (dsl, what)]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["pupil_file_chronology", "pupil_file_concerns"])
@pytest.mark.parametrize("role", ["teacher", "other_dsl"])
def test_only_the_dsl_team_of_the_childs_school_opens_the_earlier_pages(
    client, school, other_school, teacher, pupil, make_person, name, role
):
    """As the file itself: a 404 for anyone else, and nothing logged."""
    make_concerns(school=school, author=teacher, pupil=pupil, count=3)
    sign_in(client, teacher if role == "teacher" else make_person(Role.DSL, school=other_school))
    assert client.get(url(name, pupil)).status_code == 404
    assert not LogEntry.objects.get_for_object(pupil).filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["pupil_file", "pupil_file_chronology", "pupil_file_concerns"])
def test_the_file_and_its_earlier_pages_cost_the_same_at_130_and_at_1000_concerns(
    client, school, teacher, dsl, pupil, name
):
    """130 rows fill the file and the first earlier page; 1,000 do not make a query more."""
    sign_in(client, dsl)
    make_concerns(school=school, author=teacher, pupil=pupil, count=130)
    few = queries_for(client, url(name, pupil))
    make_concerns(school=school, author=teacher, pupil=pupil, count=870)
    assert queries_for(client, url(name, pupil)) == few
    assert queries_for(client, url(name, pupil, page=9)) == few
    if name == "pupil_file":
        page = text(client.get(url(name, pupil)))
        assert "The newest 20 of 1,000 entries." in page and "Earlier concerns: 990 more" in page
