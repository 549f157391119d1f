"""A concern as its author sent it (R1–R16, R23, R24): the record, its kind, its pupils and their roles, the
categories, the child's words, dated addenda (R16), attachments kept out of the web root, police domestic-abuse
notifications, and the drafts that keep what was typed.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone

from concerns import categories
from safeguarding.audit import ConcernSchoolAudit, OwnSchoolAudit, PupilSchoolAudit
from safeguarding.models import Draft, School

from .pupil import Pupil


class ConcernKind(models.TextChoices):
    CONCERN = "concern", "Concern raised by a member of staff"
    VERBAL = "verbal", "Concern given verbally and recorded by the DSL team"
    PAPER = "paper", "Concern written on paper and entered by the DSL team"
    DOMESTIC_ABUSE_NOTIFICATION = "domestic_abuse_notification", "Police domestic abuse notification"
    ALLEGATION_WELFARE = "allegation_welfare", "Opened by a concern about an adult (policy Section 9)"


# R12: the same-day rule is about a member of staff writing up what they themselves saw or heard. A notification the
# school receives (the police's) or a record the app makes (the welfare concern an allegation opens) is never late.
OWN_ACCOUNT_KINDS = frozenset({ConcernKind.CONCERN, ConcernKind.VERBAL, ConcernKind.PAPER})


class ConcernStatus(models.TextChoices):
    """R25: each step records who and when."""

    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    TRIAGED = "triaged", "Triaged"
    ACTIONS_OPEN = "actions_open", "Actions open"
    MONITORING = "monitoring", "Monitoring"
    CLOSED = "closed", "Closed"


class SourceType(models.TextChoices):
    FIRST_HAND = "first_hand", "First-hand: I saw or heard it myself"
    SECOND_HAND = "second_hand", "Second-hand: someone told me"


class Concern(OwnSchoolAudit, models.Model):
    """A worry about a child, as the reporter recorded it. Read-only once saved (R16)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="concerns")
    kind = models.CharField(max_length=40, choices=ConcernKind.choices, default=ConcernKind.CONCERN)
    # Who wrote it: the account, and the name and role as they stood that day (R3).
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_written")
    author_name = models.CharField(max_length=200)
    author_role = models.CharField(max_length=200)
    # R23: a concern given verbally is entered by the DSL team on the reporter's behalf.
    transcribed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="concerns_transcribed"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # A record entered after the event by the DSL team (a paper form, a concern given verbally earlier): when it was
    # first written down or given. Lateness (R12) is judged from this; `recorded_at` stays the time it was entered.
    first_recorded_at = models.DateTimeField("first written down or given", null=True, blank=True, editable=False)
    idempotency_key = models.UUIDField(unique=True, editable=False)

    happened_at = models.DateTimeField("when it happened or was disclosed")
    location = models.CharField("where", max_length=300)
    people_present = models.TextField("who was present", help_text="Full names and roles.")
    source_type = models.CharField(max_length=20, choices=SourceType.choices)
    source_name = models.CharField("who told you", max_length=200, blank=True)
    source_role = models.CharField("their role or relationship to the child", max_length=200, blank=True)
    account = models.TextField("what you saw or heard")
    opinion = models.TextField(blank=True)
    opinion_owner = models.CharField("whose opinion", max_length=200, blank=True)
    other_category = models.CharField("other category", max_length=200, blank=True)
    is_immediate = models.BooleanField("immediate", default=False)
    is_late = models.BooleanField(default=False, editable=False)
    involves_adult = models.BooleanField(
        "a member of staff, volunteer or hirer caused or may have caused the harm", default=False
    )
    # R61, R64: the welfare concern an allegation about an adult opens is kept from that adult, whatever their role:
    # they are not alerted, and it is left out of their queue, the child's file and every count they see.
    withheld_from = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    status = models.CharField(max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.NEW)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalation_due_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    outcome_summary = models.TextField("outcome", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="concerns_assigned"
    )
    # Optimistic locking: each change by the DSL team bumps it; a change made from an older page is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["school", "status", "-recorded_at"]),
            # The trustees' report reads one term's concerns of each school (safeguarding/reports/concern_counts.py).
            models.Index(fields=["school", "recorded_at"], name="concern_school_recorded_idx"),
            # The queue (R19) and its poll every 4 seconds (concerns/live.py): what waits for acknowledgement is
            # found without reading the school's whole record, and the poll's counts and newest concern come from
            # this index alone (an index-only scan on PostgreSQL: every column they read is in it).
            models.Index(fields=["school", "acknowledged_at", "withheld_from", "id"], name="concern_school_ack_idx"),
            # My concerns (R15): a person's receipts, newest first, a page at a time.
            models.Index(fields=["author", "-recorded_at", "-id"], name="concern_author_recorded_idx"),
        ]

    def __str__(self) -> str:
        return f"Concern recorded {timezone.localtime(self.recorded_at):%d %b %Y %H:%M}"

    def clean(self) -> None:
        errors = {}
        if self.source_type == SourceType.SECOND_HAND and not (self.source_name and self.source_role):
            errors["source_name"] = "Second-hand: say who told you, with their full name and role or relationship."
        if self.opinion and not self.opinion_owner:
            errors["opinion_owner"] = "Say whose opinion this is."
        if errors:
            raise ValidationError(errors)

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def reporter_categories(self) -> list:
        """R9: the reporter's choice, kept as it was when the DSL team re-categorises."""
        return [c for c in self.categories.all() if c.chosen_by == CategoryChoice.REPORTER]

    @property
    def dsl_categories(self) -> list:
        return [c for c in self.categories.all() if c.chosen_by == CategoryChoice.DSL]

    @property
    def effective_categories(self) -> list:
        """The DSL team's categories where they have re-categorised, otherwise the reporter's."""
        return self.dsl_categories or self.reporter_categories

    @property
    def entry_words(self) -> str:
        """How a record the DSL team entered for its author reached them, as the words before "by <who entered it>"."""
        if self.kind == ConcernKind.PAPER:
            return "written on a paper form and entered"
        return "given verbally and written down"

    @property
    def written_at(self):
        """When the account was first written down or given: the paper form's time for a back-entered record."""
        return self.first_recorded_at or self.recorded_at

    @property
    def subject(self):
        return next((link.pupil for link in self.pupil_links.all() if link.role == PupilRole.SUBJECT), None)


