"""Reading the school's roll from a CSV export: the bytes as text, the headers in any of the dialects below, and
each row as a pupil's values, with every problem by line. Nothing here touches the database; concerns/pupil_import.py
plans and applies what is read.

Headers are matched ignoring case, surrounding spaces and underscores ("date_of_birth" is "Date of Birth"); columns
with other headers are ignored. Where a file has several headers for one thing (Wonde's year_code and year_name),
the first in each list below wins. The same header twice is a problem.

==================  =========================================================================================
what                headers, in the order they are preferred
==================  =========================================================================================
UPN (required)      UPN (SIMS, Arbor, Bromcom; Assembly's upn; Wonde's education_details upn), Unique Pupil Number
legal surname       Legal Surname (SIMS; Wonde's legal_surname), Legal Last Name (Assembly's legal_last_name)
(required)
legal forename      Legal Forename (SIMS; Wonde's legal_forename), Legal First Name (Assembly's legal_first_name)
(required)
preferred surname   Preferred Surname (SIMS), Surname (Wonde's surname), Last Name (Assembly's last_name)
preferred forename  Preferred Forename (SIMS), Forename (Wonde's forename), First Name (Assembly's first_name)
date of birth       Date of Birth (SIMS; Wonde's date_of_birth), DOB (Assembly's dob), Birth Date
(required)
year (required)     Year, Year Group, Current NC Year (Wonde's education_details current_nc_year), Year Code
                    (Assembly's and Wonde's year_code), Year Name (Wonde's year_name)
form                Reg Group (SIMS), Registration Group, Form, Tutor Group, Registration Name (Wonde's
                    registration_name), Registration Code (Wonde's registration_code)
==================  =========================================================================================

A file with no legal name column but a Surname and Forename (or Last Name and First Name) column reads those as the
legal names: an export that gives one name gives the legal one. A preferred name the same as the legal one is kept
empty ("where it differs"). Dates are DD/MM/YYYY or YYYY-MM-DD, with any time after it ignored (Wonde's
"2013-03-14 00:00:00.000000", Assembly's "2013-03-14T00:00:00Z"). A first line with semicolons or tabs and no commas
(Excel in some languages, or "Unicode text") is read with those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils import timezone

from safeguarding.csv_lines import Problem, Unreadable, csv_lines

from .models import Pupil

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

# Pupil field -> the headers that hold it (normalised: lower case, underscores as spaces), preferred first.
HEADERS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "education details.upn", "unique pupil number"),
    "legal_last_name": ("legal surname", "legal last name"),
    "legal_first_name": ("legal forename", "legal first name"),
    "preferred_last_name": ("preferred surname", "surname", "last name"),
    "preferred_first_name": ("preferred forename", "forename", "first name"),
    "date_of_birth": ("date of birth", "dob", "date of birth.date", "birth date"),
    "year_group": (
        "year",
        "year group",
        "current nc year",
        "education details.current nc year",
        "year code",
        "year name",
    ),
    "form": ("reg group", "registration group", "form", "tutor group", "registration name", "registration code"),
}
# Without a legal name column, the one name a file gives is the legal name.
LEGAL_FALLBACK = {"legal_last_name": "preferred_last_name", "legal_first_name": "preferred_first_name"}
FIELD_LABELS = {
    "upn": "UPN",
    "legal_last_name": "Legal Surname",
    "legal_first_name": "Legal Forename",
    "preferred_last_name": "Preferred Surname",
    "preferred_first_name": "Preferred Forename",
    "date_of_birth": "Date of Birth",
    "year_group": "Year",
    "form": "Reg Group or Form",
}
REQUIRED_FIELDS = ("upn", "legal_last_name", "legal_first_name", "date_of_birth", "year_group")
TEXT_FIELDS = ("legal_last_name", "legal_first_name", "preferred_last_name", "preferred_first_name", "form")

UPN_FORMAT = re.compile(r"[A-Z][0-9]{12}|[0-9]{12}[A-Z]")
DAY_FIRST_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
# An ISO date, with any time after it: Wonde and Assembly give dates of birth as date-times at midnight.
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?")
YEAR_GROUP = re.compile(r"(?:year|yr|y)?\s*([0-9]{1,2})", re.IGNORECASE)
YEAR_GROUPS = range(7, 14)
YOUNGEST_AGE, OLDEST_AGE = 3, 25

SAVE_AS_CSV = (
    'In Excel choose File, then Save As, and save it as "CSV UTF-8 (Comma delimited) (*.csv)"; in another '
    'spreadsheet choose CSV with the character set "Unicode (UTF-8)". Then upload that file.'
)


@dataclass(frozen=True)
class Row:
    """One pupil as the file gives them: the line, and the Pupil field values read from it."""

    line: int
    values: dict


class PupilFileError(ValueError):
    """The upload is not a CSV file that can be read as text; the message says what to do."""


def decode(data: bytes) -> str:
    """The file's text, or a PupilFileError saying what it is instead and how to save it as CSV UTF-8."""
    if not data.strip():
        raise PupilFileError("The file is empty. Export the roll from the information system again.")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise PupilFileError(f"This is an Excel workbook, not a CSV file. {SAVE_AS_CSV}")
    if data.startswith(b"%PDF"):
        raise PupilFileError(f"This is a PDF, not a CSV file. Export the roll as a spreadsheet. {SAVE_AS_CSV}")
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text": UTF-16, tab-separated
            return data.decode("utf-16")
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PupilFileError(
            f"The file is not saved as UTF-8, so names such as Zoë or Wójcik would be garbled. {SAVE_AS_CSV}"
        ) from error
    if "\x00" in text:
        raise PupilFileError(f"This is not a text file. {SAVE_AS_CSV}")
    return text


