"""Audit-log helpers shared by every app: whole-value redaction and access entries for reads (R85)."""

from auditlog.signals import accessed


def redact(value: str) -> str:
    """Masks a narrative field whole in the change log (auditlog's default leaves half of it readable)."""
    return "[redacted]"


def log_access(instance, how: str = "") -> None:
    """Records that the signed-in person viewed, exported or downloaded `instance` (auditlog's ACCESS action).

    auditlog logs changes by itself; reads are logged only when a view says so, so every view that shows a
    sensitive record, a PDF or a download calls this. `how` ("PDF export", "download") tells the reader of the
    log which it was; a plain view leaves it empty.
    """
    if not how:
        accessed.send(sender=instance.__class__, instance=instance)
        return
    from auditlog.models import LogEntry

    LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        changes_text=how,
        additional_data={**instance.get_additional_data(), "access": how},
    )


# Audit-log rows carry the school they belong to, so each school's /audit/ shows only its own (auditlog reads
# `get_additional_data()` when it writes a row). One mixin per path from a record to its school.
class OwnSchoolAudit:
    def get_additional_data(self) -> dict:
        return {"school": self.school_id}


class ConcernSchoolAudit:
    def get_additional_data(self) -> dict:
        return {"school": self.concern.school_id}


class PupilSchoolAudit:
    def get_additional_data(self) -> dict:
        return {"school": self.pupil.school_id}
