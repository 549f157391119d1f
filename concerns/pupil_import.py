"""Importing the school's roll from a school information system's CSV export.

The file has a header row, then one pupil a line. Headers are matched ignoring case and surrounding spaces;
columns with other headers are ignored, so a fuller export can be used as it is.

=====================  ========  ===========================================================================
header                 needed    what it holds
=====================  ========  ===========================================================================
UPN                    required  Unique pupil number: a letter and 12 digits, or 12 digits and a letter for a
                                 temporary UPN. Only the format is checked; it is stored in capitals.
Legal Surname          required  The surname on the child's legal record.
Legal Forename         required  The first name on the child's legal record.
Preferred Surname      optional  The surname the child uses, where it differs.
Preferred Forename     optional  The first name the child uses, where it differs.
Date of Birth          required  DD/MM/YYYY or YYYY-MM-DD. In the past, and making the child 3 to 25 years old.
Year                   required  National curriculum year, 7 to 13: "9", "Year 9" or "Y9".
Reg Group (or Form)    optional  Tutor group, e.g. 9W.
=====================  ========  ===========================================================================

All or nothing: every row is checked first, and a file with any problem imports nothing, so a half-imported
roll never leaves some children's details out of date. Each problem is reported with its line number (the
header is line 1). Pupils already on the school's records are matched by UPN and updated; the rest are added.
Pupils missing from the file are kept as they are (their records must stay); the result counts those on roll.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone

from safeguarding.models import School

from .models import Pupil

# Normalised header -> Pupil field.
HEADER_FIELDS = {
    "upn": "upn",
    "legal surname": "legal_last_name",
    "legal forename": "legal_first_name",
    "preferred surname": "preferred_last_name",
    "preferred forename": "preferred_first_name",
    "date of birth": "date_of_birth",
    "year": "year_group",
    "reg group": "form",
    "form": "form",
}
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
UPDATED_FIELDS = (*TEXT_FIELDS, "upn", "date_of_birth", "year_group")

UPN_FORMAT = re.compile(r"[A-Z][0-9]{12}|[0-9]{12}[A-Z]")
DAY_FIRST_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
YEAR_GROUP = re.compile(r"(?:year|yr|y)?\s*([0-9]{1,2})", re.IGNORECASE)
YEAR_GROUPS = range(7, 14)
YOUNGEST_AGE, OLDEST_AGE = 3, 25


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

    Existing pupils are matched by UPN, updated and put back on roll. Pupils not in the file are left alone.
    """
    rows, errors = _read_rows(file)
    if errors:
        return ImportResult(errors=errors)

    existing = {pupil.upn.upper(): pupil for pupil in Pupil.objects.filter(school=school)}
    to_create, to_update, unchanged = [], [], 0
    for line, values in rows:
        pupil = existing.get(values["upn"])
        if pupil is None:
            pupil = Pupil(school=school, **values)
            to_create.append(pupil)
        elif _apply(pupil, values):
            to_update.append(pupil)
        else:
            unchanged += 1
            continue
        try:
            pupil.full_clean()
        except ValidationError as error:
            errors.extend(_describe(error, line=line))
    if errors:
        return ImportResult(errors=errors)

    # Each pupil through save(), never bulk writes: the audit log records only what save() does.
    with transaction.atomic():
        for pupil in (*to_create, *to_update):
            pupil.save()

    in_file = {values["upn"] for _, values in rows}
    not_in_file = sum(1 for upn, pupil in existing.items() if pupil.on_roll and upn not in in_file)
    return ImportResult(created=len(to_create), updated=len(to_update), not_in_file=not_in_file, unchanged=unchanged)


def _read_rows(file: TextIO) -> tuple[list[tuple[int, dict]], list[str]]:
    """The file's pupils as (line number, Pupil field values), and every problem found on the way."""
    reader = csv.reader(file)
    try:
        header = next(reader)
    except StopIteration:
        return [], ["The file is empty: it needs a header row and a line for each pupil."]
    except csv.Error as error:
        return [], [f"line 1: could not be read as CSV ({error})"]

    columns, errors = _read_header(header)
    if errors:
        return [], errors

    rows: list[tuple[int, dict]] = []
    first_line_of_upn: dict[str, int] = {}
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            # The reader's place in the file is uncertain after this, so later lines can't be trusted.
            errors.append(f"line {line}: could not be read as CSV ({error})")
            break
        if not any(cell.strip() for cell in cells):
            continue  # blank lines and rows of empty cells, which spreadsheets leave at the end
        values, row_errors = _read_row(cells, columns=columns, width=len(header), line=line)
        errors.extend(row_errors)
        upn = values.get("upn")
        if upn and upn in first_line_of_upn:
            errors.append(f"line {line}: UPN '{upn}' is also on line {first_line_of_upn[upn]}")
        elif upn:
            first_line_of_upn[upn] = line
        if not row_errors:
            rows.append((line, values))
    if not rows and not errors:
        errors.append("The file has a header row but no pupils.")
    return rows, errors


