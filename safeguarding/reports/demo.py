"""The demo trust's reports: a second fictional school, two academic years of term dates, fictional history for
the last terms at both schools, vulnerable-group flags and the annual assurance dates (load_demo runs it).

Enough happens that some figures are above 5 and others read "fewer than 5", so the demo shows both. Running it
again adds nothing: terms, pupils, flags and checks only where there are none, each term's history only once.
"""

from __future__ import annotations

import zlib
from datetime import date

from django.utils import timezone

from concerns.models import Pupil
from safeguarding.models import AssuranceCheck, AssuranceKind, School, Trust, User

from .fictional import People, add_flags, add_history, add_pupils, add_transfers, ensure_terms
from .periods import academic_year_on

SECOND_SCHOOL = "Larkspur Hill Academy"
SECOND_SCHOOL_AREA = "Derbyshire"
HISTORY_USERNAME = "demo-history"
# Concerns in a full term: about one for every seven pupils, a quiet year for a secondary school.
CONCERNS_PER_TERM = {"West Park School": 45, SECOND_SCHOOL: 24}


def history_account(email_domain: str) -> User:
    """The account the fictional history points to. It cannot sign in: no password, not active."""
    user, created = User.objects.get_or_create(
        username=HISTORY_USERNAME,
        defaults={
            "first_name": "Demo",
            "last_name": "History",
            "job_title": "Fictional past records (cannot sign in)",
            "email": f"{HISTORY_USERNAME}@{email_domain}",
            "is_active": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def second_school(trust: Trust) -> School:
    school, _ = School.objects.get_or_create(
        name=SECOND_SCHOOL, local_authority=SECOND_SCHOOL_AREA, defaults={"trust": trust}
    )
    return school


def load_demo_reports(*, school: School, trust: Trust, dsl: User, email_domain: str) -> dict[str, int]:
    today = timezone.localdate()
    first_year = int(academic_year_on(today)[:4])
    years = [first_year - 1, first_year]
    other = second_school(trust)
    history = history_account(email_domain)
    add_pupils(other, count=160, seed=20262, establishment="4002")
    people = {
        school.pk: People(
            author=history,
            author_name="Sam Whitfield",
            author_role="Teacher of English",
            dsl=dsl,
            dsl_name=dsl.get_full_name(),
        ),
        other.pk: People(
            author=history,
            author_name="Nadia Farouk",
            author_role="Teacher of Science",
            dsl=history,
            dsl_name="Marcus Bell",
        ),
    }
    added = 0
    for place in (school, other):
        terms = ensure_terms(place, years)
        pupils = list(Pupil.objects.filter(school=place, on_roll=True).order_by("upn"))
        for term in (t for t in terms if t.starts_on <= today):
            added += add_history(
                place,
                term=term,
                count=CONCERNS_PER_TERM.get(place.name, 24),
                pupils=pupils,
                people=people[place.pk],
                seed=zlib.crc32(f"{place.name} {term.academic_year} {term.name}".encode()),
            )
            add_transfers(
                place,
                term=term,
                pupils=pupils,
                people=people[place.pk],
                seed=zlib.crc32(f"{place.name} {term.academic_year} {term.name} transfers".encode()),
            )
        since = date(first_year - 1, 9, 1)
        add_flags(place, pupils=pupils, people=people[place.pk], seed=zlib.crc32(place.name.encode()), since=since)
        _assurance_checks(place, recorded_by=people[place.pk].dsl, first_year=first_year)
    return {"history_concerns_added": added}


def _assurance_checks(school: School, *, recorded_by: User, first_year: int) -> None:
    """R89: the dates a school would record; the SDAT checklist falls due in November, so it can be overdue."""
    if AssuranceCheck.objects.filter(school=school).exists():
        return
    done = {
        AssuranceKind.SAFEGUARDING_AUDIT: date(first_year, 3, 12),
        AssuranceKind.SDAT_CHECKLIST: date(first_year - 1, 11, 20),
        AssuranceKind.ONLINE_SAFETY_REVIEW: date(first_year, 7, 1),
        AssuranceKind.POLICY_REVIEW: date(first_year, 9, 10),
    }
    today = timezone.localdate()
    for kind, done_on in done.items():
        if done_on > today:
            done_on = done_on.replace(year=done_on.year - 1)
        check = AssuranceCheck(
            school=school,
            kind=kind,
            done_on=done_on,
            next_due=done_on.replace(year=done_on.year + 1),
            recorded_by=recorded_by,
        )
        check.full_clean()
        check.save()
