"""The school's roll from its information system's CSV export (issue 13): planned first, then applied, all or
nothing. The file's dialects (SIMS-style headers, Wonde's and Assembly's field names) are read by
concerns/pupil_import_csv.py, whose docstring lists them; docs/pupil-import.md is the guide for schools.

The plan compares the file with the school's pupils (on roll or not) and says, pupil by pupil:

- added: a UPN the school does not have, and no pupil it could be (below);
- changed: a UPN the school has, with what changes field by field (old → new); a pupil off roll who is back in
  the file goes back on roll, without a leaving date;
- unchanged: a UPN the school has, with nothing to change (not saved again, so the audit log stays quiet);
- UPN changed: a UPN the school does not have, whose legal forename, legal surname and date of birth are those of
  exactly one pupil of the school whose own UPN is not in the file. It is shown as "UPN changed from X to Y" and
  applied only when the person confirms it; unconfirmed, it is a problem, so a child whose UPN changed never
  becomes a second child. Names are compared ignoring case;
- leaving: pupils on roll who are not in the file. They are taken off roll (today as the day they left, with a
  line on the child's chronology saying so) only when the person says the file is the whole roll; otherwise they
  are counted and left as they are. Nobody is ever deleted: the child's safeguarding records must stay.

A file with any problem applies nothing. Pupils are matched by UPN first, never by name alone: two children can
share a name. Every change is saved one pupil at a time, so the audit log shows each one (UPNs and dates of birth
redacted there). Reading the plan takes the same few queries for 15 pupils or 1,500
(tests/concerns/test_pupil_roll_page.py).
"""

from __future__ import annotations

import copy
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from safeguarding import access
from safeguarding.models import School, User

from .models import ChronologyKind, Pupil
from .pupil_import_csv import FIELD_LABELS, Problem, Row, read_rows
from .services.chronology import chronology_add

UPDATED_FIELDS = (
    "upn",
    "legal_first_name",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
    "date_of_birth",
    "year_group",
    "form",
)


@dataclass(frozen=True)
class FieldChange:
    """One field of a pupil as it is and as the file has it, worded for the preview."""

    label: str
    before: str
    after: str


@dataclass
class PupilUpdate:
    """A pupil of the school the file changes: matched by UPN, or (`upn_change`) by legal name and date of birth."""

    line: int
    pupil: Pupil
    values: dict
    changes: list[FieldChange]
    upn_change: bool = False
    # As planned: applying the plan changes the pupil in place, and the result still says what was before.
    old_upn: str = ""
    returning: bool = False

    def __post_init__(self) -> None:
        self.old_upn = self.old_upn or self.pupil.upn
        self.returning = self.returning or not self.pupil.on_roll

    @property
    def new_upn(self) -> str:
        return self.values["upn"]


@dataclass
class RollPlan:
    """What importing the file would do to the school's roll; nothing is saved until `pupil_roll_apply`."""

    school: School
    whole_roll: bool
    added: list[Pupil] = field(default_factory=list)  # unsaved, one per new pupil
    added_lines: list[int] = field(default_factory=list)
    changed: list[PupilUpdate] = field(default_factory=list)
    upn_changes: list[PupilUpdate] = field(default_factory=list)
    unchanged: int = 0
    leaving: list[Pupil] = field(default_factory=list)  # on roll, not in the file
    on_roll: int = 0  # the school's pupils on roll before the import
    problems: list[Problem] = field(default_factory=list)

    @property
    def additions(self) -> list[tuple[int, Pupil]]:
        return list(zip(self.added_lines, self.added, strict=True))

    @property
    def leaving_is_most_of_the_roll(self) -> bool:
        """A "whole roll" file that would take off more than half the roll is more likely one year group's list."""
        return self.whole_roll and len(self.leaving) * 2 > self.on_roll

    def upn_change_problems(self) -> list[Problem]:
        """The UPN changes as problems, for when they are not confirmed."""
        return [
            Problem(
                update.line,
                f"UPN '{update.new_upn}' is new, but the legal name and date of birth are those of "
                f"{update.pupil.full_name} (UPN '{update.old_upn}'). If the child's UPN changed, confirm the change; "
                "if this is another child, check the file",
            )
            for update in self.upn_changes
        ]

    def signature(self) -> str:
        """A digest of everything the plan would do, so a confirmation applies only the plan that was previewed."""
        parts: list[object] = [self.school.pk, self.whole_roll, self.unchanged]
        parts += [(p.upn, sorted((k, str(v)) for k, v in vars(p).items() if k in UPDATED_FIELDS)) for p in self.added]
        parts += [
            (u.pupil.pk, u.upn_change, [(c.label, c.before, c.after) for c in u.changes])
            for u in (*self.changed, *self.upn_changes)
        ]
        parts += [p.pk for p in self.leaving] if self.whole_roll else [len(self.leaving)]
        parts += [str(p) for p in self.problems]
        return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass
