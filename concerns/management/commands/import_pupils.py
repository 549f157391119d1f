from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from concerns.pupil_import import PupilImportRefused, RollPlan, pupil_roll_apply, pupil_roll_plan
from concerns.pupil_import_csv import PupilFileError, decode
from safeguarding import access
from safeguarding.models import School, User


class Command(BaseCommand):
    help = (
        "Adds and updates a school's pupils from a school information system's CSV export, or Wonde's or "
        "Assembly's (see docs/pupil-import.md). A file with any problem imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file, saved as UTF-8.")
        parser.add_argument(
            "--school", help='The school\'s name, e.g. "West Park School". Needed if there are several.'
        )
        parser.add_argument(
            "--whole-roll",
            action="store_true",
            help="The file is the whole roll: pupils on roll who are not in it are marked off roll from today "
            "(never deleted). Needs --by.",
        )
        parser.add_argument(
            "--confirm-upn-changes",
            action="store_true",
            help="Apply the UPN changes found (a new UPN with the legal name and date of birth of a pupil already "
            "here). Without it they are problems, and nothing is imported.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Say what the import would do; change nothing.")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="Who is importing: a member of the school's DSL team or its IT administrator. Their name goes on "
            "the chronology of each pupil marked off roll.",
        )

    def handle(self, *args, file: Path, school: str | None = None, **options):
        target = _school(school)
        user = _user(options.get("by"), target)
        if options["whole_roll"] and user is None and not options["dry_run"]:
            raise CommandError("--whole-roll needs --by USERNAME: each leaver's chronology says who took them off.")
        try:
            text = decode(file.read_bytes())
        except FileNotFoundError as error:
            raise CommandError(f"There is no file at {file}.") from error
        except PupilFileError as error:
            raise CommandError(f"{file}: {error}") from error

        plan = pupil_roll_plan(school=target, text=text, whole_roll=options["whole_roll"])
        if options["dry_run"]:
            self._report_plan(plan)
            return
        try:
            result = pupil_roll_apply(plan=plan, user=user, confirm_upn_changes=options["confirm_upn_changes"])
        except PupilImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            count = len(refused.problems)
            hint = "" if plan.problems else " Pass --confirm-upn-changes if each UPN did change."
            raise CommandError(f"Nothing was imported: {count} problem{'s' if count != 1 else ''}.{hint}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Pupils imported for {target.name}: {len(result.added)} added, {len(result.updated)} updated, "
                f"{result.unchanged} unchanged."
            )
        )
        for update in result.upn_changed:
            self.stdout.write(f"UPN changed from {update.old_upn} to {update.new_upn} (line {update.line}).")
        if result.left:
            self.stdout.write(
                f"{_pupils(len(result.left))} not in the file marked off roll, from {result.left_on:%-d %B %Y}."
            )
        if result.not_in_file:
            self.stdout.write(
                f"{_pupils(result.not_in_file)} on roll {'are' if result.not_in_file != 1 else 'is'} not in the "
                "file; their records are unchanged."
            )

    def _report_plan(self, plan: RollPlan) -> None:
        for problem in plan.problems:
            self.stderr.write(str(problem))
        self.stdout.write(
            f"Dry run for {plan.school.name}: {len(plan.added)} to add, {len(plan.changed)} to update, "
            f"{len(plan.upn_changes)} UPN changes to confirm, {plan.unchanged} unchanged, "
            f"{len(plan.leaving)} on roll not in the file"
            + (" (to be marked off roll)" if plan.whole_roll else "")
            + f", {len(plan.problems)} problem{'s' if len(plan.problems) != 1 else ''}. Nothing was changed."
        )
        for update in plan.upn_changes:
            self.stdout.write(f"line {update.line}: UPN changed from {update.old_upn} to {update.new_upn}.")


def _pupils(count: int) -> str:
    return f"{count} pupil{'s' if count != 1 else ''}"


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


def _user(username: str | None, school: School) -> User | None:
    """The person named by --by, who must be able to import this school's roll."""
    if username is None:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"There is no active account '{username}'.")
    if not access.can_import_pupils(user, school):
        raise CommandError(f"{username} is not in {school.name}'s DSL team or its IT administrator.")
    return user
