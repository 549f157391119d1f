"""No module grows past 600 lines (issue 11): a module that long holds more than one subject, and is the place
every change collides. Migrations are written by Django and data tables are data; both are left out."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 600
PACKAGES = ("safeguarding", "concerns", "contacts", "staff_allegations", "tests", "bench")
# Data, not code: the school's published directory of key contacts, as the policy prints it.
DATA_TABLES = {"contacts/directory_data.py"}


def test_no_module_is_over_600_lines():
    too_long = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if "/migrations/" in name or name in DATA_TABLES:
                continue
            lines = len(path.read_text().splitlines())
            if lines > LIMIT:
                too_long.append(f"{name}: {lines} lines")
    assert not too_long, "Split these by subject (see docs/architecture.md):\n" + "\n".join(too_long)
