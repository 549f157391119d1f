"""The pupil (R48, R51): a child on the school's roll, or off it with the file kept; its file is kept
apart from the education record (R52); the roll is imported from the school's information system.
"""

import uuid

from django.db import models

from safeguarding.audit import OwnSchoolAudit
from safeguarding.models import School


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
    # Lower-cased names for the type-ahead, kept in step by save(). The search matches inside it ("%word%"), which
    # no B-tree index serves: on PostgreSQL a trigram index does, with indexes on the upper-cased form and UPN for
    # the whole-word matches beside it (concerns/migrations/0018_page_indexes.py; not in `indexes` below, because
    # SQLite has no trigram index and there the search reads one school's pupils through their school).
    search_text = models.CharField(max_length=400, editable=False)

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
