"""Schools, the people who use the app, each person's roles at a school or a trust, and each school's calendar."""

import re
import uuid
from datetime import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .audit import OwnSchoolAudit


class Trust(models.Model):
    """A multi-academy trust: its schools share an installation and a trust-wide anonymised report."""

    name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school whose records this installation holds. Every record belongs to one school."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, null=True, blank=True, related_name="schools")
    local_authority = models.CharField(max_length=120, help_text="The local authority the school is in, e.g. Derby.")
    urn = models.CharField("URN", max_length=12, blank=True, help_text="The school's unique reference number.")
    day_starts_at = models.TimeField("school day starts", default=time(8, 30))
    day_ends_at = models.TimeField(
        "school day ends",
        default=time(15, 30),
        help_text="A concern recorded after this on the day it happened is late (R12).",
    )
    escalate_immediate_after_minutes = models.PositiveIntegerField(
        default=15, help_text="School-hours minutes before an unacknowledged Immediate concern goes to senior leaders."
    )
    escalate_routine_after_minutes = models.PositiveIntegerField(
        default=60, help_text="School-hours minutes before any other unacknowledged concern goes to senior leaders."
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "local_authority"], name="unique_school_name_in_la")]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        """Ties audit-log rows to the school, so each school's log shows only its own (see safeguarding.audit)."""
        return {"school": self.pk}


class User(AbstractUser):
    """A person who signs in. Full name and job title appear on every record they write (R3), so both are needed."""

    job_title = models.CharField(
        max_length=120, blank=True, help_text="Shown on every record this person writes, e.g. Teacher of Geography."
    )

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name

    def get_additional_data(self) -> dict:
        """Ties changes to a person (a password reset, a new name) to their school's audit log."""
        school_id = self.memberships.filter(school__isnull=False).values_list("school_id", flat=True).first()
        return {"school": school_id}

    def name_and_role_at(self, school) -> tuple[str, str]:
        """Full name and role as a record written at `school` shows them: the job title, else the role held there."""
        if self.job_title:
            role = self.job_title
        else:
            membership = self.memberships.filter(school=school).first()
            role = membership.get_role_display() if membership else "Member of staff"
        return self.display_name, role

    @property
    def display_name(self) -> str:
        """The full name, or the username of an account that has none."""
        return self.get_full_name() or self.username

    @property
    def name_and_role(self) -> str:
        """Full name and job title as one label, for choosing a person in a list (records written at a school use
        name_and_role_at, which falls back to the role held there)."""
        return f"{self.display_name}, {self.job_title}" if self.job_title else self.display_name


class Role(models.TextChoices):
    # School roles
    STAFF = "staff", "Member of staff"
    DSL = "dsl", "Designated Safeguarding Lead"
    DEPUTY_DSL = "deputy_dsl", "Deputy Designated Safeguarding Lead"
    HEADTEACHER = "headteacher", "Headteacher"
    SENIOR_LEADER = "senior_leader", "Senior leader"
    CHAIR = "chair", "Chair of Trustees"
    TRUSTEE = "trustee", "Trustee"
    DPO = "dpo", "Data Protection Officer"
    IT_ADMIN = "it_admin", "IT administrator"
    PASTORAL = "pastoral", "Pastoral support officer"
    SENCO = "senco", "SENCo"
    DESIGNATED_TEACHER_LAC = "designated_teacher_lac", "Designated Teacher for looked-after children"
    MENTAL_HEALTH_LEAD = "mental_health_lead", "Designated Lead for Mental Health and Well-being"
    ATTENDANCE_OFFICER = "attendance_officer", "Attendance Officer"
    # Trust roles: anonymised reports across the trust's schools, no records.
    TRUST_SAFEGUARDING_LEAD = "trust_safeguarding_lead", "Trust safeguarding lead"
    TRUST_TRUSTEE = "trust_trustee", "Trust trustee"


