"""The core stands below the apps (issue 11, item 2).

Nothing in safeguarding/ imports a feature app, except the URL map, the settings and the trustees' reports (which
count what each app holds); concerns imports nothing of staff_allegations, and contacts no other app. What the
core needs of an app, the app registers in safeguarding/plugins.py. The imports are read with `ast`, wherever they
are in a file (inside a function too), relative ones resolved, and so are import_module("...") calls.
"""

from __future__ import annotations

import ast
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from safeguarding import access, plugins

ROOT = Path(__file__).resolve().parent.parent
FEATURE_APPS = ("concerns", "contacts", "staff_allegations")
MORNING = datetime(2027, 3, 10, 9, 30, tzinfo=ZoneInfo("Europe/London"))  # a Wednesday in term

# Which packages each part of the code may not reach, the files of it that may, and why.
RULES = {
    "safeguarding": {
        "forbidden": FEATURE_APPS,
        "allowed": (
            "safeguarding/urls.py",
            "safeguarding/settings.py",
            "safeguarding/reports/",
            "safeguarding/migrations/",
        ),
        "why": "the core stands below the apps: an app registers what the core needs in safeguarding/plugins.py",
    },
    "concerns": {
        "forbidden": ("staff_allegations",),
        "allowed": (),
        "why": "the children's records know nothing of the walled-off register of concerns about adults",
    },
    "contacts": {
        "forbidden": ("concerns", "staff_allegations"),
        "allowed": (),
        "why": "the directory is what the other apps read, never the other way round",
    },
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module the file imports, with its line: `import a.b`, `from a import b` (as a and a.b), relative
    imports resolved against the file's package, and importlib.import_module / __import__ with a literal name."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def reaches(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(app: str) -> list[str]:
    """`path:line imports module` for each import line of the app that reaches a package forbidden to it."""
    rule = RULES[app]
    found: dict[tuple[str, int], str] = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if any(relative == allowed or relative.startswith(allowed) for allowed in rule["allowed"]):
            continue
        for line, module in imported_modules(path):
            if not any(reaches(module, package) for package in rule["forbidden"]):
                continue
            # One report a line, naming the module the statement imports from (the shortest that reaches).
            if (relative, line) not in found or len(module) < len(found[relative, line]):
                found[relative, line] = module
    return [f"{path}:{line} imports {module}" for (path, line), module in sorted(found.items())]


def test_the_walk_sees_every_kind_of_import(tmp_path, monkeypatch):
    """The reader itself: module level, inside a function, relative and dynamic imports are all seen."""
    monkeypatch.setattr("tests.test_layering.ROOT", tmp_path)
    package = tmp_path / "safeguarding" / "sub"
    package.mkdir(parents=True)
    source = package / "thing.py"
    source.write_text(
        "import concerns.models\n"
        "from contacts import selectors\n"
        "from .. import plugins\n"
        "from ..models import School\n"
        "def later():\n"
        "    from staff_allegations.selectors import open_case_count\n"
        "    import importlib\n"
        "    importlib.import_module('concerns.selectors')\n"
    )
    modules = {module for _, module in imported_modules(source)}
    assert {"concerns.models", "contacts", "contacts.selectors", "safeguarding.plugins"} <= modules
    assert {"safeguarding.models", "safeguarding.models.School", "staff_allegations.selectors"} <= modules
    assert "concerns.selectors" in modules
    assert violations("safeguarding") == [
        "safeguarding/sub/thing.py:1 imports concerns.models",
        "safeguarding/sub/thing.py:2 imports contacts",
        "safeguarding/sub/thing.py:6 imports staff_allegations.selectors",
        "safeguarding/sub/thing.py:8 imports concerns.selectors",
    ]


@pytest.mark.parametrize("app", sorted(RULES))
def test_no_import_reaches_a_forbidden_app(app):
    found = violations(app)
    rule = RULES[app]
    assert not found, f"{app} must not import {', '.join(rule['forbidden'])} ({rule['why']}):\n  " + "\n  ".join(found)


# --- The plug-in point -------------------------------------------------------------------------------------------


def service_stages() -> list[str]:
    """The stage modules in the order concerns/services/__init__.py lists them."""
    doc = ast.get_docstring(ast.parse((ROOT / "concerns/services/__init__.py").read_text())) or ""
    return [line.split("`")[1] for line in doc.splitlines() if line.startswith("- `")]


def test_each_stage_of_the_services_imports_only_the_stages_before_it():
    """The stages import one way, as the package's docstring lists them, so none can make a cycle."""
    stages = service_stages()
    on_disk = sorted(p.stem for p in (ROOT / "concerns/services").glob("*.py") if p.stem != "__init__")
    assert sorted(stages) == on_disk, "concerns/services/__init__.py lists every stage module, once"
    wrong = []
    for index, stage in enumerate(stages):
        path = ROOT / "concerns/services" / f"{stage}.py"
        for line, module in imported_modules(path):
            other = module.removeprefix("concerns.services.").split(".")[0]
            if module.startswith("concerns.services.") and other in stages and stages.index(other) >= index:
                wrong.append(f"concerns/services/{stage}.py:{line} imports {module}, listed after it")
    assert not wrong, "\n".join(wrong)


def test_the_menu_keeps_its_order_and_labels():
    entries = sorted((*plugins.menu_entries(), *access.CORE_MENU), key=lambda entry: entry.position)
    assert [entry.label for entry in entries] == [
        "Alert queue",
        "My concerns",
        "Staff concerns",
        "Pupils",
        "Pupil roll",
        "Key contacts",
        "Audit log",
        "Reports",
        "Administration",
    ]


def test_the_demo_runs_its_steps_in_order():
    """The school and accounts first (load_demo), then these; the concerns come after the terms they fall in."""
    from safeguarding.demo import CORE_DEMO_STEPS

    steps = sorted((*plugins.demo_steps(), *CORE_DEMO_STEPS), key=lambda step: step.position)
    assert [step.name for step in steps] == [
        "levels of need",
        "key contacts",
        "pupils",
        "terms and reports",
        "concerns",
    ]


def test_registering_again_changes_nothing():
    from concerns import plugins as concerns_plugins
    from contacts import plugins as contacts_plugins
    from staff_allegations import plugins as staff_plugins

    before = (plugins.menu_entries(), plugins.demo_steps(), dict(plugins._answers))
    for app in (concerns_plugins, contacts_plugins, staff_plugins):
        app.register()
    after = (plugins.menu_entries(), plugins.demo_steps(), dict(plugins._answers))
    assert [e.url_name for e in after[0]] == [e.url_name for e in before[0]]
    assert [s.name for s in after[1]] == [s.name for s in before[1]]
    assert after[2].keys() == before[2].keys()


@pytest.mark.django_db
def test_without_the_apps_the_core_goes_without(monkeypatch, school, make_person):
    """No rota registered: nobody is on cover, even with a shift in the table. No directory: no team on the home
    page. No app: only the core's links."""
    from concerns.models import CoverShift
    from safeguarding.models import Role

    dsl = make_person(Role.DSL, school=school)
    staff = make_person(Role.STAFF, school=school)
    with time_machine.travel(MORNING, tick=False):
        CoverShift.objects.create(school=school, user=staff, starts_at=MORNING, ends_at=MORNING + timedelta(hours=8))
        assert access.is_on_cover(staff, school)
        monkeypatch.setattr(plugins, "_menu", {})
        monkeypatch.setattr(plugins, "_answers", {})
        assert not access.is_on_cover(staff, school)
        assert plugins.safeguarding_team(school) == []
        assert [item.label for item in access.navigation(dsl)] == ["Audit log", "Reports"]
