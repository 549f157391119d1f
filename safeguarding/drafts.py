"""The rules for drafts (safeguarding.models.Draft), once for every form that promises to lose nothing: Raise a
Concern and the two forms about adults. Each app's services ask who may save and whether the form was sent."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone

DRAFT_LIFETIME = timedelta(days=30)


def save(model, *, user, school, idempotency_key: uuid.UUID, data: dict, sent: bool, **fields):
    """Keeps what `user` has typed so far under the form's key; only they see it. None when the form was `sent`
    already: a save still on its way when Send was pressed must not bring a sent form back as unsent. `fields`
    (such as which form) are fixed when the draft is first saved; nobody may save over another person's draft."""
    if sent:
        return None
    draft, created = model.objects.get_or_create(
        idempotency_key=idempotency_key, defaults={"author": user, "school": school, "data": data, **fields}
    )
    if draft.author_id != user.pk or any(getattr(draft, name) != value for name, value in fields.items()):
        raise PermissionDenied
    if not created:
        draft.data = data
        draft.save(update_fields=["data", "updated_at"])
    # Saving drafts is frequent, so it is where old ones are cleared out; no scheduler is needed.
    purge(model)
    return draft


def discard(model, *, user, idempotency_key: uuid.UUID) -> None:
    """The author deletes their draft (or it goes once the form is sent)."""
    for draft in model.objects.filter(author=user, idempotency_key=idempotency_key):
        draft.delete()  # one by one, so each leaves its audit row


def purge(model, *, now: datetime | None = None) -> int:
    """Drafts untouched for 30 days go: nobody finished them, and they hold sensitive words."""
    old = list(model.objects.filter(updated_at__lt=(now or timezone.now()) - DRAFT_LIFETIME))
    for draft in old:
        draft.delete()
    return len(old)