TRUST_ROLES = frozenset({Role.TRUST_SAFEGUARDING_LEAD, Role.TRUST_TRUSTEE})


class Membership(models.Model):
    """One role a person holds at one school (or, for trust roles, at one trust). A person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    role = models.CharField(max_length=40, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "school", "role"], name="unique_role_at_school"),
            models.UniqueConstraint(fields=["user", "trust", "role"], name="unique_role_at_trust"),
            models.CheckConstraint(
                condition=(Q(school__isnull=False, trust__isnull=True) | Q(school__isnull=True, trust__isnull=False)),
                name="membership_at_school_or_trust",
            ),
        ]

    def __str__(self) -> str:
        place = self.school or self.trust
        return f"{self.user}: {self.get_role_display()} at {place}"

    def get_additional_data(self) -> dict:
        return {"school": self.school_id, "trust": self.trust_id}

    def clean(self) -> None:
        if self.role in TRUST_ROLES:
            if not self.trust_id or self.school_id:
                raise ValidationError({"trust": "A trust role is held at a trust, not at a school."})
        elif not self.school_id or self.trust_id:
            raise ValidationError({"school": "This role is held at a school: choose the school."})


class SignInProvider(models.Model):
    """Single sign-on with the school's own accounts (issue 13, item 3): Microsoft Entra ID (Microsoft 365), Google
    Workspace or another OpenID Connect provider, for one school or for every school of a trust.

    It signs in only people the school already has, matched by a verified email address (safeguarding/sso.py); it
    never creates an account. The IT administrator sets it up in the admin; django-allauth does the OpenID Connect
    conversation, reading its configuration from here (sso.SchoolSignInAdapter.list_apps)."""

    class Kind(models.TextChoices):
        MICROSOFT = "microsoft", "Microsoft Entra ID (Microsoft 365)"
        GOOGLE = "google", "Google Workspace"
        OTHER = "oidc", "Another OpenID Connect provider"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="sign_in")
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, null=True, blank=True, related_name="sign_in")
    tenant = models.CharField(
        max_length=200,
        blank=True,
        help_text="Microsoft only: the directory (tenant) ID from the app registration's overview page.",
    )
    server_url = models.URLField(
        blank=True,
        help_text="Another provider only: its issuer address (where /.well-known/openid-configuration is found).",
    )
    client_id = models.CharField("client ID", max_length=200)
    client_secret = models.CharField(max_length=400)
    email_domains = models.CharField(
        max_length=400,
        blank=True,
        help_text=(
            "Optional, separated by spaces: the domains of the addresses your directory itself gives staff (e.g. "
            "westpark.derby.sch.uk). An address in one of them is trusted even when the provider does not say it "
            "is verified, as Microsoft's tokens do not."
        ),
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = "single sign-on provider"
        constraints = [
            models.CheckConstraint(
                condition=(Q(school__isnull=False, trust__isnull=True) | Q(school__isnull=True, trust__isnull=False)),
                name="sign_in_for_school_or_trust",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.school or self.trust}"

    @property
    def provider_id(self) -> str:
        """allauth's name for it, in the sign-in addresses: stable, and saying nothing about the school."""
        return f"sso-{self.public_id.hex[:12]}"

    @property
    def issuer(self) -> str:
        if self.kind == self.Kind.MICROSOFT:
            return f"https://login.microsoftonline.com/{self.tenant}/v2.0"
        if self.kind == self.Kind.GOOGLE:
            return "https://accounts.google.com"
        return self.server_url

    @property
    def sign_in_origin(self) -> str:
        """Where the button's form ends up (the provider's sign-in page), for the sign-in page's form-action CSP."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def button_label(self) -> str:
        names: dict[str, str] = {self.Kind.MICROSOFT: "Microsoft 365", self.Kind.GOOGLE: "Google"}
        name = names.get(self.kind, "your school account")
        return f"Sign in with {name}"

    def trusts_domain_of(self, address: str) -> bool:
        domain = address.rpartition("@")[2].lower()
        return bool(domain) and domain in self.email_domains.lower().split()

    def clean(self) -> None:
        if bool(self.school_id) == bool(self.trust_id):
            raise ValidationError("Choose a school or a trust, not both.")
        if self.kind == self.Kind.MICROSOFT and not self.tenant.strip():
            raise ValidationError({"tenant": "Microsoft needs the directory (tenant) ID of your school's app."})
        if self.kind == self.Kind.OTHER and not self.server_url:
            raise ValidationError({"server_url": "Give the provider's issuer address."})


def validate_academic_year(value: str) -> None:
    """An academic year is written as in DfE returns, "2025-26": two consecutive years, so a slip shows at once."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValidationError(
            "Write the academic year as two consecutive years, e.g. 2025-26.", code="invalid_academic_year"
        )


