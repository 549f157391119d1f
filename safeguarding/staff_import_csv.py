"""Reading a staff list from a CSV file: the school information system's staff export, or the user export of
Microsoft 365, Microsoft Entra ID or Google Workspace, as it comes.

Headers are matched ignoring case, spaces and a bracketed note (Google's "First Name [Required]" is "first name");
columns with other headers are ignored. Where a file has several columns for one thing (a Microsoft export's
"User principal name" and an "Email"), the first in each list below wins.

=================  ==========================================================================================
what               headers, in the order they are preferred
=================  ==========================================================================================
email (required)   Email, Email Address (Google's "Email Address [Required]"), E-mail, Work Email, School Email,
                   Primary Email, Mail (Entra's "mail"), User principal name (Microsoft 365, Entra's
                   "userPrincipalName")
first name         Preferred Forename, First name (Google's "First Name [Required]"), Forename, Legal Forename,
                   Given name (Entra's "givenName")
last name          Preferred Surname, Last name (Google's "Last Name [Required]"), Surname, Legal Surname,
                   Family name
full name          Display name (Microsoft's "Display name", Entra's "displayName"), Full name, Name: split at the
                   last space, used only where a row has no first and last name
job title          Job title (Entra's "jobTitle"), Employee Title (Google), Position, Post; "Title" only in a
                   Microsoft 365 export (a file with a User principal name column), where it holds the job title:
                   elsewhere "Title" is Mr, Mrs or Dr, and is ignored
role               Role, Roles, App role, Safeguarding role: the app's roles, by name ("Deputy DSL",
                   "Headteacher") or code ("deputy_dsl"), several separated by ";"
account status     Status (Google's "Status [READ ONLY]": Suspended), Block credential (Microsoft 365: True),
                   accountEnabled (Entra: False): a suspended or blocked account is read as not on the list
=================  ==========================================================================================

A file needs an email column and either first and last name columns or a full name column. Saved from Excel as
"CSV UTF-8" (with its byte order mark) or plain UTF-8; a file whose first line has semicolons or tabs and no commas
(Excel in some languages, or a text export) is read with those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from .csv_lines import Problem, Unreadable, csv_lines
from .models import TRUST_ROLES, Role, User

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

# Each field: the normalised headers that hold it, the preferred first.
HEADERS: dict[str, tuple[str, ...]] = {
    "email": (
        "email",
        "email address",
        "e-mail",
        "e-mail address",
        "work email",
        "work email address",
        "school email",
        "primary email",
        "mail",
        "user principal name",
        "userprincipalname",
    ),
    "first_name": (
        "preferred forename",
        "first name",
        "firstname",
        "forename",
        "legal forename",
        "given name",
        "givenname",
    ),
    "last_name": ("preferred surname", "last name", "lastname", "surname", "legal surname", "family name"),
    "full_name": ("display name", "displayname", "full name", "name"),
    "job_title": ("job title", "jobtitle", "employee title", "position", "post"),
    "roles": ("role", "roles", "app role", "safeguarding role"),
    "status": ("status",),
    "block_credential": ("block credential",),
    "account_enabled": ("accountenabled", "account enabled"),
}
MICROSOFT_MARKERS = ("user principal name", "userprincipalname")
LABELS = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Display name",
    "job_title": "Job title",
    "roles": "Role",
}
BRACKETED_NOTE = re.compile(r"\s*\[[^\]]*\]\s*$")
ROLE_SEPARATORS = re.compile(r"[;,|]")
USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


def _role_names() -> dict[str, str]:
    """Every way the file may name a role, normalised, to the role."""
    names = {}
    for role in Role:
        names[_normalise(role.value.replace("_", " "))] = role.value
        names[_normalise(role.label)] = role.value
    extra = {
        "dsl": Role.DSL,
        "deputy dsl": Role.DEPUTY_DSL,
        "ddsl": Role.DEPUTY_DSL,
        "head": Role.HEADTEACHER,
        "head teacher": Role.HEADTEACHER,
        "headteacher": Role.HEADTEACHER,
        "slt": Role.SENIOR_LEADER,
        "senior leadership team": Role.SENIOR_LEADER,
        "chair": Role.CHAIR,
        "staff": Role.STAFF,
        "it admin": Role.IT_ADMIN,
        "sendco": Role.SENCO,
        "data protection officer": Role.DPO,
        "mental health lead": Role.MENTAL_HEALTH_LEAD,
        "designated teacher": Role.DESIGNATED_TEACHER_LAC,
        "pastoral": Role.PASTORAL,
    }
    names.update({name: role.value for name, role in extra.items()})
    return names


def _normalise(text: str) -> str:
    return " ".join(BRACKETED_NOTE.sub("", text).replace("\ufeff", "").split()).lower()


ROLE_NAMES = _role_names()


def _max_length(name: str) -> int | None:
    model_field = User._meta.get_field(name)
    assert isinstance(model_field, models.CharField)  # the names, job title: CharFields with a max_length
    return model_field.max_length


FIELD_LIMITS = {name: _max_length(name) for name in ("first_name", "last_name", "job_title")}
EMAIL_LIMIT = 254


class StaffFileError(Exception):
    """The file can't be read as a staff list at all (not text, not UTF-8, too large): nothing in it is looked at."""


