"""Factories for the suite's records. Every person, pupil and concern here is fictional."""

import factory
from factory.django import DjangoModelFactory

from contacts.models import Area, Contact, Purpose
from safeguarding.models import Membership, Role, School, Trust, User


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
    last_name = factory.Faker("last_name", locale="en_GB")
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
