"""Append-only records: audit-log entries and chronology entries, once written, are never changed or deleted."""

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver


@receiver(pre_save, sender=LogEntry)
def refuse_audit_entry_change(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None and LogEntry.objects.filter(pk=instance.pk).exists():
        raise PermissionDenied("Audit log entries cannot be changed.")


@receiver(pre_delete, sender=LogEntry)
def refuse_audit_entry_delete(sender, instance, **kwargs):
    raise PermissionDenied("Audit log entries cannot be deleted.")


@receiver(pre_save, sender="concerns.ChronologyEntry")
def refuse_chronology_change(sender, instance, raw=False, **kwargs):
    """A child's chronology is append-only (R16, R52): corrections are new entries."""
    if not raw and instance.pk is not None and sender.objects.filter(pk=instance.pk).exists():
        raise PermissionDenied("Chronology entries cannot be changed.")


@receiver(pre_delete, sender="concerns.ChronologyEntry")
def refuse_chronology_delete(sender, instance, **kwargs):
    raise PermissionDenied("Chronology entries cannot be deleted.")
