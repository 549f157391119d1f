from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from safeguarding.demo import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_TRUST_ACCOUNT,
    NotADemoAccount,
    load_demo,
)


class Command(BaseCommand):
    help = "Loads the demo school (West Park School), its key contacts and the demo accounts. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load demo data even with DEBUG off (never on a live school)."
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo accounts with DEBUG off: they share a published password. "
                "Use --force only on a machine that holds no real records."
            )
        try:
            result = load_demo()
        except NotADemoAccount as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo school ready: {result['accounts']} demo accounts; added {result.get('contacts_added', 0)} "
                f"contacts, {result.get('pupils_added', 0)} pupils and {result.get('concerns_added', 0)} concerns, and "
                f"{result['history_concerns_added']} fictional past concerns for the trustees' reports."
            )
        )
        # The trustees' report figures are made by the task worker (`make run` starts it beside the web server).
        call_command("report_snapshots", stdout=self.stdout)
        self.stdout.write(f"Demo logins (password '{DEMO_PASSWORD}'):")
        for account in (*DEMO_ACCOUNTS, DEMO_TRUST_ACCOUNT):
            self.stdout.write(f"  {account.username:<9} {account.first_name} {account.last_name}, {account.job_title}")
        self.stdout.write(
            f"Roles that see safeguarding records also ask for a code: authenticator secret {DEMO_TOTP_SECRET}."
        )