class RollResult:
    """What applying a plan did."""

    added: list[Pupil] = field(default_factory=list)
    updated: list[Pupil] = field(default_factory=list)
    upn_changed: list[PupilUpdate] = field(default_factory=list)
    left: list[Pupil] = field(default_factory=list)
    unchanged: int = 0
    not_in_file: int = 0  # on roll and not in the file, left on roll (the file was not the whole roll)
    left_on: date | None = None


class PupilImportRefused(Exception):
    """The plan can't be applied: it has problems, or UPN changes nobody confirmed. Nothing was saved."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def pupil_roll_plan(*, school: School, text: str, whole_roll: bool = False) -> RollPlan:
    """What the file would do to `school`'s roll (rules in the module docstring). Reads the school's pupils once."""
    rows, problems = read_rows(text)
    plan = RollPlan(school=school, whole_roll=whole_roll, problems=problems)
    if problems:
        return plan
    existing = list(Pupil.objects.filter(school=school))
    by_upn = {pupil.upn.upper(): pupil for pupil in existing}
    in_file = {row.values["upn"] for row in rows}
    # The second key, for a UPN the school does not have: only pupils whose own UPN is not in the file.
    by_person: dict[tuple, list[Pupil]] = defaultdict(list)
    for pupil in existing:
        if pupil.upn.upper() not in in_file:
            by_person[_person_key(pupil.legal_first_name, pupil.legal_last_name, pupil.date_of_birth)].append(pupil)
    matched: set[int] = set()
    for row in rows:
        _plan_row(plan, row, by_upn=by_upn, by_person=by_person, matched=matched)
    plan.on_roll = sum(1 for pupil in existing if pupil.on_roll)
    plan.leaving = [p for p in existing if p.on_roll and p.upn.upper() not in in_file and p.pk not in matched]
    plan.problems.sort(key=lambda problem: problem.line or 0)
    return plan


def _plan_row(
    plan: RollPlan, row: Row, *, by_upn: dict[str, Pupil], by_person: dict[tuple, list[Pupil]], matched: set[int]
) -> None:
    values = row.values
    pupil = by_upn.get(values["upn"])
    if pupil is not None:
        changes = _changes(pupil, values)
        if not changes:
            plan.unchanged += 1
        elif _valid(plan, _as_changed(pupil, values), line=row.line):
            plan.changed.append(PupilUpdate(line=row.line, pupil=pupil, values=values, changes=changes))
        return
    candidates = by_person.get(
        _person_key(values["legal_first_name"], values["legal_last_name"], values["date_of_birth"])
    )
    if candidates and len(candidates) > 1:
        plan.problems.append(
            Problem(
                row.line,
                f"UPN '{values['upn']}' is new, but {len(candidates)} pupils here have this legal name and date of "
                "birth, so it can't be told whether this child's UPN changed. Check these pupils' records in the "
                "information system",
            )
        )
        return
    if candidates:
        pupil = candidates[0]
        if pupil.pk in matched:
            plan.problems.append(
                Problem(
                    row.line,
                    f"UPN '{values['upn']}' is new, and another line of the file is also taken for "
                    f"{pupil.full_name} (UPN '{pupil.upn}') with a changed UPN: check the file",
                )
            )
            return
        matched.add(pupil.pk)
        if _valid(plan, _as_changed(pupil, values), line=row.line):
            changes = _changes(pupil, values)
            plan.upn_changes.append(
                PupilUpdate(line=row.line, pupil=pupil, values=values, changes=changes, upn_change=True)
            )
        return
    addition = Pupil(school=plan.school, **values)
    if _valid(plan, addition, line=row.line):
        plan.added.append(addition)
        plan.added_lines.append(row.line)


def _as_changed(pupil: Pupil, values: dict) -> Pupil:
    """A copy of the pupil with the file's values, to check; the plan keeps the pupil as it is, for the preview."""
    changed = copy.copy(pupil)
    for name in UPDATED_FIELDS:
        setattr(changed, name, values[name])
    return changed


