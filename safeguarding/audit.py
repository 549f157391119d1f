"""Audit-log helpers shared by every app: whole-value redaction and access entries for reads (R85)."""

from typing import Protocol

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


def log_list_access(instances, how: str) -> None:
    """Records that the signed-in person saw each of `instances` in a list (R85: a register's list shows whom each
    case is about), one ACCESS row per record, written in one INSERT so the page's queries do not grow with it.

    Written by hand because auditlog has no bulk form of log_create. bulk_create skips pre_save, which is where
    auditlog's middleware adds the actor and their address, so that signal is sent here for each row as save()
    would send it.
    """
    from auditlog.cid import get_cid
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import pre_save

    entries = []
    for instance in instances:
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(instance),
            object_pk=str(instance.pk),
            object_id=instance.pk,
            object_repr=str(instance),
            action=LogEntry.Action.ACCESS,
            changes_text=how,
            additional_data={**instance.get_additional_data(), "access": how},
            cid=get_cid(),
        )
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using=LogEntry.objects.db, update_fields=None)
        entries.append(entry)
    LogEntry.objects.bulk_create(entries)


# Audit-log rows carry the school they belong to, so each school's /audit/ shows only its own (auditlog reads
# `get_additional_data()` when it writes a row). One mixin per path from a record to its school; the protocols say
# what each mixin needs of the model it is mixed into.
class _OfSchool(Protocol):
    @property
    def school_id(self) -> int | None: ...


class _OfConcern(Protocol):
    @property
    def concern(self) -> _OfSchool: ...


class _OfPupil(Protocol):
    @property
    def pupil(self) -> _OfSchool: ...


class OwnSchoolAudit:
    def get_additional_data(self: _OfSchool) -> dict:
        return {"school": self.school_id}


class ConcernSchoolAudit:
    def get_additional_data(self: _OfConcern) -> dict:
        return {"school": self.concern.school_id}


class PupilSchoolAudit:
    def get_additional_data(self: _OfPupil) -> dict:
        return {"school": self.pupil.school_id}
