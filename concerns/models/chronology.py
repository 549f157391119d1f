"""The child's chronology (R52–R54): one append-only line per thing that happened, written by the services."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguarding.append_only import AppendOnlyManager
from safeguarding.audit import PupilSchoolAudit

from .concern import Concern
from .pupil import Pupil


class ChronologyKind(models.TextChoices):
    CONCERN_RAISED = "concern_raised", "Concern recorded"
    ACKNOWLEDGED = "acknowledged", "Concern acknowledged"
    ADDENDUM = "addendum", "Addendum"
    TRIAGED = "triaged", "Triaged"
    RECATEGORISED = "recategorised", "Re-categorised"
    DECISION = "decision", "Decision"
    ACTION_ADDED = "action_added", "Action set"
    ACTION_DONE = "action_done", "Action done"
    ATTACHMENT = "attachment", "File attached"
    PARENTS = "parents", "Parents or carers"
    CHILD_VOICE = "child_voice", "The child's wishes and feelings"
    INFORMATION_SHARED = "information_shared", "Information shared"
    INFORMATION_REFUSED = "information_refused", "Information request refused"
    MEETING = "meeting", "Meeting"
    DISAGREEMENT = "disagreement", "Professional disagreement"
    STAFF_NOTE = "staff_note", "Need-to-know note for staff"
    ASSIGNED = "assigned", "Assigned"
    MIRROR = "mirror", "Named in a concern about another child"
    LEFT = "left", "Left the school"
    LEAVING = "leaving", "Due to leave the school"
    ABSENT = "absent", "Unexplained absence or missing"
    CP_FILE_DUE = "cp_file_due", "CP file to send to the next school"
    CP_FILE_SENT = "cp_file_sent", "CP file sent"
    CP_FILE_RECEIVED = "cp_file_received", "CP file received"
    CP_FILE_RECEIPT_CONFIRMED = "cp_file_receipt_confirmed", "Receipt of the CP file confirmed"
    CLOSED = "closed", "Concern closed"
    REOPENED = "reopened", "Concern reopened"


class ChronologyEntry(PupilSchoolAudit, models.Model):
    """One line of a child's chronology (R52), written by the service that made the change, in the same
    transaction. Append-only: entries are never changed or deleted (safeguarding.signals)."""

    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="chronology")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="chronology")
    kind = models.CharField(max_length=30, choices=ChronologyKind.choices)
    occurred_at = models.DateTimeField(help_text="When it happened (for a concern: when it was recorded).")
    summary = models.TextField(help_text="Full names and roles, no internal codes: readable decades from now (R54).")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=200)
    author_role = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    objects = AppendOnlyManager()  # bulk update() and delete() refused too (safeguarding.append_only)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "chronology entries"
        indexes = [models.Index(fields=["pupil", "-occurred_at"])]

    def __str__(self) -> str:
        return self.get_kind_display()
