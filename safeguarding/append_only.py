"""Append-only records: once written, a row is never changed or deleted.

Three models hold a record that must stand as it was written: the audit log (auditlog's `LogEntry`), a child's
chronology (`concerns.ChronologyEntry`) and the record of a case about an adult (`staff_allegations.CaseEntry`).
A correction is a new row. Two guards, both in Python, keep it so:

- `safeguarding.signals` refuses `save()` of a row already saved and `delete()` of one row (pre_save, pre_delete);
- `AppendOnlyQuerySet`, the queryset of each model's default manager, refuses the bulk paths that send no signal
  at all: `QuerySet.update()`, `bulk_update()`, `QuerySet.delete()` and their private forms `_update()` and
  `_raw_delete()`. Creating rows (`create()`, `bulk_create()`, auditlog's `log_create()`) is untouched.

Neither binds the database. Raw SQL, anyone with a database role, and `Model._base_manager` (Django's own manager
for relations, cascades and `save()`, which stays plain so that deleting a person can still set the audit rows'
actor to NULL) can still change rows, until the database refuses it too (triggers: issue 15). There is no switch
to turn the guard off: the two-person destruction path of the retention work (issue 16) is to be designed with the
triggers, not bolted on here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models

# Each append-only model, and what its refusals call its rows. The signals and the querysets both read it.
APPEND_ONLY_MODELS = {
    "auditlog.logentry": "Audit log entries",
    "concerns.chronologyentry": "Chronology entries",
    "staff_allegations.caseentry": "Case record entries",
}


def rows_name(model) -> str:
    """What refusals call the rows of `model` ("Audit log entries")."""
    return APPEND_ONLY_MODELS.get(model._meta.label_lower) or str(model._meta.verbose_name_plural).capitalize()


def refuse_change(model):
    raise PermissionDenied(f"{rows_name(model)} cannot be changed: the record is append-only.")


def refuse_delete(model):
    raise PermissionDenied(f"{rows_name(model)} cannot be deleted: the record is append-only.")


_Method = TypeVar("_Method", bound=Callable)


def _marked(**flags: bool) -> Callable[[_Method], _Method]:
    """Sets on a queryset method the attributes Django reads: `alters_data` (templates never call it) and
    `queryset_only` (True keeps it off a manager built from the queryset; False copies it there though private)."""

    def mark(method: _Method) -> _Method:
        for name, value in flags.items():
            setattr(method, name, value)
        return method

    return mark


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset that reads and creates, and refuses every bulk change or deletion before it reaches the database.

    `update()` and `delete()` on a queryset send no per-row signal (or, for `delete()`, only when Django decides it
    cannot fast-delete), so the guard in `safeguarding.signals` cannot see them; this refuses them outright.
    """

    @_marked(alters_data=True)
    def update(self, **kwargs):
        refuse_change(self.model)

    @_marked(alters_data=True, queryset_only=False)
    def _update(self, values):
        refuse_change(self.model)

    @_marked(alters_data=True)
    def bulk_update(self, objs, fields, batch_size=None):
        refuse_change(self.model)

    @_marked(alters_data=True, queryset_only=True)
    def delete(self):
        refuse_delete(self.model)

    @_marked(alters_data=True)
    def _raw_delete(self, using):
        refuse_delete(self.model)


# Named first: the type checker's Django plugin builds the manager's methods from the queryset only for a named
# `from_queryset()` (mypy cannot see a base class made by a call).
_AppendOnlyManagerBase = models.Manager.from_queryset(AppendOnlyQuerySet)


class AppendOnlyManager(_AppendOnlyManagerBase):
    """The default manager of an append-only model of this project (`objects = AppendOnlyManager()`).

    Reverse relations (`pupil.chronology`, `case.entries`) are built from the default manager's class, so they
    refuse bulk changes too."""


def guard_third_party_model(model) -> None:
    """Gives `model`, a model of another package (auditlog's `LogEntry`), a default manager whose queryset is
    append-only, keeping the package's own manager methods (`log_create()`, `get_for_object()` and the rest).

    Written by hand because there is no supported way to do it: auditlog has no setting for its manager, and
    forking it to declare one would leave us maintaining a copy. The new manager is added to the model itself
    rather than patched onto the one Django copies from auditlog's abstract base, so it survives the app registry
    clearing its caches (tests and `override_settings` do). Called from `SafeguardingConfig.ready()`.
    """
    current = model._meta.default_manager
    if isinstance(current.get_queryset(), AppendOnlyQuerySet):
        return
    base_queryset = current._queryset_class
    queryset_class = (
        AppendOnlyQuerySet
        if base_queryset is models.QuerySet
        else type(f"AppendOnly{base_queryset.__name__}", (AppendOnlyQuerySet, base_queryset), {})
    )
    manager_class = type(current).from_queryset(queryset_class, f"AppendOnly{type(current).__name__}")
    # A manager of the same name declared on the model itself would win over ours (Django keeps the first one it
    # meets by name), so it makes way; one inherited from an abstract base is simply shadowed.
    model._meta.local_managers = [m for m in model._meta.local_managers if m.name != current.name]
    model.add_to_class(current.name, manager_class())