def normalise(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).lower()


def read_rows(text: str) -> tuple[list[Row], list[Problem]]:
    """The file's pupils, and every problem found on the way."""
    lines = csv_lines(text)
    try:
        _, header = next(lines)
    except StopIteration:
        return [], [Problem(None, "The file is empty: it needs a header row and a line for each pupil.")]
    except Unreadable as unreadable:
        return [], [unreadable.problem]

    columns, problems = read_header(header)
    if problems:
        return [], problems
    labels = {name: " ".join(header[index].split()) for name, index in columns.items()}

    rows: list[Row] = []
    first_line_of_upn: dict[str, int] = {}
    try:
        for line, cells in lines:
            if len(rows) >= MAX_ROWS:
                problems.append(
                    Problem(None, f"The file has more than {MAX_ROWS:,} pupils. Is it the roll of one school?")
                )
                break
            values, row_problems = read_row(cells, columns=columns, labels=labels, width=len(header), line=line)
            problems.extend(row_problems)
            upn = values.get("upn")
            if upn and upn in first_line_of_upn:
                problems.append(Problem(line, f"{labels['upn']} '{upn}' is also on line {first_line_of_upn[upn]}"))
            elif upn:
                first_line_of_upn[upn] = line
            if not row_problems:
                rows.append(Row(line=line, values=values))
    except Unreadable as unreadable:
        problems.append(unreadable.problem)
    if not rows and not problems:
        problems.append(Problem(None, "The file has a header row but no pupils."))
    return rows, problems


