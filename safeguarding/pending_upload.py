"""A file uploaded for a preview, waiting in the person's session until they confirm it (the staff list and the
pupil roll, issue 13): kept with its school and its SHA-256, which the confirmation must carry, so nothing is
uploaded twice and a confirmation from another tab never applies a different file."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest

from .models import School


def keep(request: HttpRequest, key: str, *, school: str, name: str, text: str, **options: object) -> None:
    """Keeps `text` (from the upload form, for the school with public id `school`) under `key`."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    request.session[key] = {"school": school, "name": name, "text": text, "digest": digest, **options}


def waiting(request: HttpRequest, key: str, schools: list[School]) -> tuple[dict | None, School | None]:
    """The file waiting under `key`, and its school, while that school is still one of `schools` (where the person
    may import); (None, None) otherwise."""
    pending = request.session.get(key)
    school = next((s for s in schools if pending and str(s.public_id) == pending.get("school")), None)
    return (pending, school) if pending and school else (None, None)
