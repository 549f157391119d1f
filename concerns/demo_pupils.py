"""Fictional pupils for the demo school: about 300 children across Years 7 to 11.

Every name here is made up from lists of common names and put together at random; no real child is meant. Two
pupils share a name ("Jordan Smith", in Years 8 and 10), because real schools have them and every screen must
tell them apart (R8). The year groups are those of the academic year starting 1 September 2026.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from safeguarding.models import School

from .models import Pupil

ACADEMIC_YEAR_STARTS = date(2026, 9, 1)
YEAR_GROUPS = (7, 8, 9, 10, 11)
FORM_LETTERS = ("W", "E", "S", "T")
SEED = 20241

# The pupils that share a name: slot in the generated list -> (first name, last name). Slot 1 is in Year 8 and
# slot 3 in Year 10, as slots go round the year groups in turn.
SAME_NAME_SLOTS = {1: ("Jordan", "Smith"), 3: ("Jordan", "Smith")}

# fmt: off
FIRST_NAMES = (
    "Oliver", "Amelia", "Muhammad", "Isla", "Noah", "Ava", "Leo", "Freya", "Arthur", "Ivy", "Harry", "Florence",
    "Oscar", "Willow", "Theo", "Evie", "Jack", "Poppy", "Alfie", "Ruby", "Charlie", "Grace", "George", "Sophia",
    "Archie", "Lily", "Henry", "Mia", "Thomas", "Ella", "William", "Rosie", "Alexander", "Phoebe", "Samuel",
    "Matilda", "Joshua", "Elsie", "Reuben", "Millie", "Finley", "Erin", "Callum", "Niamh", "Rhys", "Cerys", "Dylan",
    "Seren", "Ewan", "Eilidh", "Ciaran", "Aoife", "Aarav", "Anaya", "Arjun", "Diya", "Rohan", "Ishani", "Zayn",
    "Maryam", "Ibrahim", "Fatima", "Yusuf", "Zainab", "Hamza", "Hafsa", "Ayaan", "Inaya", "Omar", "Safiya", "Kwame",
    "Ama", "Kofi", "Abena", "Chidi", "Adaeze", "Tobi", "Temi", "Oluwaseun", "Folake", "Malachi", "Nia", "Kai",
    "Leila", "Tariq", "Amira", "Abdi", "Hodan", "Liban", "Ayan", "Jakub", "Zuzanna", "Kacper", "Maja", "Szymon",
    "Katarzyna", "Andrei", "Ioana", "Mihai", "Bianca", "Wei", "Mei", "Hao", "Xin", "Minh", "Linh", "Elif", "Emre",
    "Mateus", "Beatriz", "Riley", "Skye", "Harvey", "Darcy", "Logan", "Imogen",
)
# fmt: on

# fmt: off
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright", "Thompson",
    "Evans", "Walker", "White", "Pearson", "Hughes", "Edwards", "Lewis", "Wood", "Harris", "Clarke", "Jackson",
    "Turner", "Hill", "Lockwood", "Cooper", "Ward", "Morris", "Baker", "Bennett", "Shaw", "Foster", "Chapman",
    "Kelly", "Murphy", "O'Brien", "O'Connor", "Doyle", "Byrne", "MacDonald", "Campbell", "Stewart", "Sinclair",
    "Morgan", "Pritchard", "Llewellyn", "Patel", "Shah", "Mistry", "Sharma", "Kaur", "Singh", "Gill", "Sandhu",
    "Khan", "Hussain", "Ahmed", "Ali", "Akhtar", "Iqbal", "Mahmood", "Begum", "Miah", "Uddin", "Chowdhury", "Okafor",
    "Okoye", "Adeyemi", "Mensah", "Boateng", "Asante", "Owusu", "Francis", "Grant", "Nowak", "Wójcik", "Popescu",
    "Ionescu", "Chen", "Wong", "Nguyen", "Tran", "Mohamed", "Abdullahi", "Farah", "Warsame", "Yilmaz", "Demir",
    "Costa", "Silva", "Clarke-Hughes", "Ashworth", "Bramley", "Kirkby", "Hollis",
)
# fmt: on

# The short forms some children go by.
PREFERRED_FIRST_NAMES = {
    "Alexander": "Alex",
    "Oliver": "Ollie",
    "William": "Will",
    "Thomas": "Tom",
    "Samuel": "Sam",
    "Joshua": "Josh",
    "Muhammad": "Mo",
    "Florence": "Flo",
    "Matilda": "Tilly",
    "Katarzyna": "Kasia",
    "Oluwaseun": "Seun",
    "Zuzanna": "Zuzia",
    "Jakub": "Kuba",
    "Callum": "Cal",
    "Wei": "Will",
    "Imogen": "Immy",
}

# A made-up local authority code, so no demo UPN can be a real child's.
DEMO_LA_CODE = "999"
DEMO_ESTABLISHMENT = "4001"
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def load_demo_pupils(*, school: School, count: int = 300) -> int:
    """Adds `count` fictional pupils to `school`, the same ones every time; none if it has pupils already.

    Returns how many were added.
    """
    if Pupil.objects.filter(school=school).exists():
        return 0
    pupils = _demo_pupils(school=school, count=count)
    with transaction.atomic():
        # One save() each, as the audit log records only what save() does.
        for pupil in pupils:
            pupil.full_clean()
            pupil.save()
    return len(pupils)


def born_between(year_group: int) -> tuple[date, date]:
    """The first and last dates of birth for `year_group` in the demo's academic year."""
    first = date(ACADEMIC_YEAR_STARTS.year - 5 - year_group, 9, 1)
    return first, date(first.year + 1, 8, 31)


