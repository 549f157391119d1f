"""The children's pages people open all day cost the same number of queries at 10 rows as at 1,000 (issue 12, item 5):
the queue's poll, the raise form and its pupil search, the "file held" lookup and My concerns. The queue and the
child's file are proved by test_query_counts_at_volume.py, whose bulk concerns these tests share."""

import pytest
import time_machine
from django.urls import reverse

from ..conftest import sign_in
from ..factories import PupilFactory
from ..volume_rows import NOW, add_owned_actions, add_pupils, add_staff_notes, queries_for
from .test_query_counts_at_volume import make_concerns


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
def test_the_poll_costs_the_same_at_10_and_at_1000_concerns(client, school, teacher, dsl):
    """The badge's poll every 4 seconds counts the queue in one query, however long the record is."""
    pupil = PupilFactory(school=school)
    sign_in(client, dsl)
    url = reverse("concerns:queue_poll")
    make_concerns(school=school, author=teacher, pupil=pupil, count=5)
    make_concerns(school=school, author=teacher, pupil=pupil, count=5, acknowledged_by=dsl)
    few = queries_for(client, url)
    make_concerns(school=school, author=teacher, pupil=pupil, count=495)
    make_concerns(school=school, author=teacher, pupil=pupil, count=495, acknowledged_by=dsl)
    many = queries_for(client, url)
    assert many == few
    assert client.get(url).json()["waiting"] == 500


@pytest.mark.django_db
def test_the_raise_form_costs_the_same_at_10_and_at_1000_pupils_and_concerns(client, school, teacher):
    """The form lists no pupils and none of the person's concerns: what the school holds does not reach it."""
    pupil = PupilFactory(school=school)
    sign_in(client, teacher)
    url = reverse("concerns:raise")
    add_pupils(school=school, count=10)
    make_concerns(school=school, author=teacher, pupil=pupil, count=10)
    few = queries_for(client, url)
    add_pupils(school=school, count=990)
    make_concerns(school=school, author=teacher, pupil=pupil, count=990)
    assert queries_for(client, url) == few


@pytest.mark.django_db
def test_the_pupil_search_costs_the_same_at_10_and_at_1000_matches(client, school, teacher):
    """The type-ahead answers 12 pupils at most, in one query for the pupils, whoever else matches."""
    sign_in(client, teacher)
    url = reverse("concerns:pupil_search")
    add_pupils(school=school, count=10)
    few = queries_for(client, url, {"q": "olivia"}, method="post")
    add_pupils(school=school, count=990)
    many = queries_for(client, url, {"q": "olivia"}, method="post")
    assert many == few
    assert client.post(url, {"q": "olivia"}).content.decode().count('fw-semibold">Olivia Testpupil') == 12


@pytest.mark.django_db
def test_the_file_held_lookup_costs_the_same_at_10_and_at_1000_matches(client, school, teacher, dsl):
    """R51: the lookup marks each pupil found "file held" or not within the one query that finds them."""
    sign_in(client, dsl)
    url = reverse("concerns:pupil_lookup")
    pupils = add_pupils(school=school, count=10)
    make_concerns(school=school, author=teacher, pupil=pupils[0], count=10)
    few = queries_for(client, url, {"q": "olivia"}, method="post")
    pupils = add_pupils(school=school, count=990)
    make_concerns(school=school, author=teacher, pupil=pupils[0], count=990)
    assert queries_for(client, url, {"q": "olivia"}, method="post") == few


@pytest.mark.django_db
@pytest.mark.parametrize("notes_page", [1, 2])
def test_my_concerns_costs_the_same_at_10_and_at_1000_receipts_notes_and_tasks(
    client, school, teacher, dsl, notes_page
):
    """R15, R47: the receipts and the notes shared with the person come a page at a time, and their own open tasks
    in one query with what they show, however many there are."""
    concern = make_concerns(school=school, author=teacher, pupil=PupilFactory(school=school), count=1)[0]
    sign_in(client, teacher)
    url = f"{reverse('concerns:my_concerns')}?notes={notes_page}"
    make_concerns(school=school, author=teacher, pupil=PupilFactory(school=school), count=14)
    add_staff_notes(concern=concern, recorded_by=dsl, staff=teacher, count=15)
    add_owned_actions(concern=concern, owner=teacher, created_by=dsl, count=10)
    few = queries_for(client, url)
    make_concerns(school=school, author=teacher, pupil=PupilFactory(school=school), count=985)
    add_staff_notes(concern=concern, recorded_by=dsl, staff=teacher, count=985)
    add_owned_actions(concern=concern, owner=teacher, created_by=dsl, count=990)
    assert queries_for(client, url) == few


@pytest.mark.django_db
def test_the_notes_shared_are_shown_ten_at_a_time_with_how_many_there_are(client, school, teacher, dsl):
    """A note shared years ago is still there, on a later page of notes, and the page says how many there are."""
    concern = make_concerns(school=school, author=teacher, pupil=PupilFactory(school=school), count=1)[0]
    add_staff_notes(concern=concern, recorded_by=dsl, staff=teacher, count=23)
    sign_in(client, teacher)
    first = client.get(reverse("concerns:my_concerns")).content.decode()
    assert "Showing 1–10 of 23 notes shared with you, newest first." in first
    assert "Made-up note 0 for the volume tests." in first and "Made-up note 10 " not in first
    assert 'href="/my-concerns/?notes=2" rel="next"' in first
    last = client.get(reverse("concerns:my_concerns"), {"notes": 3}).content.decode()
    assert "Showing 21–23 of 23 notes shared with you, newest first." in last
    assert "Made-up note 22 for the volume tests." in last and "Made-up note 19 " not in last


@pytest.mark.django_db
def test_a_few_notes_come_without_a_count_or_pages(client, school, teacher, dsl):
    concern = make_concerns(school=school, author=teacher, pupil=PupilFactory(school=school), count=1)[0]
    add_staff_notes(concern=concern, recorded_by=dsl, staff=teacher, count=3)
    sign_in(client, teacher)
    page = client.get(reverse("concerns:my_concerns")).content.decode()
    assert "Made-up note 2 for the volume tests." in page
    assert "notes shared with you, newest first" not in page and "Pages of the notes shared with you" not in page
