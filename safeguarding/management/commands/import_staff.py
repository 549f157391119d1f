import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safeguarding.models import School
from safeguarding.staff_import import staff_import_apply, staff_import_plan
from safeguarding.staff_import_csv import StaffFileError, decode


class Command(BaseCommand):
    help = (
        "Adds, updates and (with --whole-list) deactivates a school's staff from a staff list in CSV: the school "
        "information system's staff export, or a Microsoft 365 or Google Workspace user export. Prints the plan "
        "first; a file with any problem changes nothing (see docs/staff-import.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file, saved as UTF-8.")
        parser.add_argument(
            "--school", help='The school\'s public id or name, e.g. "West Park School". Needed if there are several.'
        )
        parser.add_argument(
            "--whole-list",
            action="store_true",
            help="The file is the whole staff list: deactivate the school's people who are not on it.",
        )
        parser.add_argument(
            "--confirm-roles",
            action="store_true",
            help="Give the safeguarding roles (DSL team, Head, Chair and the others) the file names.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the plan and change nothing.")

    def handle(self, *args, file: Path, school=None, whole_list=False, confirm_roles=False, dry_run=False, **options):
        target = _school(school)
        try:
            text = decode(file.read_bytes())
        except FileNotFoundError as error:
            raise CommandError(f"There is no file at {file}.") from error
        except StaffFileError as error:
            raise CommandError(str(error)) from error

        plan = staff_import_plan(school=target, text=text, user=None, whole_list=whole_list)
        for line in plan.summary_lines():
            self.stdout.write(line)
        problems = plan.problems_for(confirm_roles=confirm_roles)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            count = len(problems)
            raise CommandError(f"Nothing was changed: {count} problem{'s' if count != 1 else ''}.")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            return
        result = staff_import_apply(plan=plan, user=None, confirm_roles=confirm_roles)
        self.stdout.write(
            self.style.SUCCESS(
                f"Staff imported for {target.name}: {len(result.added)} added (and invited), {len(result.changed)} "
                f"changed, {result.unchanged} unchanged, {len(result.deactivated)} deactivated."
            )
        )


def _school(given: str | None) -> School:
    """The school with that public id or name, or the only one; a CommandError when that picks out none or two."""
    if given is None:
        schools = list(School.objects.all()[:2])
        if len(schools) == 1:
            return schools[0]
        raise CommandError('Say which school the staff belong to: pass --school "School name".')
    try:
        found = School.objects.filter(public_id=uuid.UUID(given.strip()))
    except ValueError:
        found = School.objects.filter(name__iexact=given.strip())
    schools = list(found[:2])
    if not schools:
        raise CommandError(f"There is no school called '{given}'.")
    if len(schools) > 1:
        raise CommandError(f"More than one school is called '{given}': pass its public id instead.")
    return schools[0]
