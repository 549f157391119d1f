"""Staff in bulk (issue 13): a school's people from its staff list, previewed as a plan and applied all or nothing.

The file is read by staff_import_csv.py (its docstring lists the headers of each export it takes). The plan says,
before anything is saved, who is added, who changes and how (field by field), who is left alone, who leaves, and
every problem by line. Its rules:

- People are matched by email, ignoring case. Someone new is added with a username from their email, no usable
  password and an invitation (safeguarding.passwords.invite) to set one; they hold the roles their row names, or Member
  of staff.
- A row's roles are added to the person's roles at the school; the import never takes a role away (that is done in
  the administration pages). An empty job title leaves the one held as it is.
- A safeguarding role (access.is_safeguarding_role: the DSL team, the Head, the Chair and every other role that
  signs in with a second factor) is given only when the IT administrator confirms it, having seen who gets it; so
  is any such role held by a deactivated person who is on the list again, since their return gives it back.
- Nobody changes their own roles (as in the admin: a grant of access always takes a second person), and only a
  superuser changes a superuser.
- Only when the file is the whole staff list are the active people of the school who are not on it (or whose
  account the export shows suspended) deactivated. Their records, roles and name on what they wrote are kept;
  deactivated, they are refused on their next request (Django's ModelBackend signs in no inactive account), so
  their sessions end at once. Someone who also holds a role at another school or a trust is kept, as are the
  administrator running the import and superusers; the plan says so.
- A plan with any problem, or with a safeguarding role not confirmed, changes nothing. Applying is one
  transaction, each person saved one at a time so the audit log records every change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Lower

from . import access, passwords, selectors
from .models import Membership, Role, School, User
from .staff_import_csv import LABELS, Problem, StaffRow, read_staff_csv, username_candidates, username_for


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str

    def __str__(self) -> str:
        return f'{self.label}: "{self.before}" to "{self.after}"'


@dataclass(frozen=True)
class Addition:
    """Someone new: their account is made from the row."""

    row: StaffRow
    username: str
    roles: tuple[str, ...]

    @property
    def role_labels(self) -> str:
        return role_labels(self.roles)


@dataclass(frozen=True)
class Update:
    """Someone the app knows whose details, roles or return the row changes."""

    row: StaffRow
    person: User
    changes: tuple[FieldChange, ...]
    values: dict[str, str]
    roles_to_add: tuple[str, ...]
    reactivate: bool


@dataclass(frozen=True)
class Unchanged:
    row: StaffRow
    person: User


@dataclass(frozen=True)
class Kept:
    """Someone not on the whole staff list who is not deactivated, and why."""

    person: User
    reason: str


@dataclass(frozen=True)
class SafeguardingGrant:
    """A safeguarding role the plan gives: only with the IT administrator's confirmation."""

    line: int
    name: str
    email: str
    role: str
    returning: bool = False

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def as_problem(self) -> Problem:
        how = "has it again on returning" if self.returning else "is given it"
        return Problem(
            self.line,
            f"{self.name} {how}: {self.role_label} is a safeguarding role, given only when you confirm it "
            '(tick "Give the safeguarding roles listed", or pass --confirm-roles)',
        )


