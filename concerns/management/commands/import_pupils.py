import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concerns.pupil_import import import_pupils_csv
from safeguarding.models import School


class Command(BaseCommand):
    help = (
        "Adds and updates a school's pupils from a school information system's CSV export "
        "(see docs/pupil-import.md). A file with any problem imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file, saved as UTF-8.")
        parser.add_argument(
            "--school", help='The school\'s name, e.g. "West Park School". Needed if there are several.'
        )

    def handle(self, *args, file: Path, school: str | None = None, **options):
        target = _school(school)
        try:
            # newline="" as the csv module asks, so line breaks inside quoted names survive.
            with file.open(encoding="utf-8-sig", newline="") as stream:
                text = stream.read()
        except FileNotFoundError as error:
            raise CommandError(f"There is no file at {file}.") from error
        except UnicodeDecodeError as error:
            raise CommandError(
                f'{file} is not UTF-8 text. Save it from the spreadsheet as "CSV UTF-8" and try again.'
            ) from error

        result = import_pupils_csv(school=target, file=io.StringIO(text, newline=""))
        if result.errors:
            for problem in result.errors:
                self.stderr.write(problem)
            count = len(result.errors)
            raise CommandError(f"Nothing was imported: {count} problem{'s' if count != 1 else ''}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Pupils imported for {target.name}: {result.created} added, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
        if result.not_in_file:
            self.stdout.write(
                f"{result.not_in_file} pupil{'s' if result.not_in_file != 1 else ''} on roll "
                f"{'are' if result.not_in_file != 1 else 'is'} not in the file; their records are unchanged."
            )


def _school(name: str | None) -> School:
    """The school named, or the only one; a CommandError when that doesn't pick out exactly one."""
    if name is None:
        schools = list(School.objects.all()[:2])
        if len(schools) == 1:
            return schools[0]
        raise CommandError('Say which school the pupils belong to: pass --school "School name".')
    schools = list(School.objects.filter(name__iexact=name.strip())[:2])
    if not schools:
        raise CommandError(f"There is no school called '{name}'.")
    if len(schools) > 1:
        raise CommandError(f"More than one school is called '{name}'; ask the IT administrator to rename one.")
    return schools[0]