@dataclass(frozen=True)
class StaffRow:
    """One person as the file gives them. `roles` is empty where the file names none."""

    line: int
    email: str
    first_name: str
    last_name: str
    job_title: str
    roles: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class StaffFile:
    """What was read: the people, the suspended accounts' emails (by line), and the problems."""

    rows: list[StaffRow] = field(default_factory=list)
    suspended: dict[int, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Every email on the list, in lower case, rows with problems included (nobody on the list is a leaver), and
    # suspended accounts left out (they are).
    listed: set[str] = field(default_factory=set)


def decode(data: bytes) -> str:
    """The file's text, or StaffFileError saying why it can't be read."""
    if len(data) > MAX_BYTES:
        raise StaffFileError(
            f"The file is {len(data) / 1024 / 1024:.1f} MB, larger than the 2 MB a staff list needs. "
            "Check that it is the staff export, not a report with photographs."
        )
    if not data.strip():
        raise StaffFileError("The file is empty: it needs a header row and a line for each member of staff.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise StaffFileError(
            'The file is saved as "Unicode Text". Save it from the spreadsheet as "CSV UTF-8" and try again.'
        )
    if b"\x00" in data or data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")):
        raise StaffFileError(
            "The file is not a CSV file (it looks like a spreadsheet or a document). Save it from the spreadsheet "
            'as "CSV UTF-8" and try again.'
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise StaffFileError(
            'The file is not UTF-8 text. Save it from the spreadsheet as "CSV UTF-8" (plain "CSV" from an older '
            "Excel garbles names such as Zoë or Wójcik) and try again."
        ) from error


def read_staff_csv(text: str) -> StaffFile:
    """Every row of the staff list, and every problem found on the way, by line."""
    result = StaffFile()
    lines = csv_lines(text)
    try:
        _, header = next(lines)
    except StopIteration:
        result.problems.append(Problem(None, "The file is empty: it needs a header row and a line for each person."))
        return result
    except Unreadable as unreadable:
        result.problems.append(unreadable.problem)
        return result
    columns, header_problems = _read_header(header)
    result.problems += header_problems
    if header_problems:
        return result
    first_line_of: dict[str, int] = {}
    try:
        for count, (line, cells) in enumerate(lines, start=1):
            if count > MAX_ROWS:
                result.problems.append(
                    Problem(None, f"The file has more than {MAX_ROWS:,} people. Import one school's staff at a time.")
                )
                break
            _read_row(result, cells, columns=columns, width=len(header), line=line, first_line_of=first_line_of)
    except Unreadable as unreadable:
        result.problems.append(unreadable.problem)
    result.listed = set(first_line_of) - {email.lower() for email in result.suspended.values()}
    if not result.rows and not result.suspended and not result.problems:
        result.problems.append(Problem(None, "The file has a header row but nobody on it."))
    return result


def _read_header(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    """Which column holds each field (the preferred header, where several are there), and the header's problems."""
    names = [_normalise(text) for text in header]
    headers = dict(HEADERS)
    if any(marker in names for marker in MICROSOFT_MARKERS):
        headers["job_title"] = (*headers["job_title"], "title")
    columns: dict[str, int] = {}
    problems: list[Problem] = []
    for name, wanted in headers.items():
        chosen = next((text for text in wanted if text in names), None)
        if chosen is None:
            continue
        if names.count(chosen) > 1:
            problems.append(Problem(1, f'there is more than one "{header[names.index(chosen)].strip()}" column'))
        columns[name] = names.index(chosen)
    if "email" not in columns:
        problems.append(
            Problem(
                1,
                "there is no email column, which is required: name it Email (or Email Address, or User principal "
                "name, as the Microsoft 365 and Google exports do)",
            )
        )
    if "full_name" not in columns and not {"first_name", "last_name"} <= columns.keys():
        problems.append(
            Problem(1, "there are no name columns: give First name and Last name columns (or a Display name column)")
        )
    return columns, problems


def _is_suspended(raw: dict[str, str]) -> bool:
    """Google's Suspended, Microsoft 365's blocked sign-in and Entra's disabled account all mean not on the staff."""
    return (
        raw.get("status", "").lower() == "suspended"
        or raw.get("block_credential", "").lower() == "true"
        or raw.get("account_enabled", "").lower() == "false"
    )


def _read_row(
    result: StaffFile,
    cells: list[str],
    *,
    columns: dict[str, int],
    width: int,
    line: int,
    first_line_of: dict[str, int],
) -> None:
    """One person from a row into `result`, with the row's problems."""
    raw = {name: (cells[index].strip() if index < len(cells) else "") for name, index in columns.items()}
    problems: list[Problem] = []
    if any(cell.strip() for cell in cells[width:]):
        problems.append(
            Problem(
                line,
                f"has {len(cells)} values but the header row has {width} columns "
                "(a name with a comma in it needs quotation marks)",
            )
        )
    email = raw["email"]
    if not email:
        problems.append(Problem(line, "the email address is empty"))
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(Problem(line, f"'{email}' is not an email address"))
        if len(email) > EMAIL_LIMIT:
            problems.append(Problem(line, f"the email address is longer than {EMAIL_LIMIT} characters"))
        if email.lower() in first_line_of:
            problems.append(Problem(line, f"{email} is also on line {first_line_of[email.lower()]}"))
        else:
            first_line_of[email.lower()] = line
    if _is_suspended(raw):
        result.problems += problems
        if email:
            result.suspended[line] = email
        return

    first_name, last_name = raw.get("first_name", ""), raw.get("last_name", "")
    if not (first_name and last_name) and raw.get("full_name"):
        first_name, _, last_name = raw["full_name"].rpartition(" ")
        first_name, last_name = (first_name.strip(), last_name) if first_name else (last_name, "")
    if not first_name:
        problems.append(Problem(line, "the first name is empty"))
    if not last_name:
        problems.append(Problem(line, "the last name is empty"))
    values = {"first_name": first_name, "last_name": last_name, "job_title": raw.get("job_title", "")}
    for name, text in values.items():
        limit = FIELD_LIMITS[name]
        if limit is not None and len(text) > limit:
            problems.append(Problem(line, f"the {LABELS[name].lower()} is longer than {limit} characters"))
    roles, role_problems = _read_roles(raw.get("roles", ""), line=line)
    problems += role_problems
    result.problems += problems
    if not problems:
        result.rows.append(StaffRow(line=line, email=email, roles=roles, **values))


def _read_roles(text: str, *, line: int) -> tuple[tuple[str, ...], list[Problem]]:
    """The roles a cell names, in the order given, and the names that are not roles a school's staff hold here."""
    roles: list[str] = []
    problems: list[Problem] = []
    for part in ROLE_SEPARATORS.split(text):
        name = _normalise(part)
        if not name:
            continue
        role = ROLE_NAMES.get(name)
        if role is None:
            problems.append(
                Problem(
                    line,
                    f"'{part.strip()}' is not a role here. Use the roles' names, e.g. Member of staff, Deputy DSL, "
                    "Headteacher (a job title such as Teacher of Geography goes in the Job title column)",
                )
            )
        elif role in TRUST_ROLES:
            problems.append(
                Problem(line, f"'{part.strip()}' is a trust role: give it in the administration pages, at the trust")
            )
        elif role not in roles:
            roles.append(role)
    return tuple(roles), problems


def username_candidates(email: str) -> tuple[str, str]:
    """The two usernames a new person may get first: the email's part before the @, then the whole email."""
    return (
        USERNAME_UNSAFE.sub("", email.split("@", 1)[0].lower())[:150],
        USERNAME_UNSAFE.sub("", email.lower())[:146],
    )


def username_for(email: str, *, taken: set[str]) -> str:
    """A new person's username: the email's part before the @ ("j.okafor"), else the whole email, else that with a
    number. `taken` holds the usernames in use, in lower case; the one chosen joins it, so the rows of one file
    never share one."""
    local, whole = username_candidates(email)
    candidates = [local, whole] + [f"{whole}{n}" for n in range(2, 1000)]
    chosen = next(c for c in candidates if c and c not in taken)
    taken.add(chosen)
    return chosen