def _long_date(day) -> str:
    return f"{day.day} {day:%B %Y}"


class TermName(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


class Term(OwnSchoolAudit, models.Model):
    """One term of a school's year (R31): outside terms and in the half term, days are not school days."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="terms")
    name = models.CharField(max_length=10, choices=TermName.choices)
    academic_year = models.CharField(
        max_length=7, validators=[validate_academic_year], help_text="Two consecutive years, e.g. 2025-26."
    )
    starts_on = models.DateField("first day of term")
    ends_on = models.DateField("last day of term")
    half_term_starts_on = models.DateField("first day of half term", null=True, blank=True)
    half_term_ends_on = models.DateField(
        "last day of half term", null=True, blank=True, help_text="The weekdays of the half-term holiday."
    )

    class Meta:
        ordering = ["school", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "academic_year", "name"], name="unique_term_in_year"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="term_ends_after_it_starts",
                violation_error_message="The term must end after it starts.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(half_term_starts_on__isnull=True, half_term_ends_on__isnull=True)
                    | Q(
                        half_term_starts_on__gte=F("starts_on"),
                        half_term_ends_on__gte=F("half_term_starts_on"),
                        half_term_ends_on__lte=F("ends_on"),
                    )
                ),
                name="half_term_inside_term",
                violation_error_message="The half term must lie inside the term.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_name_display()} term {self.academic_year}"

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = "The term must end after it starts."
        half_start, half_end = self.half_term_starts_on, self.half_term_ends_on
        if (half_start is None) != (half_end is None):
            field = "half_term_ends_on" if half_end is None else "half_term_starts_on"
            errors[field] = "Give both the first and the last day of the half term, or neither."
        elif half_start and half_end and "ends_on" not in errors and self.starts_on and self.ends_on:
            if half_end < half_start:
                errors["half_term_ends_on"] = "The half term must end on or after the day it starts."
            elif not (self.starts_on <= half_start and half_end <= self.ends_on):
                errors["half_term_starts_on"] = "The half term must lie inside the term."
        if errors:
            raise ValidationError(errors)
        if self.school_id and self.starts_on and self.ends_on:
            # Two terms over the same day would make "which term is this?" ambiguous for deadlines.
            overlapping = (
                Term.objects.filter(school_id=self.school_id, starts_on__lte=self.ends_on, ends_on__gte=self.starts_on)
                .exclude(pk=self.pk)
                .first()
            )
            if overlapping:
                raise ValidationError(
                    f"These dates overlap the {overlapping} ({_long_date(overlapping.starts_on)} to "
                    f"{_long_date(overlapping.ends_on)})."
                )


class InsetDay(OwnSchoolAudit, models.Model):
    """A training day inside a term: staff are in, pupils are not, so it is not a school day (R31)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="inset_days")
    day = models.DateField()
    note = models.CharField(max_length=200, blank=True, help_text="e.g. Safeguarding training.")

    class Meta:
        verbose_name = "INSET day"
        ordering = ["school", "day"]
        constraints = [models.UniqueConstraint(fields=["school", "day"], name="unique_inset_day")]

    def __str__(self) -> str:
        return f"INSET day {_long_date(self.day)}"