def upn_check_letter(digits: str) -> str:
    """The DfE check letter for a UPN's 12 digits: weights 2 to 13, modulo 23."""
    total = sum(int(digit) * weight for weight, digit in enumerate(digits, start=2))
    return CHECK_LETTERS[total % 23]


def _demo_pupils(*, school: School, count: int) -> list[Pupil]:
    rng = random.Random(SEED)  # noqa: S311 (fictional data, the same every run; nothing secret)
    names_used = set(SAME_NAME_SLOTS.values())
    upns_used = set()
    pupils = []
    for slot in range(count):
        year_group = YEAR_GROUPS[slot % len(YEAR_GROUPS)]
        form = f"{year_group}{FORM_LETTERS[slot // len(YEAR_GROUPS) % len(FORM_LETTERS)]}"
        if slot in SAME_NAME_SLOTS:
            first_name, last_name = SAME_NAME_SLOTS[slot]
        else:
            # Otherwise each name once, so the deliberate pair is the only one.
            while True:
                first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                if (first_name, last_name) not in names_used:
                    break
            names_used.add((first_name, last_name))
        preferred_first_name = preferred_last_name = ""
        if first_name in PREFERRED_FIRST_NAMES and rng.random() < 0.5:
            preferred_first_name = PREFERRED_FIRST_NAMES[first_name]
        if rng.random() < 0.03:
            # A child known by a step-parent's surname while the legal name stays the same.
            preferred_last_name = rng.choice([name for name in LAST_NAMES if name != last_name])

        first_born, last_born = born_between(year_group)
        date_of_birth = first_born + timedelta(days=rng.randrange((last_born - first_born).days + 1))
        # A UPN's middle digits: the authority, the school, the two-digit year it was issued (the child started
        # in Reception at four) and a serial number.
        while True:
            digits = f"{DEMO_LA_CODE}{DEMO_ESTABLISHMENT}{(first_born.year + 5) % 100:02d}{rng.randrange(1, 1000):03d}"
            upn = upn_check_letter(digits) + digits
            if upn not in upns_used:
                break
        upns_used.add(upn)

        pupils.append(
            Pupil(
                school=school,
                legal_first_name=first_name,
                legal_last_name=last_name,
                preferred_first_name=preferred_first_name,
                preferred_last_name=preferred_last_name,
                date_of_birth=date_of_birth,
                upn=upn,
                year_group=year_group,
                form=form,
            )
        )
    return pupils
