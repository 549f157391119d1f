"""Benchmark step: sessions and addresses for `bench/run.py`, written as JSON to stdout.

Run by bench/run.py with DATABASE_URL set to the benchmark's database, after the data is built. It signs in the
volume school's DSL, Head and a teacher (or the demo school's, at demo volume) by code, as the suite's sign_in does
(tests/conftest.py): a session with the second factor passed, so the load generator need not type a code. It picks
the busiest records, so every page is timed at its worst: the child with the longest chronology, the term with the
most concerns, the adult case with the longest timeline. Nothing here runs on a live system: bench/run.py makes
its own database and refuses any other.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The demo school's accounts (CONTRACT.md) at demo volume; generate_volume's first school otherwise.
DEMO_USERS = {"dsl": "dsl", "head": "head", "teacher": "staff"}
FICTIONAL_ROOM = "Fictional benchmark room"  # where the concerns the benchmark raises happen
VOLUME_USERS = {"dsl": "volume-dsl-1", "head": "volume-head-1", "teacher": "volume-teacher-1"}


def main() -> None:
    volume = sys.argv[1]
    if not os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1].startswith("safeguarding_bench_"):
        raise SystemExit("bench/prepare.py runs only on a benchmark database (safeguarding_bench_*).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")
    import django

    django.setup()
    json.dump(prepare(volume), sys.stdout, indent=2)


def prepare(volume: str) -> dict:
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from concerns.models import Pupil
    from safeguarding import access
    from safeguarding.models import Membership, Role, User
    from staff_allegations.models import AdultCase

    names = DEMO_USERS if volume == "demo" else VOLUME_USERS
    sessions = {}
    for role, username in names.items():
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        if access.requires_two_factor(user):
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="Benchmark", defaults={"confirmed": True})
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value

    dsl = User.objects.get(username=names["dsl"])
    school = Membership.objects.select_related("school").get(user=dsl, role=Role.DSL).school
    child = (
        Pupil.objects.filter(school=school)
        .annotate(lines=Count("chronology"))
        .order_by("-lines", "pk")
        .values("public_id", "lines", "legal_last_name")
        .first()
    )
    if child is None:
        raise SystemExit(f"{school} has no pupils: nothing to time.")
    term = _busiest_closed_term(school)
    _report_figures(school, term)
    case = (
        AdultCase.objects.filter(school=school)
        .annotate(lines=Count("entries"))
        .order_by("-lines", "pk")
        .values("public_id")
        .first()
    )
    pupils = Pupil.objects.count()
    report = reverse("reports:term", kwargs={"academic_year": term.academic_year, "term": term.name})
    pages = [
        {"name": "login page (the floor)", "path": reverse("login"), "as": None},
        # The cheapest signed-in page (the file finder, before anything is looked up): what every signed-in page
        # costs before its own content (the session, the second factor, the menu), for docs/performance.md.
        {"name": "signed-in floor: /pupils/", "path": reverse("concerns:pupil_lookup"), "as": "dsl"},
        {"name": "/queue/", "path": reverse("concerns:queue"), "as": "dsl"},
        {"name": "busiest child's /pupils/<id>/", "path": _pupil(child["public_id"]), "as": "dsl"},
        {"name": "/audit/", "path": reverse("audit_log"), "as": "dsl"},
        {"name": "the term's report page", "path": report, "as": "dsl"},
        {"name": "/raise/ (GET)", "path": reverse("concerns:raise"), "as": "teacher"},
        {"name": "/my-concerns/", "path": reverse("concerns:my_concerns"), "as": "teacher"},
        {"name": "/staff-concerns/", "path": reverse("staff_allegations:list"), "as": "head"},
    ]
    if case:
        path = reverse("staff_allegations:detail", kwargs={"public_id": case["public_id"]})
        pages.append({"name": "the case page", "path": path, "as": "head"})
    posts = [
        {
            "name": "pupil search",
            "note": f"{pupils:,} pupils in the database",
            "path": reverse("concerns:pupil_search"),
            "as": "teacher",
            "form": reverse("concerns:raise"),
            "fields": {"q": child["legal_last_name"][:3]},
        },
        {
            "name": "/raise/ (POST, with its alerts)",
            "path": reverse("concerns:raise"),
            "as": "teacher",
            "form": reverse("concerns:raise"),
            "fields": _raise_fields(child["public_id"]),
            "unique": "idempotency_key",
        },
    ]
    pdfs = [
        {"name": "termly report PDF", "path": report.rstrip("/") + ".pdf", "as": "dsl"},
        {
            "name": "busiest child's CP file PDF",
            "note": f"{child['lines']} chronology entries",
            "path": reverse("concerns:pupil_file_pdf", kwargs={"public_id": child["public_id"]}),
            "as": "dsl",
        },
    ]
    return {"volume": volume, "sessions": sessions, "pages": pages, "posts": posts, "pdfs": pdfs}


def _pupil(public_id) -> str:
    from django.urls import reverse

    return reverse("concerns:pupil_file", kwargs={"public_id": public_id})


def _busiest_closed_term(school):
    """The ended term with the most concerns (the demo's, or the volume school's); the current one if none ended."""
    from django.db.models import Q
    from django.utils import timezone

    from concerns.models import Concern
    from safeguarding.models import Term

    today = timezone.localdate()
    terms = list(Term.objects.filter(school=school, starts_on__lte=today).order_by("starts_on"))
    ended = [term for term in terms if term.ends_on < today] or terms

    def count(term) -> int:
        return Concern.objects.filter(
            Q(school=school), recorded_at__date__gte=term.starts_on, recorded_at__date__lte=term.ends_on
        ).count()

    return max(ended, key=count)


def _report_figures(school, term) -> None:
    """The term's report figures, made here as the task worker would have made them the night after the term
    ended (safeguarding/reports/snapshots.py), so the page and the PDF are timed as a reader finds them."""
    from safeguarding.reports import snapshots
    from safeguarding.reports.periods import TermKey

    scope, key = snapshots.school_scope(school), TermKey(term.academic_year, term.name)
    if snapshots.snapshot_get(scope, key) is None:
        snapshots.snapshot_make(scope, key)


def _raise_fields(public_id) -> dict:
    """A complete concern as the page's form sends it (tests/concerns/test_raise_view.py: raise_form_data): an
    hour ago, first-hand, one category. bench/run.py gives each request its own idempotency key."""
    from datetime import timedelta

    from django.utils import timezone

    happened = timezone.localtime(timezone.now() - timedelta(hours=1))
    return {
        "idempotency_key": "",
        "subject": str(public_id),
        "happened_on": happened.date().isoformat(),
        "happened_time": happened.strftime("%H:%M"),
        "location": FICTIONAL_ROOM,
        "people_present": "Fictional teaching assistant",
        "source_type": "first_hand",
        "account": "Fictional account for the benchmark: what the pupil said and what was seen, in full.",
        "categories": "physical_abuse",
        "quotes-TOTAL_FORMS": "1",
        "quotes-INITIAL_FORMS": "0",
        "quotes-MIN_NUM_FORMS": "0",
        "quotes-MAX_NUM_FORMS": "10",
        "others-TOTAL_FORMS": "1",
        "others-INITIAL_FORMS": "0",
        "others-MIN_NUM_FORMS": "0",
        "others-MAX_NUM_FORMS": "10",
    }


if __name__ == "__main__":
    main()
