"""Issue 10: the suite passes at any hour of any day, so no test reads the wall clock by accident.

A test that reads the clock (`date.today()`, `datetime.now()`, `timezone.now()`, or `timezone.localdate()` and
`timezone.localtime()` with no argument) runs on a clock it set: its module travels with time-machine, or has a
`clock` fixture that patches `timezone.now`, or the conftest.py beside it freezes time for every test. A read that
must see the real clock says why on its own line: `# real clock: <reason>`.

This cannot catch a test that leaves the clock to the app (a fixed date that is "in the future" in August, say);
running the suite under faketime at awkward instants does (see issue 10).
"""

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).parent

# Files still to be frozen (none now): the list can only shrink.
KNOWN_UNFROZEN: set[str] = set()

CLOCK_READ = re.compile(
    r"\bdate\.today\(|\bdatetime\.now\(|\btimezone\.now\(|\btimezone\.localdate\(\s*\)|\btimezone\.localtime\(\s*\)"
)
REAL_CLOCK = "# real clock:"


def freezes_time(source: str) -> bool:
    """The module travels with time-machine, or has a `clock` fixture that patches timezone.now."""
    return "time_machine.travel" in source or ("def clock(" in source and 'timezone.now"' in source)


def conftest_freezes_time(folder: Path) -> bool:
    """The conftest.py beside a module freezes time for every test in it (an autouse fixture)."""
    conftest = folder / "conftest.py"
    if not conftest.exists():
        return False
    source = conftest.read_text()
    return "autouse=True" in source and "time_machine.travel" in source


def unfrozen_reads(source: str) -> list[tuple[int, str]]:
    """The lines of `source` that read the clock with nothing frozen and no reason given: (line number, line)."""
    if freezes_time(source):
        return []
    return [
        (number, line.strip())
        for number, line in enumerate(source.splitlines(), start=1)
        if CLOCK_READ.search(line) and REAL_CLOCK not in line
    ]


def test_no_test_reads_the_wall_clock_unfrozen():
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        name = path.relative_to(TESTS).as_posix()
        if path == Path(__file__) or name in KNOWN_UNFROZEN or conftest_freezes_time(path.parent):
            continue
        found += [f"tests/{name}:{number}: {line}" for number, line in unfrozen_reads(path.read_text())]
    if found:
        pytest.fail(
            "These read the wall clock with nothing frozen. Set the clock with time_machine.travel(..., tick=False), "
            "or say why it must be the real one with '# real clock: <reason>' on the line:\n" + "\n".join(found),
            pytrace=False,
        )


def test_the_allow_list_names_only_files_still_to_be_frozen():
    """A file comes off KNOWN_UNFROZEN once it is frozen, or gone."""
    paths = {name: TESTS / name for name in KNOWN_UNFROZEN}
    done = sorted(name for name, path in paths.items() if not path.exists() or not unfrozen_reads(path.read_text()))
    assert done == [], "take these off KNOWN_UNFROZEN"


def test_the_scan_finds_an_unmarked_read_and_spares_a_frozen_module_or_a_reason():
    read = "from django.utils import timezone\n\ndef test_it():\n    assert timezone.localdate()\n"
    assert unfrozen_reads(read) == [(4, "assert timezone.localdate()")]
    assert unfrozen_reads(read.replace("()\n", "()  # real clock: only that it runs\n")) == []
    assert unfrozen_reads("import time_machine\n\nwith time_machine.travel(NOW):\n    date.today()\n") == []
    assert unfrozen_reads("x = timezone.localtime(moment)\ny = datetime(2026, 12, 2).date()\n") == []
