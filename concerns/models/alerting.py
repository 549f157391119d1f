"""Who is told of a concern (R19–R22): the alerts, a member of the DSL team's time away, and the cover rota."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from safeguarding.audit import ConcernSchoolAudit, OwnSchoolAudit
from safeguarding.models import School

from .concern import Concern


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
