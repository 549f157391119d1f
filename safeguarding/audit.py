"""Audit-log helpers shared by every app: whole-value redaction and access entries for reads (R85)."""

from auditlog.signals import accessed


def redact(value: str) -> str:
    """Masks a narrative field whole in the change log (auditlog's default leaves half of it readable)."""
    return "[redacted]"


def log_access(instance) -> None:
    """Records that the signed-in person viewed, exported or downloaded `instance` (auditlog's ACCESS action).

    auditlog logs changes by itself; reads are logged only when a view says so, so every view that shows a
    sensitive record, a PDF or a download calls this.
    """
    accessed.send(sender=instance.__class__, instance=instance)
