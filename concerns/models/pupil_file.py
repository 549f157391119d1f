"""The rest of the child's CP file (R38, R48–R50, R55–R58): flags (never one for sexual orientation or
gender identity, R49), key people, leaving and missing events with their destinations, and CP file transfers in
and out.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from safeguarding.audit import OwnSchoolAudit
from safeguarding.models import School

from .actions import Action
from .base import RecordedBy
from .pupil import Pupil


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
        # A child taken off roll by a roll import has no leaving recorded yet: the DSL may still say where they went
        # (and so start the file's transfer). A leaving still to come, or a second one, is refused.
        if (
            self.kind in (PupilEventKind.LEFT, PupilEventKind.LEAVING)
            and self.pupil_id
            and not self.pupil.on_roll
            and (
                self.kind == PupilEventKind.LEAVING
                or self.pupil.events.filter(kind=PupilEventKind.LEFT).exclude(pk=self.pk).exists()
            )
        ):
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


METHOD_WORDS: dict[str, str] = {  # keyed by TransferMethod; read with the model field's plain str
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
        if "sent_on" not in errors and self.sent_on and self.event is not None and self.sent_on < self.event.on:
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
