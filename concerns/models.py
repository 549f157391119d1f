"""Children's records: pupils, concerns and what hangs off them (R1–R24).

A concern is never edited after it is sent: corrections are dated addenda (R16). Records are protected from
deletion (on_delete=PROTECT); they are closed or retained, never cascaded away.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone

from safeguarding.append_only import AppendOnlyManager
from safeguarding.audit import ConcernSchoolAudit, OwnSchoolAudit, PupilSchoolAudit
from safeguarding.models import Draft, School

from . import categories


class Pupil(OwnSchoolAudit, models.Model):
    """A child on (or once on) a school's roll, as the school information system knows them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_first_name = models.CharField(max_length=100, blank=True)
    preferred_last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    upn = models.CharField("UPN", max_length=13, help_text="Unique pupil number: a letter and 12 digits.")
    year_group = models.PositiveSmallIntegerField(help_text="National curriculum year, e.g. 9 for Year 9.")
    form = models.CharField("form", max_length=20, blank=True, help_text="Tutor group, e.g. 9W.")
    on_roll = models.BooleanField(default=True)
    left_on = models.DateField(null=True, blank=True)
    # Lower-cased names for the type-ahead, kept in step by save().
    search_text = models.CharField(max_length=400, editable=False, db_index=True)

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        constraints = [models.UniqueConstraint(fields=["school", "upn"], name="unique_upn_in_school")]
        indexes = [models.Index(fields=["school", "on_roll", "legal_last_name"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_text = " ".join(
            part.lower()
            for part in (
                self.legal_first_name,
                self.legal_last_name,
                self.preferred_first_name,
                self.preferred_last_name,
            )
            if part
        )
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        """Preferred names first, with the legal name where it differs: records name a child fully (App 4)."""
        first = self.preferred_first_name or self.legal_first_name
        last = self.preferred_last_name or self.legal_last_name
        name = f"{first} {last}"
        legal = f"{self.legal_first_name} {self.legal_last_name}"
        return name if name == legal else f"{name} (legal name {legal})"

    @property
    def year_and_form(self) -> str:
        return f"Year {self.year_group}" + (f", {self.form}" if self.form else "")


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
            # The trustees' report reads one term's concerns of each school (safeguarding/reports/selectors.py).
            models.Index(fields=["school", "recorded_at"], name="concern_school_recorded_idx"),
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
    def is_own_account(self) -> bool:
        return self.kind in OWN_ACCOUNT_KINDS

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


class AlertReason(models.TextChoices):
    NEW_CONCERN = "new_concern", "New concern"
    REROUTED = "rerouted", "The DSL team is away: sent to senior leaders"
    ESCALATED = "escalated", "Not acknowledged in time: sent to senior leaders"


class Alert(ConcernSchoolAudit, models.Model):
    """One person told about one concern, in the app and by email (R19, R20). Emails carry no child's detail."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="alerts")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alerts")
    reason = models.CharField(max_length=20, choices=AlertReason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["concern", "recipient", "reason"], name="one_alert_per_reason")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} alert"


class Unavailability(OwnSchoolAudit, models.Model):
    """R21: a DSL or deputy marks themselves away; alerts go to the rest of the team and the senior leaders."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unavailabilities")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name_plural = "unavailabilities"

    def __str__(self) -> str:
        return "Away"


class CoverShift(OwnSchoolAudit, models.Model):
    """R22: who watches alerts in a holiday or out of hours, on the cover rota."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="cover_shifts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cover_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="cover_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"Cover {timezone.localtime(self.starts_at):%d %b %H:%M}–{timezone.localtime(self.ends_at):%d %b %H:%M}"


class ActionKind(models.TextChoices):
    """R28: what the DSL team (or whoever owns it) must do. Some are created by the rules in services.py."""

    # Internal
    PASTORAL_SUPPORT = "pastoral_support", "Pastoral support"
    INFORM_STAFF = "inform_staff", "Inform need-to-know staff"
    DISCUSS_WITH_PARENTS = "discuss_with_parents", "Discuss with the parents or carers"
    MONITORING = "monitoring", "Monitor in school"
    COUNSELLOR_REFERRAL = "counsellor_referral", "Refer to the counsellor or mental health lead"
    # Early help
    EHA_TAF = "eha_taf", "Early Help Assessment / Team Around the Family"
    VCM_REQUEST = "vcm_request", "Vulnerable Children Meeting request (Derby)"
    # Social care
    SOCIAL_WORKER_CONSULTATION = "social_worker_consultation", "Consult a social worker (threshold advice)"
    CSC_REFERRAL_PHONE = "csc_referral_phone", "Children's social care referral: urgent, by phone"
    CSC_REFERRAL_ONLINE = "csc_referral_online", "Children's social care referral: online"
    CSC_WRITTEN_FOLLOW_UP = "csc_written_follow_up", "Written follow-up on the LA online referral system"
    CSC_DECISION_CHASE = "csc_decision_chase", "LA decision received?"
    INFORM_SOCIAL_WORKER = "inform_social_worker", "Inform the child's social worker"
    VIRTUAL_SCHOOL = "virtual_school", "Inform the Virtual School"
    # Police and specialist
    POLICE_EMERGENCY = "police_emergency", "Police: 999"
    POLICE_NON_EMERGENCY = "police_non_emergency", "Police: 101"
    PREVENT_ADVICE = "prevent_advice", "Call the LA Prevent team for advice"
    PREVENT_REFERRAL = "prevent_referral", "Prevent referral"
    FGM_REPORT = "fgm_report", "FGM mandatory report to the police (101)"
    OPERATION_LIBERTY = "operation_liberty", "Operation Liberty information-sharing form (exploitation)"
    HSB_SERVICE = "hsb_service", "Harmful sexual behaviour service"
    # Notifications
    PRIVATE_FOSTERING_NOTIFICATION = "private_fostering_notification", "Private fostering notification to the LA"
    CME_EHE_NOTIFICATION = "cme_ehe_notification", "Children missing education / home education notification"
    # Child-on-child sexual violence and harassment (R35)
    RISK_ASSESSMENT_VICTIM = "risk_assessment_victim", "Risk and needs assessment: the victim"
    RISK_ASSESSMENT_PERPETRATOR = "risk_assessment_perpetrator", "Risk and needs assessment: the alleged perpetrator"
    RISK_ASSESSMENT_OTHERS = "risk_assessment_others", "Risk and needs assessment: other children"
    SEPARATION = (
        "separation",
        "Remove the alleged perpetrator from shared classes and plan separation, including transport",
    )
    # Staff route
    LADO = "lado", "Contact the LADO"
    # Fallback (R21)
    SHARE_WITH_DSL = "share_with_dsl", "Share the concern and actions taken with the DSL"
    # Moving schools (R55, R58): done by recording the transfer on the child's file, not by "Done"
    SEND_CP_FILE = "send_cp_file", "Send the CP file to the next school"
    CONFIRM_CP_FILE_RECEIPT = "confirm_cp_file_receipt", "Confirm receipt to the sending school"
    # R56: a child with a social worker, or in Channel, who is leaving
    SHARE_BEFORE_LEAVING = (
        "share_before_leaving",
        "Consider sharing information with the new school before the child leaves",
    )


class LaOutcome(models.TextChoices):
    """R30: what the local authority decided about a referral to children's social care."""

    SECTION_47 = "section_47", "Section 47 enquiry (child protection)"
    SECTION_17 = "section_17", "Section 17: child in need assessment or support"
    EARLY_HELP = "early_help", "Early help (stepped down)"
    NO_FURTHER_ACTION = "no_further_action", "No further action by children's social care"
    OTHER = "other", "Other"


# The outcomes that bring an allocated social worker, whom the school then needs to know.
LA_OUTCOMES_WITH_SOCIAL_WORKER = frozenset({LaOutcome.SECTION_47, LaOutcome.SECTION_17})


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class Action(OwnSchoolAudit, models.Model):
    """Something someone must do, with an owner and a due time: about a concern, or about a child with no concern
    behind it (a pupil-level task, e.g. R38's "inform the social worker" when a child on a plan leaves)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="actions")
    pupil = models.ForeignKey(
        Pupil,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        help_text="Set for a task about the child with no concern behind it.",
    )
    kind = models.CharField(max_length=40, choices=ActionKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(blank=True)
    reference = models.CharField(
        "reference", max_length=100, blank=True, help_text="e.g. the police reference of an FGM report (R32)."
    )
    notes = models.TextField(blank=True)
    review_on = models.DateField(null=True, blank=True, help_text="R35: when a risk assessment is reviewed.")
    # R30: the answer to "LA decision received?", recorded when that task is done.
    la_outcome = models.CharField(
        "the local authority's decision", max_length=20, choices=LaOutcome.choices, blank=True
    )
    la_decided_on = models.DateField("date of the decision", null=True, blank=True)
    social_worker = models.CharField("the allocated social worker (full name and team)", max_length=200, blank=True)
    # R32: the FGM mandatory report belongs personally to the person who found it and cannot be given to another.
    reassignable = models.BooleanField(default=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["due_at", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(concern__isnull=False) | models.Q(pupil__isnull=False),
                name="action_about_concern_or_pupil",
            )
        ]
        indexes = [
            models.Index(fields=["school", "status", "due_at"]),
            # The trustees' report: referral tasks set in a term, tasks due in it, tasks still open (or done only
            # later) at its end, and the local authority's decisions dated in it (safeguarding/reports/selectors.py).
            models.Index(fields=["school", "kind", "created_at"], name="action_school_kind_created_idx"),
            models.Index(fields=["school", "due_at"], name="action_school_due_idx"),
            models.Index(fields=["school", "completed_at"], name="action_school_completed_idx"),
            models.Index(fields=["school", "kind", "la_decided_on"], name="action_school_kind_la_idx"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    def is_overdue(self, now=None) -> bool:
        return self.is_open and self.due_at is not None and (now or timezone.now()) > self.due_at


class LevelOfNeed(models.Model):
    """The Derby and Derbyshire levels of need (R27), kept as reference data: the threshold document is under
    review (decision 7), so the levels are edited in the admin, not in code."""

    code = models.SlugField(max_length=30, unique=True)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_child_protection = models.BooleanField(
        default=False,
        help_text="Level 4: the page shows the urgent and out-of-hours numbers for children's social care.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order"]
        verbose_name_plural = "levels of need"

    def __str__(self) -> str:
        return self.label


class Triage(ConcernSchoolAudit, models.Model):
    """The DSL team's first decision on a concern (R26, R27). A later triage supersedes an earlier one; both stay."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="triages")
    level = models.ForeignKey(LevelOfNeed, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField("why this level")
    immediate_needs = models.TextField("urgent medical or safety needs", blank=True)
    presentation = models.TextField("how the child presented today", blank=True)
    known_already = models.TextField("what is already known", blank=True)
    checks_needed = models.TextField("checks needed", blank=True)
    triaged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    triaged_by_name = models.CharField(max_length=200)
    triaged_by_role = models.CharField(max_length=200)
    triaged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-triaged_at"]

    def __str__(self) -> str:
        return f"Triage: {self.level}"


class DecisionKind(models.TextChoices):
    """R40: what was decided. Deciding not to refer is a decision too, with its reasons."""

    REFER_CSC = "refer_csc", "Refer to children's social care"
    NOT_REFER_CSC = "not_refer_csc", "Not to refer to children's social care"
    EARLY_HELP = "early_help", "Offer early help"
    REFER_POLICE = "refer_police", "Refer to the police"
    NOT_REFER_POLICE = "not_refer_police", "Not to refer to the police"
    REFER_PREVENT = "refer_prevent", "Refer to Prevent"
    NOT_REFER_PREVENT = "not_refer_prevent", "Not to refer to Prevent"
    REFER_LADO = "refer_lado", "Refer to the LADO"
    NOT_REFER_LADO = "not_refer_lado", "Not to refer to the LADO"
    TELL_PARENTS = "tell_parents", "Tell the parents or carers"
    NOT_TELL_PARENTS = "not_tell_parents", "Not to tell the parents or carers"
    MONITOR = "monitor", "Monitor in school"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    OTHER = "other", "Other"


class Decision(ConcernSchoolAudit, models.Model):
    """R40: every decision records its rationale, who decided (name and role) and when."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=30, choices=DecisionKind.choices)
    details = models.TextField("what was decided", blank=True)
    rationale = models.TextField("why")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by_name = models.CharField(max_length=200)
    decided_by_role = models.CharField(max_length=200)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at"]
        # The trustees' report reads the referral decisions of one term (safeguarding/reports/selectors.py).
        indexes = [models.Index(fields=["kind", "decided_at"], name="decision_kind_decided_idx")]

    def __str__(self) -> str:
        return self.get_kind_display()


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


class RecordedBy(models.Model):
    """Who wrote a record on a concern, as they stood that day, and when."""

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_name = models.CharField(max_length=200)
    recorded_by_role = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class ParentsTold(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_YET = "not_yet", "Not yet"


class ParentContact(ConcernSchoolAudit, RecordedBy):
    """R45: whether parents or carers were told; if not, why not, and whether children's social care advised."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="parent_contacts")
    told = models.CharField("were the parents or carers told?", max_length=10, choices=ParentsTold.choices)
    who_was_told = models.CharField("who was told (full name and relationship)", max_length=200, blank=True)
    told_at = models.DateTimeField("when", null=True, blank=True)
    told_by = models.CharField("told by (full name and role)", max_length=200, blank=True)
    reason_not_told = models.TextField("why not", blank=True)
    csc_advice_sought = models.BooleanField("children's social care or the police advised on this", default=False)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return "Parents or carers"

    def clean(self) -> None:
        if self.told == ParentsTold.NO and not self.reason_not_told.strip():
            raise ValidationError({"reason_not_told": "Say why the parents or carers were not told."})
        if self.told == ParentsTold.YES and not (self.who_was_told and self.told_by and self.told_at):
            raise ValidationError({"who_was_told": "Say who was told, when, and by whom."})


class TakenIntoAccount(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class ChildVoice(ConcernSchoolAudit, RecordedBy):
    """R46: the child's wishes and feelings, and whether (and how) they were taken into account."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="child_voices")
    wishes_and_feelings = models.TextField("the child's wishes and feelings, in their words where possible")
    taken_into_account = models.CharField(max_length=10, choices=TakenIntoAccount.choices)
    how = models.TextField("how, or why not", blank=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return "The child's wishes and feelings"


class ShareDirection(models.TextChoices):
    SHARED = "shared", "Information shared"
    REFUSED = "refused", "A request was refused"


class LawfulBasis(models.TextChoices):
    SAFEGUARDING = (
        "safeguarding",
        "UK GDPR Art 6(1)(e) public task and Art 9(2)(g) substantial public interest, with DPA 2018 Sch 1 para 18 "
        "(safeguarding of children)",
    )
    LEGAL_OBLIGATION = "legal_obligation", "UK GDPR Art 6(1)(c) legal obligation"
    VITAL_INTERESTS = "vital_interests", "UK GDPR Art 6(1)(d) and Art 9(2)(c) vital interests"
    CONSENT = "consent", "UK GDPR Art 6(1)(a) and Art 9(2)(a) consent"


class Consent(models.TextChoices):
    GIVEN = "given", "Consent sought and given"
    OVERRIDDEN = "overridden", "Consent sought and refused, and overridden"
    NOT_SOUGHT = "not_sought", "Consent not sought"


class InformationShare(ConcernSchoolAudit, RecordedBy):
    """R41: every sharing outside business as usual, and every refused request, with its reason (golden rule 7)."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="information_shares")
    direction = models.CharField(max_length=10, choices=ShareDirection.choices)
    shared_on = models.DateField("date")
    what = models.TextField("what was shared (or asked for)")
    recipient_name = models.CharField("recipient's full name", max_length=200)
    recipient_role = models.CharField("their role", max_length=200)
    agency = models.CharField(max_length=200)
    method = models.CharField("how (secure email, phone, meeting…)", max_length=200, blank=True)
    purpose = models.TextField("purpose")
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices, default=LawfulBasis.SAFEGUARDING)
    consent = models.CharField(max_length=20, choices=Consent.choices)
    reason = models.TextField("the reason for the decision (to share, not to seek consent, or to refuse)")
    dpo_advice_sought = models.BooleanField("uncertain: the DPO's advice was sought", default=False)

    class Meta:
        ordering = ["-shared_on", "-recorded_at"]

    def __str__(self) -> str:
        return self.get_direction_display()


class MeetingKind(models.TextChoices):
    STRATEGY = "strategy", "Strategy discussion"
    SECTION_47 = "section_47", "Section 47 enquiry meeting"
    ICPC = "icpc", "Initial child protection conference"
    RCPC = "rcpc", "Review child protection conference"
    CORE_GROUP = "core_group", "Core group"
    CIN = "cin", "Child in need meeting"
    TAF = "taf", "Team Around the Family meeting"


class Meeting(ConcernSchoolAudit, RecordedBy):
    """R36: a multi-agency meeting: when, who came, and whether the school's report went in (and to the parents
    first)."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField("date")
    attendees = models.TextField("who attended (full names, roles and agencies)")
    report_submitted = models.BooleanField("the school's report was submitted", default=False)
    report_shared_with_parents = models.BooleanField("the report was shared with the parents first", default=False)
    notes = models.TextField("outcome and notes", blank=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.get_kind_display()


class Disagreement(ConcernSchoolAudit, RecordedBy):
    """R37: a professional disagreement or escalation (DDSCP dispute resolution, dissent at a conference)."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="disagreements")
    raised_on = models.DateField("date raised")
    with_whom = models.CharField("with whom (full name, role and agency)", max_length=300)
    about = models.TextField("what the disagreement is about")
    stage = models.CharField("escalation stage", max_length=200, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_on"]

    def __str__(self) -> str:
        return "Professional disagreement"


class StaffNote(ConcernSchoolAudit, RecordedBy):
    """R47: what the DSL tells named staff on a need-to-know basis. They see this short note, never the file."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="staff_notes")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="staff_notes", verbose_name="staff told")
    note = models.TextField("note for staff", help_text="Only what they need to know to support the child.")

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return "Note for staff"


class MirrorStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"


class MirrorRecord(ConcernSchoolAudit, models.Model):
    """R10: another child named in a concern gets, once the DSL confirms, a record on their own file with only what
    concerns them; declining needs a reason."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="mirror_records")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="mirror_records")
    role = models.CharField(max_length=30, choices=PupilRole.choices)
    status = models.CharField(max_length=10, choices=MirrorStatus.choices, default=MirrorStatus.PROPOSED)
    summary = models.TextField("what goes on this child's file", blank=True)
    reason_declined = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["concern", "pupil"], name="one_mirror_per_child")]

    def __str__(self) -> str:
        return "Mirror record"


class FlagKind(models.TextChoices):
    """R48: vulnerable-group flags. R49: there is deliberately no flag for sexual orientation or gender identity
    (data minimisation, special category data): such matters go in narrative only where relevant."""

    CHILD_IN_NEED = "child_in_need", "Child in need plan"
    CHILD_PROTECTION = "child_protection", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked after"
    PREVIOUSLY_LOOKED_AFTER = "previously_looked_after", "Previously looked after (adoption, SGO, CAO)"
    CARE_LEAVER = "care_leaver", "Care leaver with a Personal Adviser"
    KINSHIP_CARE = "kinship_care", "Kinship care"
    PRIVATE_FOSTERING = "private_fostering", "Private fostering"
    SEND = "send", "SEND (SEN support or EHCP)"
    YOUNG_CARER = "young_carer", "Young carer"
    MENTAL_HEALTH_SUPPORT = "mental_health_support", "Mental health support"
    EAL = "eal", "English as an additional language"
    ASYLUM_REFUGEE = "asylum_refugee", "Asylum seeker or refugee"
    ELECTIVE_HOME_EDUCATION = "elective_home_education", "Elective home education (intent or registered)"
    MISSING_EDUCATION = "missing_education", "Child missing education"
    PERSISTENT_ABSENCE = "persistent_absence", "Persistent or severe absence"
    REDUCED_TIMETABLE = "reduced_timetable", "Reduced timetable, suspended or excluded"
    ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision"
    EARLY_HELP = "early_help", "Early help (EHA / TAF)"
    PREVENT_CHANNEL = "prevent_channel", "Prevent / Channel"
    PARENT_IN_PRISON = "parent_in_prison", "Parent in prison"
    COURT_SYSTEM = "court_system", "Involved in the court system"
    HOMELESS = "homeless", "Homeless or in temporary accommodation"


class PupilFlag(OwnSchoolAudit, RecordedBy):
    """R48: a flag with its start, end and source, seen only by safeguarding roles."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=40, choices=FlagKind.choices)
    starts_on = models.DateField("from")
    ends_on = models.DateField("until", null=True, blank=True)
    source = models.CharField("source (who told the school)", max_length=200)
    details = models.TextField(blank=True, help_text="e.g. the responsible local authority.")

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end is before the start."})

    def is_current(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class KeyPersonKind(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    VIRTUAL_SCHOOL_HEAD = "virtual_school_head", "Virtual School Head"
    PERSONAL_ADVISER = "personal_adviser", "Personal Adviser"
    OTHER_PROFESSIONAL = "other_professional", "Other professional"
    PARENTAL_RESPONSIBILITY = "parental_responsibility", "Has parental responsibility"
    EMERGENCY_CONTACT = "emergency_contact", "Emergency contact"
    AUTHORISED_COLLECTOR = "authorised_collector", "Authorised to collect"


class KeyPerson(OwnSchoolAudit, RecordedBy):
    """R50: the child's key professionals, people with parental responsibility, emergency contacts and collectors."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="key_people")
    kind = models.CharField(max_length=30, choices=KeyPersonKind.choices)
    name = models.CharField("full name", max_length=200)
    relationship_or_team = models.CharField("relationship, or team and organisation", max_length=200)
    phone = models.CharField(max_length=60, blank=True)
    email = models.CharField(max_length=200, blank=True)
    notes = models.TextField("notes (e.g. a court order)", blank=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.get_kind_display()


class PupilEventKind(models.TextChoices):
    LEFT = "left", "Left the school"
    LEAVING = "leaving", "Is due to leave the school (the date is known)"
    ABSENT = "absent", "Unexplained absence or missing"


class Destination(models.TextChoices):
    """Where a child who left went (R57: it decides which school keeps the record; R55: whether a CP file goes on)."""

    SCHOOL = "school", "Another school in England (state-funded, including academies)"
    INDEPENDENT = "independent", "An independent school"
    POST_16 = "post_16", "Post-16 education or training (college, another sixth form, an apprenticeship)"
    HOME_EDUCATION = "home_education", "Elective home education"
    MISSING = "missing", "Not known: child missing education"
    ABROAD = "abroad", "Moved abroad"
    DIED = "died", "Died"


# R55: where there is a next school or college to send the CP file to.
SENDS_CP_FILE = frozenset({Destination.SCHOOL, Destination.INDEPENDENT, Destination.POST_16})
# R57: leaving for one of these (or at 16 or over) makes this school the last known school, which keeps the record.
LAST_KNOWN_SCHOOL = frozenset(set(Destination) - {Destination.SCHOOL})


def keeps_record(destination: str, *, date_of_birth, left_on) -> bool:
    """R57, the "last known school" rule (SEED Appendix 4): this school keeps the record if the child left at 16 or
    over, or for post-16 or independent education, home education, missing education, abroad, or died; otherwise
    the record goes on, and this school keeps a transfer-tracking stub and applies the retention policy."""
    age = left_on.year - date_of_birth.year - ((left_on.month, left_on.day) < (date_of_birth.month, date_of_birth.day))
    return age >= 16 or destination in LAST_KNOWN_SCHOOL


class PupilEvent(OwnSchoolAudit, RecordedBy):
    """R38: the child left the school, or is absent without explanation or missing. For a child on a child
    protection or child in need plan, or looked after, recording it sets a task to tell the social worker at once
    (policy Section 6)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("what happened", max_length=10, choices=PupilEventKind.choices)
    on = models.DateField("date", help_text="The day the child left or will leave, or the first day of the absence.")
    details = models.TextField(
        "details",
        help_text="The destination school, or where the child is believed to be; the circumstances.",
    )
    destination = models.CharField(
        "where the child went",
        max_length=20,
        choices=Destination.choices,
        blank=True,
        help_text="For a child who left or is due to leave.",
    )
    # R57, worked out when a leaving is recorded: whether this school is the last known school and keeps the record.
    keeps_record = models.BooleanField(null=True, editable=False)

    class Meta:
        ordering = ["-on", "-recorded_at"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        if self.kind in (PupilEventKind.LEFT, PupilEventKind.LEAVING) and self.pupil_id and not self.pupil.on_roll:
            left = f" on {self.pupil.left_on:%-d %B %Y}" if self.pupil.left_on else ""
            raise ValidationError({"kind": f"This child is already recorded as having left{left}, and is off roll."})
        if self.kind == PupilEventKind.LEAVING and self.destination in (Destination.MISSING, Destination.DIED):
            raise ValidationError(
                {"destination": "For a leaving still to come, choose where the child will go (or leave it blank)."}
            )
        if self.kind == PupilEventKind.LEFT and not self.destination:
            raise ValidationError(
                {"destination": 'Choose where the child went ("Not known: child missing education" if nobody knows).'}
            )
        if not self.on:
            return
        if self.kind == PupilEventKind.LEAVING:
            if self.on < timezone.localdate():
                raise ValidationError({"on": "This date has passed: record that the child left the school instead."})
        elif self.on > timezone.localdate():
            raise ValidationError(
                {
                    "on": "This date is in the future. Give the date it happened, or record that the child is due to "
                    "leave."
                }
            )


class TransferDirection(models.TextChoices):
    OUT = "out", "Sent to the next school"
    IN = "in", "Received from the previous school"


class TransferMethod(models.TextChoices):
    """R55: how the file went (or came), kept apart from the main pupil file."""

    SECURE_EMAIL = "secure_email", "Secure email"
    SECURE_PORTAL = "secure_portal", "Secure portal (e.g. S2S or a CPOMS transfer)"
    TRACKED_POST = "tracked_post", "Tracked post"
    IN_PERSON = "in_person", "Handed over in person, with a signature"


METHOD_WORDS = {
    TransferMethod.SECURE_EMAIL: "by secure email",
    TransferMethod.SECURE_PORTAL: "through a secure portal",
    TransferMethod.TRACKED_POST: "by tracked post",
    TransferMethod.IN_PERSON: "by hand, in person, with a signature",
}


class FileTransfer(OwnSchoolAudit, RecordedBy):
    """R55, R58: the child's CP file sent to the next school or received from the previous one.

    Out: opened when a leaving is recorded for a child with a CP file, with the day it is due (the 5th school day
    after leaving, decision 2: computed, never typed) and its task; then sent (how, when, to whom) and the receiving
    school's confirmation of receipt (who, when), which closes the task. In: received (from whom, when, how), with
    a task to confirm receipt to the sender, closed by recording when that was done."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="file_transfers")
    direction = models.CharField(max_length=3, choices=TransferDirection.choices, editable=False)
    other_school = models.CharField("school (full name and town)", max_length=200, blank=True)
    other_school_contact = models.CharField(
        "their DSL (full name), if known", max_length=200, blank=True, help_text="Who the file went to, or came from."
    )
    method = models.CharField("how", max_length=20, choices=TransferMethod.choices, blank=True)
    # Out
    event = models.ForeignKey(PupilEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_on = models.DateField("due by", null=True, blank=True, editable=False)
    sent_on = models.DateField("date sent", null=True, blank=True)
    receipt_confirmed_by = models.CharField(
        "who confirmed receipt (full name and role at the receiving school)", max_length=200, blank=True
    )
    receipt_confirmed_on = models.DateField("date receipt was confirmed", null=True, blank=True)
    # In
    received_on = models.DateField("date received", null=True, blank=True)
    confirmation_sent_on = models.DateField("date we confirmed receipt to the sending school", null=True, blank=True)
    # R56: for a child-on-child case, what the new school was told so support and risk management carry on.
    onward_support = models.TextField("onward support needs and risks passed on", blank=True)
    # The task this transfer closes: sending (out) or confirming receipt (in).
    action = models.OneToOneField(
        Action, on_delete=models.PROTECT, null=True, blank=True, related_name="file_transfer", editable=False
    )
    # R58: who was told a file arrived (the DSL, the deputies and the SENCo); they see a notice on My concerns.
    told = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="file_transfers_told", blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["school", "direction"])]

    def __str__(self) -> str:
        return self.get_direction_display()

    @property
    def is_out(self) -> bool:
        return self.direction == TransferDirection.OUT

    @property
    def is_complete(self) -> bool:
        return bool(self.receipt_confirmed_on if self.is_out else self.confirmation_sent_on)

    @property
    def method_words(self) -> str:
        """How the file went, as the words after "sent" or "received" in a sentence."""
        return METHOD_WORDS.get(self.method, "")

    @property
    def sent_on_time(self) -> bool | None:
        if not (self.is_out and self.sent_on and self.due_on):
            return None
        return self.sent_on <= self.due_on

    def clean(self) -> None:
        today = timezone.localdate()
        errors = {}
        for name in ("sent_on", "receipt_confirmed_on", "received_on", "confirmation_sent_on"):
            value = getattr(self, name)
            if value and value > today:
                errors[name] = "This date is in the future. Give the date it happened."
        if "sent_on" not in errors and self.sent_on and self.event_id and self.sent_on < self.event.on:
            errors["sent_on"] = (
                f"This is before the child left ({self.event.on:%-d %B %Y}). Give the date the file was sent."
            )
        confirmed, sent = self.receipt_confirmed_on, self.sent_on
        if "receipt_confirmed_on" not in errors and confirmed and sent and confirmed < sent:
            errors["receipt_confirmed_on"] = (
                f"This is before the file was sent ({sent:%-d %B %Y}). Give the date receipt was confirmed."
            )
        answered, received = self.confirmation_sent_on, self.received_on
        if "confirmation_sent_on" not in errors and answered and received and answered < received:
            errors["confirmation_sent_on"] = f"This is before the file was received ({received:%-d %B %Y})."
        if errors:
            raise ValidationError(errors)
