"""Concerns about adults who work in or for the school (policy Section 9; KCSIE Part 4): allegations that may meet
the harm threshold, low-level concerns, and concerns about safeguarding practice (whistleblowing).

These records are walled off from the children's records: only the case manager and the people they add read a
case, and the subject never does, whatever their role (R61). safeguarding/access.py holds the rule; every query
here goes through staff_allegations.selectors, which asks it.
"""

import uuid
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from safeguarding.append_only import AppendOnlyManager
from safeguarding.models import Draft, School


class AdultCaseAudit:
    """Audit-log rows of a case carry its school, its id and its subject, so /audit/ can keep every row of a case
    away from its subject (R61) and from readers the case is not shared with."""

    def _audit_case(self):
        return self

    def get_additional_data(self) -> dict:
        case = self._audit_case()
        return {"school": case.school_id, "adult_case": case.pk, "adult_case_subject": case.subject_user_id}


class CaseKind(models.TextChoices):
    ALLEGATION = "allegation", "Allegation that may meet the harm threshold"
    LOW_LEVEL = "low_level", "Low-level concern"
    PRACTICE = "practice", "Concern about safeguarding practice (whistleblowing)"


class Employment(models.TextChoices):
    """R59: who the adult is to the school."""

    STAFF = "staff", "Member of staff employed by the school or trust"
    SUPPLY = "supply", "Supply or agency staff"
    CONTRACTOR = "contractor", "Contractor"
    VOLUNTEER = "volunteer", "Volunteer"
    TRUSTEE = "trustee", "Trustee or governor"
    HIRER = "hirer", "Someone hiring or using the premises to run activities for children"


# R75: their employer or agency is told about a concern about them.
EXTERNAL_EMPLOYMENT = frozenset({Employment.SUPPLY, Employment.CONTRACTOR, Employment.HIRER})


class Route(models.TextChoices):
    HEAD = "head", "the Headteacher"
    DSL = "dsl", "the Designated Safeguarding Lead"
    CHAIR = "chair", "the Chair of Trustees"


class LowLevelTheme(models.TextChoices):
    """R76: themes, so the decision maker can see similar behaviour across different adults."""

    BOUNDARIES = "boundaries", "Professional boundaries (being over-friendly, favouritism, time alone with a child)"
    LANGUAGE = "language", "Inappropriate language, humiliation or shouting"
    PHYSICAL = "physical", "Physical contact or handling"
    ONLINE = "online", "Online contact, social media or personal phone"
    OUTSIDE_WORK = "outside_work", "Conduct outside work"
    PROCEDURE = "procedure", "Not following safeguarding procedures"
    OTHER = "other", "Something else"


class Outcome(models.TextChoices):
    """R66: KCSIE Part 4's definitions, shown to the case manager beside the choice."""

    SUBSTANTIATED = "substantiated", "Substantiated"
    MALICIOUS = "malicious", "Malicious"
    FALSE = "false", "False"
    UNSUBSTANTIATED = "unsubstantiated", "Unsubstantiated"
    UNFOUNDED = "unfounded", "Unfounded"


