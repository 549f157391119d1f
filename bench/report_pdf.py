"""Benchmark: the trustees' report page and its PDF at a busy school's term (about 1,000 concerns).

Not a test: it prints timings. Run from the project root:

    .venv/bin/python bench/report_pdf.py            # a fresh SQLite database in a temporary folder
    DATABASE_URL=postgres://... .venv/bin/python bench/report_pdf.py --keep   # an existing database, kept

It migrates the database, runs `generate_volume --schools 1 --pupils 1500 --years 2` (two academic years, so the
report has its comparisons and a full trend), then asks for the report of the last full term with the most concerns
as that school's DSL, a few times over, and prints the median and slowest times and the number of queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="timed requests of each kind (default 5)")
    parser.add_argument("--pupils", type=int, default=1500)
    parser.add_argument("--keep", action="store_true", help="use DATABASE_URL as it is and keep what is made")
    options = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="report-bench-")
    if not options.keep:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["TWO_FACTOR_REQUIRED"] = "0"
    os.environ.setdefault("MPLCONFIGDIR", folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguarding.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from concerns.models import Concern
    from safeguarding.models import Term, User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("generate_volume", schools=1, pupils=options.pupils, years=2)
    print(f"Data ready in {time.perf_counter() - started:.1f} s")

    dsl = User.objects.get(username="volume-dsl-1")
    school = dsl.memberships.get().school
    assert school is not None  # generate_volume makes its DSLs members of a school, not of a trust
    terms = [t for t in Term.objects.filter(school=school).order_by("starts_on") if t.ends_on < django_today()]
    busiest = max(
        terms,
        key=lambda t: Concern.objects.filter(
            school=school, recorded_at__date__gte=t.starts_on, recorded_at__date__lte=t.ends_on
        ).aggregate(n=Count("pk"))["n"],
    )
    concerns = Concern.objects.filter(
        school=school, recorded_at__date__gte=busiest.starts_on, recorded_at__date__lte=busiest.ends_on
    ).count()
    print(f"Report: {busiest} at {school.name}: {concerns:,} concerns recorded in the term")

    client = Client()
    client.force_login(dsl)
    page = f"/reports/{busiest.academic_year}/{busiest.name}/"
    pdf = f"/reports/{busiest.academic_year}/{busiest.name}.pdf"
    for label, url in (("page", page), ("PDF", pdf)):
        timings, queries = [], 0
        for _ in range(options.runs + 1):  # the first warms imports and caches; not counted
            with CaptureQueriesContext(connection) as captured:
                begun = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - begun)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured)
        timings = timings[1:]
        size = f", {len(response.content) / 1024:.0f} KiB" if label == "PDF" else ""
        print(
            f"{label:>4}: median {statistics.median(timings):.2f} s, slowest {max(timings):.2f} s "
            f"over {len(timings)} runs; {queries} queries{size}"
        )


def django_today():
    from django.utils import timezone

    return timezone.localdate()


if __name__ == "__main__":
    main()
