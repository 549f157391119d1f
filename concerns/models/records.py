"""What the DSL team records on a concern (R10, R41–R47): contact with parents, the child's voice, information
shared and its lawful basis, meetings, professional disagreements, notes shared with staff, mirror records.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from safeguarding.audit import ConcernSchoolAudit

from .base import RecordedBy
from .concern import Concern, PupilRole
from .pupil import Pupil


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
