"""Actions with statutory deadlines (R28–R35, R38, R39): their kinds, the local authority's outcome on a referral
(R30), and the action itself, on a concern or on a pupil.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguarding.audit import OwnSchoolAudit
from safeguarding.models import School

from .concern import Concern
from .pupil import Pupil


class ActionKind(models.TextChoices):
    """R28: what the DSL team (or whoever owns it) must do. Some come from the rules in services/actions.py."""

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
            # later) at its end, and the LA's decisions dated in it (safeguarding/reports/action_counts.py).
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
