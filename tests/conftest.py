import ast
import binascii
import os
import re
import warnings
from functools import cache
from pathlib import Path

import pytest
import time_machine
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from safeguarding import access
from safeguarding.models import Role

from .factories import MembershipFactory, SchoolFactory, UserFactory
from .smtp import mail_server  # noqa: F401  (a fixture: a real SMTP server on loopback, for every test module)

# Demo TOTP secret from CONTRACT.md, as hex for django-otp.
TOTP_SECRET_BASE32 = "JBSWY3DPEHPK3PXP"
TOTP_KEY_HEX = binascii.hexlify(__import__("base64").b32decode(TOTP_SECRET_BASE32)).decode()


def current_code(secret_base32: str = TOTP_SECRET_BASE32) -> str:
    """The code an authenticator app shows now for `secret_base32`."""
    from django_otp.oath import TOTP

    return f"{TOTP(__import__('base64').b32decode(secret_base32)).token():06d}"


@pytest.fixture
def school(db):
    return SchoolFactory(name="West Park School")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="Riverside Academy")


def person(*roles, school, username=None, **fields):
    """A person holding `roles` at `school` (a trust role takes the school's trust)."""
    user = UserFactory(**({"username": username} if username else {}), **fields)
    for role in roles:
        if role in (Role.TRUST_SAFEGUARDING_LEAD, Role.TRUST_TRUSTEE):
            MembershipFactory(user=user, school=None, trust=school.trust, role=role)
        else:
            MembershipFactory(user=user, school=school, role=role)
    return user


@pytest.fixture
def make_person(db):
    """A person holding `roles` at `school` (a trust role takes the school's trust): `person`, with the database."""
    return person


