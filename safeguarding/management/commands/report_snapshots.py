from django.core.management.base import BaseCommand
from django.utils import timezone

from safeguarding.reports import snapshots, tasks
from safeguarding.reports.periods import term_keys_for


class Command(BaseCommand):
    help = (
        "Asks the task worker for the trustees' report figures of every school and trust: the newest term of each "
        "(which starts its nightly refresh), or with --all-terms every term begun. Run once after installing or "
        "upgrading; the worker keeps them up to date from then on. --now makes them in this process instead, "
        "without a worker (a first install with years of history, or before a benchmark)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all-terms", action="store_true", help="Every term begun, not only the newest.")
        parser.add_argument("--now", action="store_true", help="Make the figures here and now, not in the worker.")

    def handle(self, *args, all_terms: bool = False, now: bool = False, **options):
        asked = made = 0
        for scope in snapshots.all_scopes():
            keys = term_keys_for(list(scope.schools))
            for key in keys if all_terms else keys[:1]:
                if now:
                    snapshot = snapshots.snapshot_make(scope, key)
                    if snapshot is not None:
                        tasks.keep_up(scope, key, snapshot)
                        made += 1
                else:
                    tasks.enqueue_make(scope, key, asked_at=timezone.now())
                    asked += 1
            self.stdout.write(f"{scope.name}: {len(keys) if all_terms else min(len(keys), 1)} term(s)")
        if now:
            self.stdout.write(self.style.SUCCESS(f"Made the figures of {made} term(s)."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Asked the task worker for the figures of {asked} term(s)."))
