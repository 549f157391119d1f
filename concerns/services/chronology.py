"""The shared kernel of the services: the chronology line every change writes (R52, R54), how a person is named
in it (full name and role, never a code), the category labels, and the guard that a closed concern takes no new
record. Every stage module writes through here; nothing here imports another stage.

Proved by tests/concerns/test_pupil_file.py (the chronology builds itself) and the chronology assertions of each
stage's tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from concerns import categories
from concerns.models import (
    ChronologyEntry,
    Concern,
    ConcernPupil,
    ConcernStatus,
    Pupil,
    PupilRole,
)
from safeguarding.models import User


def chronology_add(
    *,
    concern: Concern | None,
    kind: str,
    by: User,
    summary: str,
    occurred_at: datetime | None = None,
    pupil: Pupil | None = None,
) -> None:
    """R52: writes the line on the child's chronology (the subject's, unless another child's is given), in the
    caller's transaction. A line about the child with no concern behind it (leaving, a pupil-level task) gives
    `concern=None` and the pupil."""
    if concern is not None:
        school = concern.school
    elif pupil is not None:
        school = pupil.school
    else:
        raise ValueError("A chronology line needs a concern or a pupil.")
    name, role = by.name_and_role_at(school)
    subject = pupil or ConcernPupil.objects.select_related("pupil").get(concern=concern, role=PupilRole.SUBJECT).pupil
    ChronologyEntry.objects.create(
        pupil=subject,
        concern=concern,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        summary=summary,
        author=by,
        author_name=name,
        author_role=role,
    )


def category_labels(codes: Iterable[str]) -> str:
    return "; ".join(categories.label(code) for code in codes)


def refuse_if_closed(concern: Concern) -> None:
    # Read from the database: the caller's copy may predate someone else closing it.
    if Concern.objects.filter(pk=concern.pk, status=ConcernStatus.CLOSED).exists():
        raise ValidationError("The concern is closed: reopen it first.")


def as_sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."
