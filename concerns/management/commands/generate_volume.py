"""generate_volume: fictional schools at volume, for benchmarks (CONTRACT.md). Never on a live system."""

from __future__ import annotations

import zlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from concerns.models import LevelOfNeed, Pupil
from concerns.reference_data import ensure_levels_of_need
from safeguarding import plugins
from safeguarding.models import Membership, Role, School, Trust, User
from safeguarding.reports.fictional import People, add_flags, add_history, add_pupils, ensure_terms
from safeguarding.reports.periods import academic_year_on

VOLUME_TRUST = "Volume Test Trust (fictional)"
# A busy secondary logs 1,500 to 3,000 concerns a year for 1,500 pupils (CONTRACT.md): the busy end, two a pupil.
CONCERNS_PER_PUPIL_PER_YEAR = 2


class Command(BaseCommand):
    help = (
        "Adds fictional schools with pupils, term dates and years of concerns, triages, referrals and actions, for "
        "benchmarks. Safe to run again: what is there already is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=1, help="How many schools (default 1).")
        parser.add_argument(
            "--first",
            type=int,
            default=1,
            help="The number of the first school (default 1), so that several runs can build a trust side by side.",
        )
        parser.add_argument("--pupils", type=int, default=1500, help="Pupils at each school (default 1,500).")
        parser.add_argument("--years", type=int, default=1, help="Academic years of history, to today (default 1).")
        parser.add_argument(
            "--rate",
            type=float,
            default=CONCERNS_PER_PUPIL_PER_YEAR,
            help="Concerns a year for each pupil (default 2: about 1,000 a term for 1,500 pupils).",
        )
        parser.add_argument("--force", action="store_true", help="Run with DEBUG off (never on a live school).")

    def handle(self, *args, schools: int, first: int, pupils: int, years: int, rate: float, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to add fictional records with DEBUG off. Use --force only on a machine that holds no real "
                "records."
            )
        if schools < 1 or first < 1 or pupils < 1 or years < 1 or rate <= 0:
            raise CommandError("--schools, --first, --pupils, --years and --rate must be more than 0.")
        ensure_levels_of_need(LevelOfNeed)
        trust, _ = Trust.objects.get_or_create(name=VOLUME_TRUST)
        first_year = int(academic_year_on(timezone.localdate())[:4])
        first_years = list(range(first_year - years + 1, first_year + 1))
        per_term = round(pupils * rate / 3)
        for number in range(first, first + schools):
            with transaction.atomic():
                school, _ = School.objects.get_or_create(
                    name=f"Volume School {number} (fictional)", local_authority="Derby", defaults={"trust": trust}
                )
                dsl = self._person(school, number, Role.DSL, "dsl", "DSL", "Designated Safeguarding Lead")
                head = self._person(school, number, Role.HEADTEACHER, "head", "Head", "Headteacher")
                teacher = self._person(school, number, Role.STAFF, "teacher", "Teacher", "Teacher")
                added_pupils = add_pupils(school, count=pupils, seed=number, establishment=f"{5000 + number:04d}")
                roll = list(Pupil.objects.filter(school=school).order_by("upn"))
                people = People(
                    author=teacher,
                    author_name="Fictional Teacher",
                    author_role="Teacher",
                    dsl=dsl,
                    dsl_name=dsl.get_full_name(),
                )
                terms = ensure_terms(school, first_years)
                concerns = 0
                for term in terms:
                    if term.starts_on <= timezone.localdate():
                        seed = zlib.crc32(f"{school.pk} {term.academic_year} {term.name}".encode())
                        concerns += add_history(
                            school, term=term, count=per_term, pupils=roll, people=people, seed=seed
                        )
                flags = 0
                if terms:  # add_flags spreads the flags from the first term on; with no term there is no start
                    flags = add_flags(school, pupils=roll, people=people, seed=number, since=terms[0].starts_on)
                # What other apps keep at volume (the adults' register), through the core's plug-in point.
                site = plugins.VolumeSite(school=school, dsl=dsl, head=head, teacher=teacher, terms=terms, seed=number)
                others = {name: n for step in plugins.volume_steps() for name, n in step.run(site).items()}
            also = "".join(f", {n} {name}" for name, n in others.items())
            self.stdout.write(
                f"{school.name}: added {added_pupils} pupils, {concerns} concerns and {flags} flags{also}; "
                f"{len(terms)} terms."
            )

    def _person(self, school: School, number: int, role: str, slug: str, title: str, job: str) -> User:
        """A fictional account of the school, which cannot sign in (no password): the benchmark signs in by code."""
        user, created = User.objects.get_or_create(
            username=f"volume-{slug}-{number}",
            defaults={
                "first_name": "Fictional",
                "last_name": f"{title} {number}",
                "job_title": job,
                "email": f"volume-{slug}-{number}@example.invalid",
            },
        )
        if created:
            user.set_unusable_password()
            user.save()
        Membership.objects.get_or_create(user=user, school=school, role=role)
        return user
