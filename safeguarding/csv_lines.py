"""Reading a CSV export line by line, for every importer (the staff list, the pupil roll): the delimiter a
spreadsheet chose, the byte order mark Excel adds, line numbers as a person counts them (the header is line 1), and
a problem, not a crash, where the csv module gives up."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """Why the file can't be imported: on a line (the header is line 1), or of the whole file (`line` None)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


class Unreadable(Exception):
    """The csv module could not read a line; the reader's place in the file is uncertain after it, so nothing later
    can be trusted."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def csv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) for the header, then for every line with something in it (blank lines, and rows of empty
    cells that spreadsheets leave at the end, are skipped but counted). A first line with semicolons or tabs and no
    commas is read with those. Raises Unreadable where the csv module gives up."""
    text = text.removeprefix("\ufeff")  # Excel's "CSV UTF-8" starts with a byte order mark
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = True
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise Unreadable(Problem(line, f"could not be read as CSV ({error})")) from error
        if header or any(cell.strip() for cell in cells):
            header = False
            yield line, cells