def read_header(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    """Which column holds each Pupil field, and the header's problems."""
    found: dict[str, int] = {}  # normalised header -> column
    problems: list[Problem] = []
    for index, text in enumerate(header):
        name = normalise(text)
        if not name:
            continue
        if name in found:
            problems.append(Problem(1, f"there is more than one {' '.join(text.split())} column"))
        found.setdefault(name, index)
    columns: dict[str, int] = {}
    for field_name, headers in HEADERS.items():
        column = next((found[h] for h in headers if h in found), None)
        if column is not None:
            columns[field_name] = column
    for legal, preferred in LEGAL_FALLBACK.items():
        if legal not in columns and preferred in columns:
            columns[legal] = columns.pop(preferred)
    for name in REQUIRED_FIELDS:
        if name not in columns:
            problems.append(Problem(1, f"there is no {FIELD_LABELS[name]} column, which is required"))
    return columns, problems


def read_row(
    cells: list[str], *, columns: dict[str, int], labels: dict[str, str], width: int, line: int
) -> tuple[dict, list[Problem]]:
    """One pupil's field values from a row, and the row's problems."""
    raw = {name: (cells[index].strip() if index < len(cells) else "") for name, index in columns.items()}
    values: dict[str, str | date | int | None] = {}
    problems: list[Problem] = []
    if any(cell.strip() for cell in cells[width:]):
        problems.append(
            Problem(
                line,
                f"has {len(cells)} values but the header row has {width} columns "
                "(a name with a comma in it needs quotation marks)",
            )
        )
    for name in REQUIRED_FIELDS:
        if not raw[name]:
            problems.append(Problem(line, f"{labels[name]} is empty"))

    if raw["upn"]:
        upn = raw["upn"].upper()
        if UPN_FORMAT.fullmatch(upn):
            values["upn"] = upn
        else:
            problems.append(
                Problem(
                    line,
                    f"{labels['upn']} '{raw['upn']}' is not a letter and 12 digits "
                    "(or 12 digits and a letter, for a temporary UPN)",
                )
            )
    problems += _read_text(raw, values, labels=labels, line=line)

    if raw["date_of_birth"]:
        born, problem = date_of_birth(raw["date_of_birth"])
        if problem:
            problems.append(Problem(line, f"{labels['date_of_birth']} '{raw['date_of_birth']}' {problem}"))
        values["date_of_birth"] = born

    if raw["year_group"]:
        label, year = labels["year_group"], raw["year_group"]
        match = YEAR_GROUP.fullmatch(year)
        if not match:
            problems.append(Problem(line, f"{label} '{year}' is not a year group (write it as 9, Year 9 or Y9)"))
        elif int(match[1]) not in YEAR_GROUPS:
            problems.append(Problem(line, f"{label} '{year}' is not one of Years 7 to 13"))
        else:
            values["year_group"] = int(match[1])
    return values, problems


def _read_text(raw: dict[str, str], values: dict, *, labels: dict[str, str], line: int) -> list[Problem]:
    """The names and form, each within its field's length; a preferred name the same as the legal one is empty."""
    problems = []
    for name in TEXT_FIELDS:
        text = raw.get(name, "")
        model_field = Pupil._meta.get_field(name)
        # Each of TEXT_FIELDS is a CharField with a max_length.
        assert isinstance(model_field, models.CharField) and model_field.max_length is not None
        limit = model_field.max_length
        if len(text) > limit:
            problems.append(Problem(line, f"{labels.get(name, FIELD_LABELS[name])} is longer than {limit} characters"))
        values[name] = text
    for legal, preferred in LEGAL_FALLBACK.items():
        if values[preferred] == values[legal]:
            values[preferred] = ""
    return problems


def date_of_birth(text: str) -> tuple[date | None, str]:
    """The date, or why it can't be a pupil's date of birth."""
    if match := DAY_FIRST_DATE.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := ISO_DATE.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        return None, "is not in the form DD/MM/YYYY or YYYY-MM-DD"
    try:
        born = date(year, month, day)
    except ValueError:
        return None, "is not a real date"
    today = timezone.localdate()
    if born >= today:
        return None, "is not in the past"
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not YOUNGEST_AGE <= age <= OLDEST_AGE:
        return None, f"makes the pupil {age} years old; pupils must be {YOUNGEST_AGE} to {OLDEST_AGE}"
    return born, ""