class PupilRole(models.TextChoices):
    SUBJECT = "subject", "The child this concern is about"
    ALLEGED_VICTIM = "alleged_victim", "Alleged victim"
    ALLEGED_PERPETRATOR = "alleged_perpetrator", "Alleged perpetrator"
    WITNESS = "witness", "Witness"
    OTHER = "other", "Other"


class ConcernPupil(PupilSchoolAudit, models.Model):
    """A child named in a concern, with their part in it (R10)."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="pupil_links")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="concern_links")
    role = models.CharField(max_length=30, choices=PupilRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["concern", "pupil"], name="pupil_once_per_concern")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}"


class CategoryChoice(models.TextChoices):
    REPORTER = "reporter", "Reporter"
    DSL = "dsl", "DSL team"


class ConcernCategory(ConcernSchoolAudit, models.Model):
    """One category of a concern. The reporter's picks are kept when the DSL re-categorises (R9)."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="categories")
    code = models.CharField(max_length=60, choices=categories.CHOICES)
    chosen_by = models.CharField(max_length=10, choices=CategoryChoice.choices, default=CategoryChoice.REPORTER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["concern", "code", "chosen_by"], name="category_once_per_chooser")
        ]
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return categories.label(self.code)


class Quote(ConcernSchoolAudit, models.Model):
    """Exact words, always with who said them (R6)."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="quotes")
    words = models.TextField()
    speaker = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return "Quote"


class Addendum(ConcernSchoolAudit, models.Model):
    """A dated correction or addition to a saved concern, by a named author (R16)."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=200)
    author_role = models.CharField(max_length=200)
    written_at = models.DateTimeField(default=timezone.now, editable=False)
    text = models.TextField()

    class Meta:
        ordering = ["written_at"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum of {timezone.localtime(self.written_at):%d %b %Y %H:%M}"


def _private_storage():
    return FileSystemStorage(location=settings.MEDIA_ROOT, base_url=None)


def _attachment_path(instance, filename: str) -> str:
    # The server names the file; the person's file name is kept only as data.
    return f"attachments/{instance.concern.school_id}/{uuid.uuid4().hex}"


class Attachment(ConcernSchoolAudit, models.Model):
    """A scan or document attached to a concern, stored outside any public URL (R11)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, storage=_private_storage, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)
    # R11: on a nudes concern only the DSL team may attach a file, and only with a recorded reason.
    override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        # Not the file name: it is masked in the audit log and could name a child.
        return "Attachment"


class DomesticAbuseNotification(ConcernSchoolAudit, models.Model):
    """R24: what the police told the school (Stopping Domestic Abuse Together / Operation Encompass)."""

    concern = models.OneToOneField(Concern, on_delete=models.PROTECT, related_name="police_notification")
    police_reference = models.CharField(max_length=100)
    child_present = models.BooleanField("the child was present")
    child_voice = models.TextField("the child's voice, if the police recorded it", blank=True)

    def __str__(self) -> str:
        return "Police domestic abuse notification"


class ConcernDraft(OwnSchoolAudit, Draft):
    """What a person has typed into the raise form and not yet sent, saved as they type. Only its author sees it;
    it goes when the concern is sent, or after 30 days."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="concern_drafts")

    class Meta(Draft.Meta):
        pass
