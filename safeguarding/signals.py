"""The audit log is append-only: an entry, once written, is never changed or deleted through the app."""

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