def kept_for_the_module(django_db_blocker, make):
    """For a module-scoped fixture: `yield from` it to make records once for all of a module's tests.

    `make()` runs inside a transaction that stays open until the module's last test is done and is then rolled back,
    so no other module ever sees the records. Each test still runs in a savepoint inside it (pytest-django's `db`,
    as django.test.TestCase does after setUpTestData), so what one test writes is undone before the next. Hand each
    test a deep copy of any model instances (as TestCase does) so that none sees another's changes in memory.
    Not for a module with transactional tests: their flush would empty the transaction's tables.
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        kept = transaction.atomic()
        kept.__enter__()
        try:
            made = make()
        except BaseException:
            transaction.set_rollback(True)
            kept.__exit__(None, None, None)
            raise
    try:
        yield made
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            kept.__exit__(None, None, None)


def sign_in(client, user):
    """Signs `user` in on the test client, passing the second factor where their role needs it."""
    client.force_login(user)
    access.forget_grants(user)
    if access.requires_two_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="Test authenticator", defaults={"key": TOTP_KEY_HEX, "confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def signed_in(client):
    def do(user):
        return sign_in(client, user)

    return do


def pytest_runtest_setup(item):
    """Each test starts with the process's cache empty: ids are reused after a test's transaction is rolled back, so
    a count kept under one test's queue token could otherwise answer for another's. A hook, not an autouse fixture,
    so it sits outside the clock checks below: emptying the cache reads no clock."""
    from django.core.cache import cache

    cache.clear()


def pytest_collection_modifyitems(config, items):
    """Browser tests need a Chromium on the machine; without one they are skipped, unless E2E_REQUIRED=1.
    With --clock-sensitive-only, the tests no clock but their own reaches are left out (see below)."""
    from .e2e.browser import chromium_path

    if config.getoption("clock_sensitive_only"):
        _leave_out_the_frozen(config, items)
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
    if chromium_path():
        return
    if os.environ.get("E2E_REQUIRED") == "1":
        return  # the browser fixture fails loudly instead
    skip = pytest.mark.skip(reason="no Chromium found (install chromium or set CHROMIUM_PATH); browser tests skipped")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


# Tests that no clock but their own reaches (issue 10; .ci/run).
#
# CI runs the suite under libfaketime at four instants. Libfaketime moves the process clock; time-machine replaces,
# for as long as it travels, every clock Python reads (time.time and time_ns, localtime, gmtime, strftime,
# datetime.now, date.today...) with the travel's destination (plus the seconds since, if it ticks). A test that runs
# inside a travel from before the first of the suite's fixtures until its end therefore computes the same at any
# instant, provided nothing reads another clock: the app asks the database for no time and reads no clock at import
# (APP_DB_CLOCK and _app_reads_another_clock), and the test's module and the suite's modules it imports read none at
# import either. Such a test is found by an autouse fixture calling time_machine.travel, in its module or in a
# conftest.py above it; one that uses a session-scoped fixture of the suite's is not taken for one.
#
# With --clock-sensitive-only those tests are left out; CI passes it at the instants after the first, so they run
# under faketime once, and under the real clock on SQLite and PostgreSQL. Every run that includes them checks that
# the clock is travelling as each of the suite's own fixtures they use (but the freezing ones) is set up, and as the
# test's body starts and ends: a test wrongly taken for one fails there rather than going untested at the instants.

TESTS = Path(__file__).resolve().parent
APP_PACKAGES = ("safeguarding", "concerns", "staff_allegations", "contacts")
# The database's own clock: Django's Now(), SQL's CURRENT_TIMESTAMP and friends, SQLite's 'now', PostgreSQL's now().
APP_DB_CLOCK = re.compile(r"\bNow\(|\bCURRENT_(?:TIMESTAMP|DATE|TIME)\b|\(\s*'now'|(?<![.\w])now\(\)")
# Calls that read the clock (bare now, localdate and localtime as imported from django.utils.timezone).
CLOCK_CALLS = {
    *(f"{module}.{name}" for module in ("date", "datetime.date") for name in ("today",)),
    *(f"{module}.{name}" for module in ("datetime", "datetime.datetime") for name in ("now", "utcnow", "today")),
    *(f"{prefix}{name}" for prefix in ("timezone.", "") for name in ("now", "localdate", "localtime")),
    *(f"time.{name}" for name in ("time", "time_ns", "localtime", "gmtime", "strftime", "ctime", "asctime")),
}


def pytest_addoption(parser):
    parser.addoption(
        "--clock-sensitive-only",
        action="store_true",
        default=False,
        help="leave out the tests that travel with time-machine throughout, which no process clock reaches "
        "(tests/conftest.py says how they are found and checked)",
    )


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _is_autouse_fixture(node: ast.FunctionDef) -> bool:
    return any(
        isinstance(decorator, ast.Call)
        and _dotted(decorator.func) in ("pytest.fixture", "fixture")
        and any(
            k.arg == "autouse" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in decorator.keywords
        )
        for decorator in node.decorator_list
    )


@cache
def _parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


@cache
def _freezing_fixtures(path: Path) -> tuple[str, ...]:
    """The autouse fixtures defined in `path` that travel with time-machine."""
    if not path.exists():
        return ()
    return tuple(
        node.name
        for node in _parsed(path).body
        if isinstance(node, ast.FunctionDef)
        and _is_autouse_fixture(node)
        and any(isinstance(n, ast.Call) and _dotted(n.func) == "time_machine.travel" for n in ast.walk(node))
    )


class _ImportTimeClockReads(ast.NodeVisitor):
    """Finds the clock reads a module makes when imported: anywhere but inside a function's or a lambda's body."""

    def __init__(self) -> None:
        self.lines: list[int] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.visit(default)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.visit(default)

    def visit_Call(self, node: ast.Call) -> None:
        if _dotted(node.func) in CLOCK_CALLS:
            self.lines.append(node.lineno)
        self.generic_visit(node)


def _suite_imports(path: Path) -> set[Path]:
    """The files of the suite's own modules that the module at `path` imports."""
    found = set()
    for node in ast.walk(_parsed(path)):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] == "tests"):
            base = path.parents[node.level - 1] if node.level else TESTS.parent
            target = base.joinpath(*(node.module or "").split("."))
            candidates = [
                target.with_suffix(".py"),
                target / "__init__.py",
                *(target / f"{a.name}.py" for a in node.names),
            ]
        elif isinstance(node, ast.Import):
            candidates = [TESTS.parent.joinpath(*a.name.split(".")).with_suffix(".py") for a in node.names]
        else:
            continue
        found |= {candidate for candidate in candidates if TESTS in candidate.parents and candidate.exists()}
    return found


@cache
def _reads_the_clock_on_import(path: Path) -> bool:
    """`path`, or a module of the suite it imports (and so on), reads the clock at import."""
    seen: set[Path] = set()
    todo = [path]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        visitor = _ImportTimeClockReads()
        visitor.visit(_parsed(module))
        if visitor.lines:
            return True
        todo += _suite_imports(module)
    return False


