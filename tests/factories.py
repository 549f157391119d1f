"""Factories for the suite's records. Every person, pupil and concern here is fictional."""

import uuid
from datetime import timedelta

import factory
import faker
from factory.django import DjangoModelFactory

from concerns.models import Pupil, SourceType
from concerns.services import raising
from contacts.models import Area, Contact, Purpose
from safeguarding.models import Membership, Role, School, Trust, User

_fake = faker.Faker("en_GB")


def plain_last_name() -> str:
    """A fictional surname without an apostrophe.

    Faker's British surnames include O'Neill and O'Connor, which pages escape as O&#x27;Neill, so a test
    looking for the name in the HTML would fail now and then. Apostrophes in names are tested on purpose
    (tests/concerns/test_queue_live.py::test_a_name_with_an_apostrophe_is_shown_as_typed).
    """
    while "'" in (name := _fake.last_name()):
        pass
    return name


class TrustFactory(DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test Learning Trust {n}")


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Test School {n}")
    local_authority = "Derby"
    trust = factory.SubFactory(TrustFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.LazyFunction(plain_last_name)
    job_title = "Teacher"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password("correct-horse-battery")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = Role.STAFF


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    school = factory.SubFactory(SchoolFactory)
    area = Area.DERBY
    role = factory.Sequence(lambda n: f"Service {n}")
    organisation = "Derby City Council"
    phone = "01332 000000"
    purpose = Purpose.NONE


class PupilFactory(DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    legal_first_name = factory.Faker("first_name", locale="en_GB")
    legal_last_name = factory.LazyFunction(plain_last_name)
    date_of_birth = factory.Faker("date_between", start_date="-16y", end_date="-11y")
    upn = factory.Sequence(lambda n: f"A{n:012d}")
    year_group = 9
    form = "9W"


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def concern_input(*, subject, **overrides):
    """A complete, valid concern about `subject` as the raise form would hand it to the service."""
    from django.utils import timezone

    values = {
        "idempotency_key": uuid.uuid4(),
        "subject": subject,
        "happened_at": timezone.now() - timedelta(minutes=30),  # real clock: the caller's, frozen if it matters
        "location": "Science lab S2",
        "people_present": "Sam Patel (teaching assistant)",
        "source_type": SourceType.FIRST_HAND,
        "account": "During the lesson the pupil said they were scared to go home tonight.",
        "category_codes": ["emotional_abuse"],
    }
    values.update(overrides)
    return raising.ConcernInput(**values)


def raise_concern(*, author, school, subject=None, attachment=False, **overrides):
    """Raises a concern through the service, as a member of staff would."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    subject = subject or PupilFactory(school=school)
    if attachment:
        upload = SimpleUploadedFile("notes.pdf", PDF_BYTES, content_type="application/pdf")
        overrides["attachments"] = [
            raising.UploadedFile(name="notes.pdf", content_type="application/pdf", size=len(PDF_BYTES), file=upload)
        ]
    return raising.concern_raise(author=author, school=school, data=concern_input(subject=subject, **overrides))
