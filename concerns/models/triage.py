"""The DSL team's judgement (R25–R27, R40): the levels of need, triage, and decisions with their reasons."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguarding.audit import ConcernSchoolAudit

from .concern import Concern


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
        # The trustees' report reads the referral decisions of one term (safeguarding/reports/action_counts.py).
        indexes = [models.Index(fields=["kind", "decided_at"], name="decision_kind_decided_idx")]

    def __str__(self) -> str:
        return self.get_kind_display()