@cache
def _app_reads_another_clock() -> list[str]:
    """Where the app reads a clock time-machine does not move: the database's, or the process's as it is imported."""
    found = []
    for package in APP_PACKAGES:
        for path in sorted((TESTS.parent / package).rglob("*.py")):
            visitor = _ImportTimeClockReads()
            visitor.visit(_parsed(path))
            lines = enumerate(path.read_text().splitlines(), start=1)
            for number in sorted({*visitor.lines, *(n for n, line in lines if APP_DB_CLOCK.search(line))}):
                found.append(f"{path.relative_to(TESTS.parent)}:{number}")
    return found


@cache
def _module_freezers(path: Path) -> tuple[str, ...]:
    """The freezing autouse fixtures over every test of the module at `path`, or () if it is not one of those."""
    if TESTS not in path.parents or _reads_the_clock_on_import(path):
        return ()
    names = list(_freezing_fixtures(path))
    for folder in path.parents:
        names += _freezing_fixtures(folder / "conftest.py")
        if folder == TESTS:
            break
    return tuple(names)


def _ours(fixturedef) -> bool:
    """The fixture is the suite's own, not a plugin's."""
    return getattr(fixturedef.func, "__module__", "").split(".")[0] == "tests"


def frozen_throughout(item) -> tuple[str, ...]:
    """The fixtures that freeze the clock for all of `item`, or () if some of it may see the process clock. A test
    that uses a session-scoped fixture of the suite's is not one: the fixture may have been made outside its travel,
    and pytest does not call this conftest's hooks as it sets up a session-scoped fixture, so no check would see."""
    if not isinstance(item, pytest.Function):
        return ()
    if (found := _frozen.get(item.nodeid)) is None:
        defs = item._fixtureinfo.name2fixturedefs.values()
        session_wide = any(d and _ours(d[-1]) and d[-1].scope == "session" for d in defs)
        freezers = () if session_wide else _module_freezers(Path(item.path))
        found = _frozen[item.nodeid] = tuple(name for name in freezers if name in item.fixturenames)
    return found


_frozen: dict[str, tuple[str, ...]] = {}


def _leave_out_the_frozen(config, items):
    if found := _app_reads_another_clock():
        warnings.warn(
            "--clock-sensitive-only leaves nothing out: the app reads a clock time-machine does not move (the "
            "database's, or the process's at import) at " + ", ".join(found),
            stacklevel=1,
        )
        return
    frozen = [item for item in items if frozen_throughout(item)]
    if frozen:
        config.hook.pytest_deselected(items=frozen)
        items[:] = [item for item in items if not frozen_throughout(item)]


_running: dict[str, pytest.Item] = {}
# Whether the clock was travelling when each of the suite's fixtures was last set up (by id of its FixtureDef).
_set_up_travelling: dict[int, bool] = {}


def _check_travelling(item, when: str, travelling: bool | None = None) -> None:
    if travelling is None:
        travelling = time_machine.escape_hatch.is_travelling()
    if not travelling:
        pytest.fail(
            f"{item.nodeid} is left out under --clock-sensitive-only as a test that travels with time-machine "
            f"throughout ({', '.join(frozen_throughout(item))}), but the clock was not travelling {when}. Make the "
            "travel cover all of it (a fixture of wider scope needs a travel of that scope); a test that must see "
            "the process clock belongs in a module without an autouse travel (tests/conftest.py).",
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _running["item"] = item
    try:
        return (yield)
    finally:
        _running.pop("item", None)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if _ours(fixturedef):
        _set_up_travelling[id(fixturedef)] = time_machine.escape_hatch.is_travelling()
        item = _running.get("item")
        if item is not None and (freezers := frozen_throughout(item)) and fixturedef.argname not in freezers:
            _check_travelling(item, f"when its fixture {fixturedef.argname!r} was set up")
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    if freezers := frozen_throughout(item):
        _check_travelling(item, "when it started")
        # A fixture of wider scope may have been set up for an earlier test, outside this one's travel.
        for name, defs in item._fixtureinfo.name2fixturedefs.items():
            if name not in freezers and defs and _ours(defs[-1]) and defs[-1].scope != "function":
                travelling = _set_up_travelling.get(id(defs[-1]), True)
                _check_travelling(item, f"when its {defs[-1].scope}-scoped fixture {name!r} was set up", travelling)
    result = yield
    if frozen_throughout(item):
        _check_travelling(item, "when it ended")
    return result
