"""A few fictional concerns for the demo school, so the DSL's queue and the staff receipts have something in them.

Every pupil, person and event here is invented. Loading again adds nothing: each concern has a fixed key.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import NotRequired, TypedDict

from django.utils import timezone

from safeguarding import calendar
from safeguarding.models import School, User

from .models import Concern, Pupil, SourceType
from .services import raising

DEMO_NAMESPACE = uuid.UUID("6f1c2a3e-0b7d-4c59-9a61-2f4b8d0e7c11")
OPEN_FOR = timedelta(minutes=30)


class DemoConcern(TypedDict):
    """One fictional concern: what the raise form would have collected, and when it happened."""

    key: str  # fixed, so loading again finds it
    school_days_ago: int
    at: time
    location: str
    people_present: str
    source_type: SourceType
    source_name: NotRequired[str]
    source_role: NotRequired[str]
    account: str
    quotes: NotRequired[list[tuple[str, str]]]  # (words, speaker); "the pupil" is the subject
    categories: list[str]
    is_immediate: bool


DEMO_CONCERNS: list[DemoConcern] = [
    {
        "key": "bruise",
        "school_days_ago": 0,
        "at": time(12, 5),  # the end of period 3
        "location": "Geography classroom G4",
        "people_present": "Priya Naylor (Teacher of Geography); the rest of the class was leaving the room.",
        "source_type": SourceType.FIRST_HAND,
        "account": "At the end of period 3 I noticed a dark bruise on the pupil's left wrist as their sleeve rode up. "
        "When I asked if they were all right they pulled the sleeve down and said it was nothing.",
        "quotes": [("It's nothing, I just banged it.", "the pupil")],
        "categories": ["injury_marks"],
        "is_immediate": True,
    },
    {
        "key": "attendance",
        "school_days_ago": 1,
        "at": time(8, 50),  # registration
        "location": "Form room 9W",
        "people_present": "Priya Naylor (form tutor cover); the form group.",
        "source_type": SourceType.SECOND_HAND,
        "source_name": "Daniel Okoro",
        "source_role": "another pupil in the same form",
        "account": "Another pupil told me the pupil has been looking after younger siblings most mornings and is often "
        "late or absent. Attendance this half term looks lower than before.",
        "categories": ["absence", "neglect"],
        "is_immediate": False,
    },
]


def demo_happened_at(school: School, *, school_days_ago: int, at: time, now: datetime) -> datetime:
    """When a demo concern happened: in school hours of a school day, never at night and never in the future,
    whatever the hour `load_demo` runs (issue 10). Day 0 is today when school has been open for half an hour,
    otherwise the last school day before now; `school_days_ago` counts back from there."""
    cal = calendar.school_calendar(school)
    local = timezone.localtime(now)
    today = local.date()
    opened_a_while = cal.is_school_day(today) and local >= calendar.school_day_start(school, today) + OPEN_FOR
    day = today if opened_a_while else cal.school_day_on_or_before(today - timedelta(days=1))
    for _ in range(school_days_ago):
        day = cal.school_day_on_or_before(day - timedelta(days=1))
    opens, closes = calendar.school_day_start(school, day), calendar.school_day_end(school, day)
    moment = timezone.make_aware(datetime.combine(day, at), timezone.get_default_timezone())
    # Today, before the planned time: a quarter of an hour ago instead, still after the school day began.
    return max(opens, min(moment, closes, now - timedelta(minutes=15)))


def load_demo_concerns(*, school: School) -> int:
    author = User.objects.filter(username="staff").first()
    pupils = list(Pupil.objects.filter(school=school, on_roll=True).order_by("upn")[:10])
    if author is None or len(pupils) < len(DEMO_CONCERNS):
        return 0
    added = 0
    for index, item in enumerate(DEMO_CONCERNS):
        key = uuid.uuid5(DEMO_NAMESPACE, f"{school.pk}:{item['key']}")
        if Concern.objects.filter(idempotency_key=key).exists():
            continue
        happened = demo_happened_at(school, school_days_ago=item["school_days_ago"], at=item["at"], now=timezone.now())
        subject = pupils[index * 3]
        quotes = [
            (words, subject.full_name if speaker == "the pupil" else speaker)
            for words, speaker in item.get("quotes", [])
        ]
        raising.concern_raise(
            author=author,
            school=school,
            data=raising.ConcernInput(
                idempotency_key=key,
                subject=subject,
                happened_at=happened,
                location=item["location"],
                people_present=item["people_present"],
                source_type=item["source_type"],
                source_name=item.get("source_name", ""),
                source_role=item.get("source_role", ""),
                account=item["account"],
                category_codes=item["categories"],
                is_immediate=item["is_immediate"],
                quotes=quotes,
            ),
        )
        added += 1
    return added
