"""The key-contacts directory: the source of "who to call" everywhere in the app (policy Section 4, R90, R91)."""

import uuid
from datetime import date

from django.db import models
from django.utils import timezone

from safeguarding.models import School


class Area(models.TextChoices):
    SCHOOL = "school", "The school's safeguarding team"
    DERBY = "derby", "Derby"
    DERBYSHIRE = "derbyshire", "Derbyshire"
    DERBY_AND_DERBYSHIRE = "derby_and_derbyshire", "Derby and Derbyshire"
    NATIONAL = "national", "National"


class Purpose(models.TextChoices):
    """What a contact is for, so other pages can show the right number in context (R91)."""

    NONE = "", "—"
    DSL = "dsl", "Designated Safeguarding Lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy DSL"
    SENIOR_LEADER = "senior_leader", "Senior leader in the DSL's absence"
    SAFEGUARDING_MAILBOX = "safeguarding_mailbox", "Safeguarding team mailbox"
    CSC_URGENT = "csc_urgent", "Children's social care: urgent referrals"
    CSC_OUT_OF_HOURS = "csc_out_of_hours", "Children's social care: out of hours"
    CSC_CONSULTATION = "csc_consultation", "Children's social care: threshold advice"
    EARLY_HELP = "early_help", "Early help"
    LADO = "lado", "LADO (allegations about adults)"
    POLICE_EMERGENCY = "police_emergency", "Police: emergency"
    POLICE_NON_EMERGENCY = "police_non_emergency", "Police: non-emergency"
    FGM_REPORT = "fgm_report", "FGM mandatory report"
    PREVENT = "prevent", "Prevent (radicalisation)"
    CME = "cme", "Children missing education"
    VIRTUAL_SCHOOL = "virtual_school", "Virtual School"
    HSB = "hsb", "Harmful sexual behaviour"
    WHISTLEBLOWING = "whistleblowing", "Whistleblowing advice"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    NSPCC = "nspcc", "NSPCC"
    ONLINE_SAFETY = "online_safety", "Online safety"
    DPO = "dpo", "Data Protection Officer"


REVIEW_INTERVAL_MONTHS = 12


class Contact(models.Model):
    """One entry of a school's directory. Entries are retired, never deleted, so history stays in the audit log."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="contacts")
    area = models.CharField(max_length=30, choices=Area.choices)
    role = models.CharField(
        max_length=200, help_text="What the person or service does, e.g. Designated Safeguarding Lead."
    )
    name = models.CharField("person", max_length=200, blank=True, help_text="Full name, where a person is named.")
    organisation = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=60, blank=True)
    phone_alternative = models.CharField("other phone or text number", max_length=120, blank=True)
    email = models.CharField(
        max_length=200, blank=True, help_text="Kept as published; a suspected error is flagged, not corrected."
    )
    use_when = models.TextField("use when", blank=True)
    notes = models.TextField(blank=True)
    data_warning = models.CharField(
        "check before use",
        max_length=300,
        blank=True,
        help_text="A suspected error in the published details, shown beside the entry until someone checks it.",
    )
    purpose = models.CharField(max_length=40, choices=Purpose.choices, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    reviewed_on = models.DateField("last reviewed", default=timezone.localdate)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sort_order", "role", "name"]
        indexes = [models.Index(fields=["school", "purpose"])]

    def __str__(self) -> str:
        return f"{self.role}: {self.name}" if self.name else self.role

    def get_additional_data(self) -> dict:
        """Ties the entry's audit-log rows to its school, so each school's log shows only its own."""
        return {"school": self.school_id}

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def review_due_on(self) -> date:
        return add_months(self.reviewed_on, REVIEW_INTERVAL_MONTHS)

    def is_review_overdue(self, today: date | None = None) -> bool:
        """R90: an entry not reviewed for 12 months is flagged."""
        return (today or timezone.localdate()) > self.review_due_on()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day (29 Feb + 12 months)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)
