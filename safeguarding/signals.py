"""Append-only records (see safeguarding.append_only): audit-log entries, a child's chronology and the record of a
case about an adult are never changed or deleted once written.

These receivers refuse one row at a time: `save()` of a row already in the database, and `delete()`, including a
queryset's `delete()` when Django sends the signal for each row. The bulk paths that send no signal
(`QuerySet.update()`, `bulk_update()`, a fast `QuerySet.delete()`) are refused by `AppendOnlyQuerySet`.
"""

from django.db.models.signals import pre_delete, pre_save

from .append_only import APPEND_ONLY_MODELS, refuse_change, refuse_delete


def refuse_saved_row_change(sender, instance, raw=False, **kwargs):
    """A row may be inserted once, never saved over. `raw` is a fixture being loaded (loaddata), which may."""
    if not raw and instance.pk is not None and sender._base_manager.filter(pk=instance.pk).exists():
        refuse_change(sender)


def refuse_row_delete(sender, instance, **kwargs):
    refuse_delete(sender)


for _label in APPEND_ONLY_MODELS:
    pre_save.connect(refuse_saved_row_change, sender=_label, dispatch_uid=f"append-only-save:{_label}")
    pre_delete.connect(refuse_row_delete, sender=_label, dispatch_uid=f"append-only-delete:{_label}")