class AssuranceKind(models.TextChoices):
    """R89: the yearly checks the trustees must see dated in the termly report (policy Section 3)."""

    SAFEGUARDING_AUDIT = "safeguarding_audit", "Safeguarding audit"
    SDAT_CHECKLIST = "sdat_checklist", "DDSCP SDAT checklist"
    ONLINE_SAFETY_REVIEW = "online_safety_review", "Online-safety and filtering review"
    POLICY_REVIEW = "policy_review", "Safeguarding policy review"


class AssuranceCheck(OwnSchoolAudit, models.Model):
    """R89: one annual assurance check done, with when the next is due. Recorded by the DSL team or the Head;
    each one is a new row, so the report can show the history and the latest."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="assurance_checks")
    kind = models.CharField(max_length=30, choices=AssuranceKind.choices)
    done_on = models.DateField("done on")
    next_due = models.DateField("next due by")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["school", "kind", "-done_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_due__gt=F("done_on")),
                name="assurance_next_due_after_done",
                violation_error_message="The next check must be due after this one was done.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} done {_long_date(self.done_on)}"

    def clean(self) -> None:
        if self.done_on and self.done_on > timezone.localdate():
            raise ValidationError({"done_on": "This date is in the future. Give the day the check was done."})
        if self.done_on and self.next_due and self.next_due <= self.done_on:
            raise ValidationError({"next_due": "The next check must be due after this one was done."})


class ReportSnapshot(models.Model):
    """One term's trustees' report as it was made for one scope (a school, or a trust's view of all its schools),
    kept so that the page and the PDF read it instead of counting again (issue 12). It holds the rendered body the
    page and the PDF share, charts included, and the days each school's figures count; made only by the task worker
    (safeguarding/reports/snapshots.py holds the rules for when; a page that finds none asks the worker for it)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    academic_year = models.CharField(max_length=7, validators=[validate_academic_year])
    term = models.CharField(max_length=10, choices=TermName.choices)
    summary = models.TextField(help_text="The rendered summary the page and the PDF share.")
    detail = models.TextField(help_text="The rendered detail the page and the PDF share.")
    periods = models.JSONField(default=list, help_text="Each school's days counted, and the schools with no dates.")
    charts_drawn = models.BooleanField(default=False)
    in_progress = models.BooleanField(help_text="Made while the term was still going on: figures so far.")
    counted_to = models.DateField(help_text="The last day any of its schools counts.")
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who asked for these figures to be remade; empty when they were made automatically.",
    )
    remake_asked_at = models.DateTimeField(null=True, blank=True)
    remake_asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refresh_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["academic_year", "term"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(school__isnull=False, trust__isnull=True) | Q(school__isnull=True, trust__isnull=False)),
                name="report_snapshot_of_school_or_trust",
            ),
            models.UniqueConstraint(
                fields=["school", "academic_year", "term"],
                condition=Q(school__isnull=False),
                name="unique_report_snapshot_of_school",
            ),
            models.UniqueConstraint(
                fields=["trust", "academic_year", "term"],
                condition=Q(trust__isnull=False),
                name="unique_report_snapshot_of_trust",
            ),
        ]

    def __str__(self) -> str:
        return f"Report figures for the {self.get_term_display()} term {self.academic_year}"

    def get_additional_data(self) -> dict:
        """A school's snapshot shows in its school's log; a trust's, like a trust role, in none."""
        return {"school": self.school_id, "trust": self.trust_id}


class Draft(models.Model):
    """What a person has typed into a form and not yet sent, saved as they type (safeguarding/drafts.py holds the
    rules). Each app keeps its own table, so a draft about an adult stays behind the register's wall."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.UUIDField(unique=True)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Draft saved {timezone.localtime(self.updated_at):%d %b %Y %H:%M}"
