import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serves the app on one machine for the demo or development: the web server and the background task "
        "worker (db_worker) together, stopped together by Ctrl-C. Production runs them as two services "
        "(docs/deployment.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        # The worker is a separate process, as in production, so a slow job never holds up a page.
        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "2"])  # noqa: S603
        try:
            call_command("runserver", addrport, use_reloader=False)
        except KeyboardInterrupt:
            pass
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
            self.stdout.write("Stopped the web server and the task worker.")