def _valid(plan: RollPlan, pupil: Pupil, *, line: int) -> bool:
    """The model's own checks, as a safety net behind the reader's. Uniqueness is the plan's own rule (a UPN the
    school does not have, once in the file), so there is no query a row."""
    try:
        pupil.full_clean(exclude=["school"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        plan.problems.extend(_describe(error, line=line))
        return False
    return True


def _person_key(first: str, last: str, born: date | None) -> tuple:
    return (" ".join(first.split()).casefold(), " ".join(last.split()).casefold(), born)


def _changes(pupil: Pupil, values: dict) -> list[FieldChange]:
    """What the file changes on an existing pupil, field by field, as the preview words it."""
    changes = [
        FieldChange(FIELD_LABELS[name], _shown(name, getattr(pupil, name)), _shown(name, values[name]))
        for name in UPDATED_FIELDS
        if getattr(pupil, name) != values[name]
    ]
    if not pupil.on_roll:
        left = f" (left {pupil.left_on:%-d %B %Y})" if pupil.left_on else ""
        changes.append(FieldChange("On roll", f"no{left}", "yes"))
    return changes


def _shown(name: str, value: object) -> str:
    if name == "date_of_birth" and isinstance(value, date):
        return f"{value:%-d %B %Y}"
    if name == "year_group" and value is not None:
        return f"Year {value}"
    return str(value or "")


def _describe(error: ValidationError, *, line: int) -> list[Problem]:
    """The model's own validation messages, worded like the importer's."""
    problems: list[Problem] = []
    for name, field_messages in error.message_dict.items():
        label = "" if name == NON_FIELD_ERRORS else f"{FIELD_LABELS.get(name, name)}: "
        problems.extend(Problem(line, f"{label}{message.rstrip('.')}") for message in field_messages)
    return problems


def pupil_roll_apply(*, plan: RollPlan, user: User | None, confirm_upn_changes: bool = False) -> RollResult:
    """Applies a plan, all or nothing: refused (PupilImportRefused) with problems, or with UPN changes not confirmed.

    `user` is the person importing, who must be of the school's DSL team or its IT administrator; the import_pupils
    command may pass None, but then not for a whole roll, as each leaver's chronology line names who took them off.
    Leavers are taken off roll with today's date and a line on their chronology, never deleted."""
    if plan.problems:
        raise PupilImportRefused(plan.problems)
    if plan.upn_changes and not confirm_upn_changes:
        raise PupilImportRefused(plan.upn_change_problems())
    if user is not None and not access.can_import_pupils(user, plan.school):
        raise PermissionDenied
    if plan.whole_roll and plan.leaving and user is None:
        raise ValueError("Taking leavers off roll needs the person doing it, for the child's chronology.")
    result = RollResult(unchanged=plan.unchanged)
    # Each pupil through save(), never bulk writes: the audit log records only what save() does.
    with transaction.atomic():
        for pupil in plan.added:
            pupil.save()
            result.added.append(pupil)
        for update in (*plan.changed, *plan.upn_changes):
            pupil = update.pupil
            for name in UPDATED_FIELDS:
                setattr(pupil, name, update.values[name])
            # Back in the information system's roll means back on ours: a leaving date no longer applies.
            pupil.on_roll, pupil.left_on = True, None
            pupil.save()
            if update.upn_change:
                result.upn_changed.append(update)
            else:
                result.updated.append(pupil)
        if plan.whole_roll:
            assert user is not None
            result.left_on = timezone.localdate()
            for pupil in plan.leaving:
                _take_off_roll(pupil, user=user, on=result.left_on)
                result.left.append(pupil)
        else:
            result.not_in_file = len(plan.leaving)
    return result


def _take_off_roll(pupil: Pupil, *, user: User, on: date) -> None:
    """A leaver by the roll: off roll from today, and the child's chronology says so. Where the child went is not
    in the information system's export, so the line says it was not recorded by the import."""
    pupil.on_roll, pupil.left_on = False, on
    pupil.save(update_fields=["on_roll", "left_on"])
    name, role = user.name_and_role_at(pupil.school)
    chronology_add(
        concern=None,
        pupil=pupil,
        kind=ChronologyKind.LEFT,
        by=user,
        summary=(
            f"Taken off roll on {on:%-d %B %Y}: not on the roll imported from the school information system by "
            f"{name} ({role}). Where the child went was not recorded by the import."
        ),
    )


# --- The import_pupils command's older entry point ----------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    not_in_file: int = 0
    errors: list[str] = field(default_factory=list)
    # Pupils matched by UPN whose details were already right: not saved, so the audit log stays quiet.
    unchanged: int = 0


def import_pupils_csv(*, school: School, file: TextIO) -> ImportResult:
    """Adds and updates `school`'s pupils from a CSV export; any problem in the file means nothing is imported.

    Pupils not in the file are left on roll, and a UPN change is a problem (not confirmed): the plan without the
    page's two choices."""
    plan = pupil_roll_plan(school=school, text=file.read())
    try:
        result = pupil_roll_apply(plan=plan, user=None)
    except PupilImportRefused as refused:
        return ImportResult(errors=[str(problem) for problem in refused.problems])
    return ImportResult(
        created=len(result.added),
        updated=len(result.updated),
        not_in_file=result.not_in_file,
        unchanged=result.unchanged,
    )
