"""The rules for drafts (safeguarding.models.Draft), once for every form that promises to lose nothing: Raise a
Concern and the two forms about adults. Each app's services ask who may save, and who sent the form if anyone."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

if TYPE_CHECKING:
    from .models import Draft, School, User

# Each draft table (a concrete subclass of the abstract Draft) through the calls below, so callers get their own.
_Draft = TypeVar("_Draft", bound="Draft")

DRAFT_LIFETIME = timedelta(days=30)


def lock_author(user: User) -> None:
    """Saving a draft and sending its form take this lock on the author's row first, so they run one after the
    other: a save that arrives while Send is committing waits, then sees the form was sent."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).exists()


def live(model: type[_Draft]) -> QuerySet[_Draft]:
    """A draft table's drafts young enough to offer: one untouched for 30 days is never shown, even before the
    next purge removes it."""
    return model._default_manager.filter(updated_at__gte=timezone.now() - DRAFT_LIFETIME)


@transaction.atomic
def save(
    model: type[_Draft],
    *,
    user: User,
    school: School,
    idempotency_key: uuid.UUID,
    data: dict,
    sent_by: int | None,
    **fields: Any,
) -> _Draft | None:
    """Keeps what `user` has typed so far under the form's key; only they see it. `sent_by` is the author of the
    concern or case already sent with this key, if any: then nothing is saved (a save still on its way when Send
    was pressed must not bring a sent form back) and None is returned. Anyone else gets the same refusal whether
    the key is another person's draft or their sent form, so a key reveals nothing. `fields` (such as which form)
    are fixed when the draft is first saved."""
    if sent_by is not None:
        if sent_by != user.pk:
            raise PermissionDenied
        return None
    draft, created = model._default_manager.get_or_create(
        idempotency_key=idempotency_key, defaults={"author": user, "school": school, "data": data, **fields}
    )
    if draft.author_id != user.pk or any(getattr(draft, name) != value for name, value in fields.items()):
        raise PermissionDenied
    if not created:
        # An UPDATE, not save(): it cannot fail if the row went meanwhile, and it changes only what is never logged.
        draft.updated_at = timezone.now()
        model._default_manager.filter(pk=draft.pk).update(data=data, updated_at=draft.updated_at)
    # Saving drafts is frequent, so it is where old ones of every form are cleared out; no scheduler is needed.
    purge()
    return draft


def discard(model: type[Draft], *, user: User, idempotency_key: uuid.UUID) -> None:
    """The author deletes their draft (or it goes once the form is sent)."""
    for draft in model._default_manager.filter(author=user, idempotency_key=idempotency_key):
        draft.delete()  # one by one, so each leaves its audit row


def purge(*, now: datetime | None = None) -> int:
    """Drafts of every form untouched for 30 days go: nobody finished them, and they hold sensitive words."""
    from .models import Draft

    cutoff = (now or timezone.now()) - DRAFT_LIFETIME
    removed = 0
    for model in apps.get_models():
        if issubclass(model, Draft):
            old = list(model._default_manager.filter(updated_at__lt=cutoff))
            for draft in old:
                draft.delete()
            removed += len(old)
    return removed