def _read_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which column holds each Pupil field, and the header's problems."""
    if header:
        header[0] = header[0].removeprefix("\ufeff")  # Excel's "CSV UTF-8" starts with a byte order mark
    columns, errors = {}, []
    for index, text in enumerate(header):
        name = HEADER_FIELDS.get(" ".join(text.split()).lower())
        if name is None:
            continue
        if name in columns:
            errors.append(f"line 1: there is more than one {FIELD_LABELS[name]} column")
        columns[name] = index
    for name in REQUIRED_FIELDS:
        if name not in columns:
            errors.append(f"line 1: there is no {FIELD_LABELS[name]} column, which is required")
    return columns, errors


def _read_row(cells: list[str], *, columns: dict[str, int], width: int, line: int) -> tuple[dict, list[str]]:
    """One pupil's field values from a row, and the row's problems."""
    raw = {name: (cells[index].strip() if index < len(cells) else "") for name, index in columns.items()}
    values: dict[str, str | date | int | None] = {}
    errors: list[str] = []
    if any(cell.strip() for cell in cells[width:]):
        errors.append(
            f"line {line}: has {len(cells)} values but the header row has {width} columns "
            "(a name with a comma in it needs quotation marks)"
        )
    for name in REQUIRED_FIELDS:
        if not raw[name]:
            errors.append(f"line {line}: {FIELD_LABELS[name]} is empty")

    if raw["upn"]:
        upn = raw["upn"].upper()
        if UPN_FORMAT.fullmatch(upn):
            values["upn"] = upn
        else:
            errors.append(
                f"line {line}: UPN '{raw['upn']}' is not a letter and 12 digits "
                "(or 12 digits and a letter, for a temporary UPN)"
            )

    for name in TEXT_FIELDS:
        text = raw.get(name, "")
        model_field = Pupil._meta.get_field(name)
        # Each of TEXT_FIELDS is a CharField with a max_length.
        assert isinstance(model_field, models.CharField) and model_field.max_length is not None
        limit = model_field.max_length
        if len(text) > limit:
            errors.append(f"line {line}: {FIELD_LABELS[name]} is longer than {limit} characters")
        values[name] = text

    if raw["date_of_birth"]:
        born, problem = _date_of_birth(raw["date_of_birth"])
        if problem:
            errors.append(f"line {line}: Date of Birth '{raw['date_of_birth']}' {problem}")
        values["date_of_birth"] = born

    if raw["year_group"]:
        match = YEAR_GROUP.fullmatch(raw["year_group"])
        if not match:
            errors.append(f"line {line}: Year '{raw['year_group']}' is not a year group (write it as 9, Year 9 or Y9)")
        elif int(match[1]) not in YEAR_GROUPS:
            errors.append(f"line {line}: Year '{raw['year_group']}' is not one of Years 7 to 13")
        else:
            values["year_group"] = int(match[1])
    return values, errors


def _date_of_birth(text: str) -> tuple[date | None, str]:
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


def _apply(pupil: Pupil, values: dict) -> bool:
    """Copies the file's values onto an existing pupil and puts them on roll; True if anything changed."""
    changed = not pupil.on_roll or pupil.left_on is not None
    for name in UPDATED_FIELDS:
        if getattr(pupil, name) != values[name]:
            setattr(pupil, name, values[name])
            changed = True
    # Back in the information system's roll means back on ours: a leaving date no longer applies.
    pupil.on_roll, pupil.left_on = True, None
    return changed


def _describe(error: ValidationError, *, line: int) -> list[str]:
    """The model's own validation messages, worded like the importer's."""
    messages: list[str] = []
    for name, field_messages in error.message_dict.items():
        label = "" if name == NON_FIELD_ERRORS else f"{FIELD_LABELS.get(name, name)}: "
        messages.extend(f"line {line}: {label}{message.rstrip('.')}" for message in field_messages)
    return messages
