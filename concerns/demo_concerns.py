"""A few fictional concerns for the demo school, so the DSL's queue and the staff receipts have something in them.

Every pupil, person and event here is invented. Loading again adds nothing: each concern has a fixed key.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from safeguarding.models import School, User

from . import services
from .models import Concern, Pupil, SourceType

DEMO_NAMESPACE = uuid.UUID("6f1c2a3e-0b7d-4c59-9a61-2f4b8d0e7c11")

DEMO_CONCERNS = [
    {
        "key": "bruise",
        "days_ago": 0,
        "hours_ago": 2,
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
        "days_ago": 1,
        "hours_ago": 0,
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
        happened = timezone.now() - timedelta(days=item["days_ago"], hours=item["hours_ago"] + 1)
        subject = pupils[index * 3]
        quotes = [
            (words, subject.full_name if speaker == "the pupil" else speaker)
            for words, speaker in item.get("quotes", [])
        ]
        services.concern_raise(
            author=author,
            school=school,
            data=services.ConcernInput(
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