OUTCOME_DEFINITIONS: dict[str, str] = {
    Outcome.SUBSTANTIATED: "There is sufficient evidence to prove the allegation.",
    Outcome.MALICIOUS: "There is sufficient evidence to disprove the allegation and there has been a deliberate act "
    "to deceive.",
    Outcome.FALSE: "There is sufficient evidence to disprove the allegation.",
    Outcome.UNSUBSTANTIATED: "There is insufficient evidence to either prove or disprove the allegation. The term "
    "therefore does not imply guilt or innocence.",
    Outcome.UNFOUNDED: "There is no evidence or proper basis which supports the allegation being made.",
}
# R80: these findings are removed from personnel records unless the person consents to keeping them.
REMOVED_FROM_PERSONNEL = frozenset({Outcome.MALICIOUS, Outcome.FALSE})


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class AdultCase(AdultCaseAudit, models.Model):
    """One concern about an adult, from the reporter's signed record to the outcome (R59–R77)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="adult_cases")
    kind = models.CharField(max_length=20, choices=CaseKind.choices)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    idempotency_key = models.UUIDField(unique=True, help_text="One case per form, however often it is sent.")

    # The subject: a person with an account, or a name, role and employer (R59). Empty for a practice concern.
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_name = models.CharField("the adult's full name", max_length=200, blank=True)
    subject_role = models.CharField("their role or job", max_length=200, blank=True)
    employment = models.CharField("who they are to the school", max_length=20, choices=Employment.choices, blank=True)
    employer = models.CharField(
        "their employer or agency", max_length=200, blank=True, help_text="For supply staff, contractors and hirers."
    )
    subject_is_head = models.BooleanField(default=False)
    subject_is_dsl = models.BooleanField(default=False)

    # The reporter's signed and dated record (R62): signed by their authenticated account.
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reporter_name = models.CharField(max_length=200)
    reporter_role = models.CharField(max_length=200)
    self_referral = models.BooleanField(default=False, help_text="R72: the reporter is telling us about themselves.")
    raised_at = models.DateTimeField(default=timezone.now)
    happened_at = models.DateTimeField("when it happened", null=True, blank=True)
    non_recent = models.BooleanField(
        default=False, help_text="R70: it happened some time ago; it takes the same route, LADO and police included."
    )
    location = models.CharField("where", max_length=200, blank=True)
    people_present = models.TextField("who was present", blank=True)
    witnessed = models.TextField("what was seen or heard")
    said = models.TextField("what was said, in the words used", blank=True)
    theme = models.CharField(max_length=20, choices=LowLevelTheme.choices, blank=True)

    # R59: the four harm-threshold tests decide allegation or low-level concern.
    harmed = models.BooleanField(default=False)
    offence = models.BooleanField(default=False)
    risk_of_harm = models.BooleanField(default=False)
    unsuitable = models.BooleanField(default=False)

    # R60: a conflict of interest in reporting to the Head sends the report straight to the LADO.
    conflict_of_interest = models.BooleanField(default=False)
    conflict_details = models.TextField(blank=True)
    reported_to_lado_directly = models.BooleanField(default=False)

    route = models.CharField(max_length=10, choices=Route.choices)
    case_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    routing_reason = models.CharField(max_length=300)

    # R64: the child-welfare concern an allegation opens for the DSL, when a child is named.
    linked_concern = models.ForeignKey(
        "concerns.Concern", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # Low-level concerns (R73): the decision and the action taken.
    decision = models.TextField(blank=True)
    action_taken = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_name = models.CharField(max_length=200, blank=True)

    # Closing (R66, R68, R70).
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    summary = models.TextField("summary of the case, how it was followed up and resolved", blank=True)
    lessons_learnt = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_name = models.CharField(max_length=200, blank=True)
    copy_given_on = models.DateField("date a copy was given to the person", null=True, blank=True)

    # Retention (R80, R81): what the review date is computed from.
    retirement_on = models.DateField("the person's normal pension or retirement date", null=True, blank=True)
    left_employment_on = models.DateField("the date the person left", null=True, blank=True)

    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["school", "status", "-raised_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="allegation", status="closed", outcome=""),
                name="closed_allegation_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        # Never the subject's name: this string is what the audit log shows.
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def reference(self) -> str:
        return f"AC-{self.pk or 0:05d}"

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    @property
    def subject_display(self) -> str:
        if self.kind == CaseKind.PRACTICE:
            return "Safeguarding practice in the school"
        parts = [self.subject_name]
        if self.subject_role:
            parts.append(self.subject_role)
        if self.employer:
            parts.append(self.employer)
        return ", ".join(p for p in parts if p)

    @property
    def outcome_definition(self) -> str:
        return OUTCOME_DEFINITIONS.get(self.outcome, "")

    @property
    def remove_from_personnel_record(self) -> bool:
        return self.outcome in REMOVED_FROM_PERSONNEL

    def review_on(self) -> date | None:
        """R80: an allegation is kept until the normal retirement date or 10 years from the allegation, whichever
        is later. R81: a low-level concern at least until the person leaves, then reviewed. Nothing is deleted
        automatically; this is the date the record comes up for review."""
        raised = timezone.localtime(self.raised_at).date()
        if self.kind == CaseKind.ALLEGATION:
            ten_years = _add_years(raised, 10)
            return max(ten_years, self.retirement_on) if self.retirement_on else ten_years
        if self.kind == CaseKind.LOW_LEVEL:
            return self.left_employment_on
        return None

    def clean(self) -> None:
        if self.kind != CaseKind.PRACTICE and not (self.subject_user_id or self.subject_name):
            raise ValidationError("Say who the concern is about.")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class EntryKind(models.TextChoices):
    """What the case manager records on a case (R63, R65, R67, R68), as one dated timeline."""

    NOTE = "note", "Note"
    FACT_FINDING = "fact_finding", "Basic fact-finding enquiry"
    LADO = "lado", "Discussion with the LADO"
    POLICE = "police", "Police involvement"
    STRATEGY_MEETING = "strategy_meeting", "Strategy meeting"
    SUSPENSION = "suspension", "Suspension considered, and the alternatives"
    SUBJECT_INFORMED = "subject_informed", "The person was told, and their support contact"
    PARENTS_INFORMED = "parents_informed", "The child's parents or carers were told"
    EMPLOYER_INFORMED = "employer_informed", "The employer or agency was told"
    DBS_REFERRAL = "dbs_referral", "Referral to the Disclosure and Barring Service"
    TRA_REFERRAL = "tra_referral", "Referral to the Teaching Regulation Agency"
    RESIGNED = "resigned", "The person resigned or left"
    SHARED = "shared", "Case shared with a colleague"
    ROUTED = "routed", "Reported and routed"
    DECISION = "decision", "Decision and action taken"
    ESCALATED = "escalated", "Escalated to an allegation"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"


# Kinds the case manager adds from the case page; the others are written by the services.
RECORDABLE_KINDS = [
    EntryKind.NOTE,
    EntryKind.FACT_FINDING,
    EntryKind.POLICE,
    EntryKind.STRATEGY_MEETING,
    EntryKind.SUSPENSION,
    EntryKind.SUBJECT_INFORMED,
    EntryKind.PARENTS_INFORMED,
    EntryKind.EMPLOYER_INFORMED,
    EntryKind.DBS_REFERRAL,
    EntryKind.TRA_REFERRAL,
    EntryKind.RESIGNED,
]


class CaseEntry(AdultCaseAudit, models.Model):
    """One dated line of a case's record, with who wrote it; append-only like the children's chronology."""

    case = models.ForeignKey(AdultCase, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=30, choices=EntryKind.choices)
    on = models.DateField("date it happened", default=timezone.localdate)
    details = models.TextField("what happened")
    reference = models.CharField("reference (LADO, police, DBS)", max_length=100, blank=True)
    person = models.CharField("who (e.g. the support contact, who was told)", max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=200)
    author_role = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    objects = AppendOnlyManager()  # bulk update() and delete() refused too (safeguarding.append_only)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "case entries"

    def __str__(self) -> str:
        return self.get_kind_display()

    def _audit_case(self):
        return self.case


class TaskKind(models.TextChoices):
    LADO_CONSULTATION = "lado_consultation", "Consult the LADO (within one working day)"
    NOTIFY_EMPLOYER = "notify_employer", "Tell their employer or agency"
    PATTERN_REVIEW = "pattern_review", "Review a pattern of low-level concerns"


class CaseTask(AdultCaseAudit, models.Model):
    """A deadline on a case: the LADO within one working day (R63), the employer told (R75)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(AdultCase, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=30, choices=TaskKind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by_name = models.CharField(max_length=200, blank=True)
    # The LADO consultation (R63): reference, advice given and the agreed course; or why not referred.
    referred = models.BooleanField(null=True)
    reference = models.CharField(max_length=100, blank=True)
    outcome = models.TextField(blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def _audit_case(self):
        return self.case

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    def is_overdue(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at


class CaseMember(AdultCaseAudit, models.Model):
    """Someone the case manager has added to a case (e.g. the DSL, R73), who then reads it too."""

    case = models.ForeignKey(AdultCase, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="member_once_per_case")]

    def __str__(self) -> str:
        return f"Member of {self.case}"

    def _audit_case(self):
        return self.case


class DecisionMaker(models.TextChoices):
    HEAD = "head", "The Headteacher"
    DSL = "dsl", "The Designated Safeguarding Lead"


class AdultCaseSettings(models.Model):
    """Per-school choices the policy leaves open (decision 4: low-level concerns are decided by the Head unless
    the school chooses the DSL) and the window for spotting patterns (R76)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="adult_case_settings")
    low_level_decision_maker = models.CharField(
        max_length=10, choices=DecisionMaker.choices, default=DecisionMaker.HEAD
    )
    pattern_window_days = models.PositiveSmallIntegerField(
        default=365, help_text="R76: low-level concerns about one person within this many days make a pattern."
    )
    pattern_threshold = models.PositiveSmallIntegerField(
        default=2, help_text="R76: how many low-level concerns about one person make a pattern."
    )
    theme_threshold = models.PositiveSmallIntegerField(
        default=3, help_text="R76: how many different people with concerns on one theme make a pattern."
    )

    class Meta:
        verbose_name = "settings for concerns about adults"
        verbose_name_plural = "settings for concerns about adults"

    def __str__(self) -> str:
        return f"Settings for {self.school}"

    def get_additional_data(self) -> dict:
        return {"school": self.school_id}

    @classmethod
    def for_school(cls, school: School) -> "AdultCaseSettings":
        found = cls.objects.filter(school=school).first()
        return found or cls(school=school)


class RecordsReview(models.Model):
    """R76: a dated log that the low-level concern records were reviewed for patterns."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_by_name = models.CharField(max_length=200)
    reviewed_on = models.DateField(default=timezone.localdate)
    notes = models.TextField("what the review found", blank=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"Records reviewed {self.reviewed_on:%-d %B %Y}"

    def get_additional_data(self) -> dict:
        # The notes may describe cases: the rows are kept with the cases', away from the school's general log.
        return {"school": self.school_id, "adult_case": 0, "adult_case_subject": None}


class DraftForm(models.TextChoices):
    ADULT = "adult", "Concern about an adult"
    PRACTICE = "practice", "Concern about safeguarding practice"


class AdultConcernDraft(Draft):
    """What a person has typed into a form about an adult and not yet sent, saved as they type, so nothing is lost
    (the promise Raise a Concern makes). Kept here, not with the children's drafts: what it holds belongs behind
    the same wall as the case it will become. Only its author sees it; it goes when sent, or after 30 days."""

    form = models.CharField(max_length=10, choices=DraftForm.choices)

    class Meta(Draft.Meta):
        pass

    def get_additional_data(self) -> dict:
        # An unsent draft has no case yet, so nobody can tell whom it is about, the DPO included: its rows are kept
        # off /audit/ for every reader (safeguarding.selectors.audit_entries) and never hold the words or the key.
        return {"school": self.school_id, "adult_case": 0, "adult_case_subject": None, "adult_draft": True}