@dataclass
class StaffImportPlan:
    school: School
    whole_list: bool
    added: list[Addition] = field(default_factory=list)
    changed: list[Update] = field(default_factory=list)
    unchanged: list[Unchanged] = field(default_factory=list)
    leaving: list[User] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    suspended: dict[int, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    grants: list[SafeguardingGrant] = field(default_factory=list)

    def problems_for(self, *, confirm_roles: bool) -> list[Problem]:
        """What stops the plan being applied: its problems, and the safeguarding roles when not confirmed."""
        unconfirmed = [] if confirm_roles else [grant.as_problem() for grant in self.grants]
        return sorted([*self.problems, *unconfirmed], key=lambda problem: problem.line or 0)

    def signature(self) -> str:
        """A fingerprint of everything the plan would do, so a confirmation applies exactly what was previewed."""
        content = {
            "school": self.school.pk,
            "added": [(a.row.email.lower(), a.username, a.row.full_name, a.row.job_title, a.roles) for a in self.added],
            "changed": [(u.person.pk, [str(c) for c in u.changes], u.roles_to_add, u.reactivate) for u in self.changed],
            "leaving": [person.pk for person in self.leaving],
            "grants": [(g.email.lower(), g.role) for g in self.grants],
            "problems": [str(problem) for problem in self.problems],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def summary_lines(self) -> list[str]:
        """The plan in words, a line each, as the management command prints it."""
        lines = [
            f"Staff list for {self.school.name}: {len(self.added)} to add, {len(self.changed)} to change, "
            f"{len(self.unchanged)} unchanged, {len(self.leaving)} leaving."
        ]
        lines += [
            f"Add: line {a.row.line}: {a.row.full_name} <{a.row.email}>, {a.row.job_title or 'no job title'} "
            f"(username {a.username}): {a.role_labels}"
            for a in self.added
        ]
        for update in self.changed:
            said = [str(change) for change in update.changes]
            lines.append(f"Change: line {update.row.line}: {update.person.display_name}: {'; '.join(said)}")
        lines += [f"Leaving, to be deactivated: {person.display_name} <{person.email}>" for person in self.leaving]
        lines += [f"Not on the list, kept: {kept.person.display_name}: {kept.reason}" for kept in self.kept]
        lines += [
            f"Suspended in the export, not imported: line {line}: {email}" for line, email in self.suspended.items()
        ]
        lines += [
            f"Safeguarding role: line {g.line}: {g.name}: {g.role_label}{' (returning)' if g.returning else ''}"
            for g in self.grants
        ]
        return lines


@dataclass
class StaffImportResult:
    added: list[User] = field(default_factory=list)
    changed: list[User] = field(default_factory=list)
    deactivated: list[User] = field(default_factory=list)
    unchanged: int = 0


class StaffImportRefused(Exception):
    """The plan has problems (or safeguarding roles not confirmed): nothing was changed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}")
        self.problems = problems


def role_labels(roles: tuple[str, ...] | list[str]) -> str:
    return ", ".join(Role(role).label for role in roles)


def staff_import_plan(*, school: School, text: str, user: User | None, whole_list: bool) -> StaffImportPlan:
    """What importing `text` into `school` would do, and its problems; changes nothing. `user` is the IT
    administrator asking (None for the management command, run by whoever runs the server). A fixed number of
    queries, however long the list."""
    if user is not None and not access.can_import_staff(user, school):
        raise PermissionDenied
    staff_file = read_staff_csv(text)
    plan = StaffImportPlan(school=school, whole_list=whole_list, suspended=staff_file.suspended)
    plan.problems += staff_file.problems
    emails = [row.email.lower() for row in staff_file.rows]
    known: dict[str, list[User]] = {}
    for person in (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .prefetch_related("memberships")
        .order_by("pk")
    ):
        known.setdefault(person.email.lower(), []).append(person)
    taken = _usernames_taken([row.email for row in staff_file.rows if row.email.lower() not in known])
    for row in staff_file.rows:
        matches = known.get(row.email.lower(), [])
        if len(matches) > 1:
            usernames = ", ".join(person.username for person in matches)
            plan.problems.append(
                Problem(row.line, f"more than one account has the email {row.email} ({usernames}): merge them first")
            )
        elif matches:
            _plan_known(plan, row, matches[0], user=user)
        else:
            roles = row.roles or (Role.STAFF.value,)
            plan.added.append(Addition(row=row, username=username_for(row.email, taken=taken), roles=roles))
            plan.grants += [
                SafeguardingGrant(row.line, row.full_name, row.email, role)
                for role in roles
                if access.is_safeguarding_role(role)
            ]
    if whole_list:
        _plan_leavers(plan, on_list=staff_file.listed, user=user)
    return plan


def _usernames_taken(emails: list[str]) -> set[str]:
    """The usernames in use (lower case) among those the new people would be given first: one query."""
    wanted = {candidate for email in emails for candidate in username_candidates(email)}
    found = User.objects.annotate(username_lower=Lower("username")).filter(username_lower__in=wanted)
    return set(found.values_list("username_lower", flat=True))


def _plan_known(plan: StaffImportPlan, row: StaffRow, person: User, *, user: User | None) -> None:
    """A row for someone the app knows: what it changes, or why it can't."""
    held = [m.role for m in person.memberships.all() if m.school_id == plan.school.pk]
    wanted = row.roles or (() if held else (Role.STAFF.value,))
    roles_to_add = tuple(role for role in wanted if role not in held)
    values = {"first_name": row.first_name, "last_name": row.last_name}
    if row.job_title:
        values["job_title"] = row.job_title
    changes = [
        FieldChange(LABELS[name], getattr(person, name), value)
        for name, value in values.items()
        if getattr(person, name) != value
    ]
    if roles_to_add:
        changes.append(FieldChange("Roles here", role_labels(held) or "none", role_labels([*held, *roles_to_add])))
    reactivate = not person.is_active
    if reactivate:
        changes.append(FieldChange("Account", "deactivated", "active again"))
    if not changes:
        plan.unchanged.append(Unchanged(row=row, person=person))
        return
    if user is not None and person.pk == user.pk and (roles_to_add or reactivate):
        plan.problems.append(
            Problem(row.line, "this is your own account: you cannot change your own roles. Ask another administrator.")
        )
        return
    if person.is_superuser and user is not None and not user.is_superuser:
        plan.problems.append(Problem(row.line, f"{row.email} is a superuser's account, which only a superuser changes"))
        return
    plan.changed.append(
        Update(
            row=row,
            person=person,
            changes=tuple(changes),
            values={name: value for name, value in values.items() if getattr(person, name) != value},
            roles_to_add=roles_to_add,
            reactivate=reactivate,
        )
    )
    plan.grants += [
        SafeguardingGrant(row.line, row.full_name, row.email, role)
        for role in roles_to_add
        if access.is_safeguarding_role(role)
    ]
    if reactivate:
        plan.grants += [
            SafeguardingGrant(row.line, row.full_name, row.email, role, returning=True)
            for role in held
            if access.is_safeguarding_role(role)
        ]


def _plan_leavers(plan: StaffImportPlan, *, on_list: set[str], user: User | None) -> None:
    """The school's active people who are not on the whole staff list: deactivated, unless the account is needed
    elsewhere or is not the importer's to end."""
    people = (
        selectors.people_at(plan.school)
        .annotate(email_lower=Lower("email"))
        .exclude(email_lower__in=on_list)
        .prefetch_related("memberships__school", "memberships__trust")
    )
    for person in people:
        elsewhere = sorted(
            {str(m.school or m.trust) for m in person.memberships.all() if m.school_id != plan.school.pk}
        )
        if user is not None and person.pk == user.pk:
            plan.kept.append(Kept(person, "your own account, which you cannot deactivate here"))
        elif person.is_superuser:
            plan.kept.append(Kept(person, "a superuser's account, which only a superuser deactivates"))
        elif elsewhere:
            plan.kept.append(
                Kept(person, f"also has a role at {', '.join(elsewhere)}; remove their roles here in the admin")
            )
        else:
            plan.leaving.append(person)


def staff_import_apply(*, plan: StaffImportPlan, user: User | None, confirm_roles: bool) -> StaffImportResult:
    """Carries the plan out in one transaction: adds, changes and deactivates people, and invites the new ones.
    Refused (StaffImportRefused), changing nothing, when the plan has a problem or a safeguarding role that the IT
    administrator has not confirmed."""
    if user is not None and not access.can_import_staff(user, plan.school):
        raise PermissionDenied
    problems = plan.problems_for(confirm_roles=confirm_roles)
    if problems:
        raise StaffImportRefused(problems)
    result = StaffImportResult(unchanged=len(plan.unchanged))
    # Each person through save(), never bulk writes: the audit log records only what save() does.
    with transaction.atomic():
        for addition in plan.added:
            result.added.append(_add(addition, school=plan.school, invited_by=user))
        for update in plan.changed:
            result.changed.append(_change(update, school=plan.school))
        for person in plan.leaving:
            person.is_active = False
            person.save(update_fields=["is_active"])
            result.deactivated.append(person)
    return result


def _add(addition: Addition, *, school: School, invited_by: User | None) -> User:
    row = addition.row
    person = User(
        username=addition.username,
        email=row.email.lower(),
        first_name=row.first_name,
        last_name=row.last_name,
        job_title=row.job_title,
    )
    person.set_unusable_password()  # they choose their own, from the invitation
    # The username was checked against every account in one query for the whole file (staff_import_plan).
    person.full_clean(validate_unique=False)
    person.save()
    _add_roles(person, school=school, roles=addition.roles)
    _invite(person, invited_by=invited_by)
    return person


def _change(update: Update, *, school: School) -> User:
    person = update.person
    for name, value in update.values.items():
        setattr(person, name, value)
    if update.reactivate:
        person.is_active = True
    if update.values or update.reactivate:
        person.full_clean(validate_unique=False)
        person.save(update_fields=[*update.values, *(["is_active"] if update.reactivate else [])])
    _add_roles(person, school=school, roles=update.roles_to_add)
    access.forget_grants(person)
    return person


def _add_roles(person: User, *, school: School, roles: tuple[str, ...]) -> None:
    for role in roles:
        membership = Membership(user=person, school=school, role=role)
        # The model's own rule (a school role at a school); the plan gave no role the person already holds here,
        # and the database's constraints stand behind it.
        membership.clean()
        membership.save()


def _invite(person: User, *, invited_by: User | None) -> None:
    """Queues the invitation email (safeguarding/passwords.py) inside the import's transaction: the task row
    commits or rolls back with the people it invites."""
    passwords.invite(person, invited_by=invited_by)
