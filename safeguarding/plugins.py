"""Where the feature apps plug into the core.

The core stands below the apps: nothing in safeguarding/ (outside settings.py, urls.py and reports/) imports
concerns, contacts or staff_allegations (tests/test_layering.py). What the core asks of them, each app registers
here from its AppConfig.ready():

- its links in the menu (`add_menu_entry`), which access.navigation puts among the core's own by `position`;
- the cover rota (`register_cover_rota`), which access.is_on_cover asks (R22);
- the safeguarding team for the home page (`register_safeguarding_team`);
- its steps of the demo (`add_demo_step`), which safeguarding/demo.py runs by `position`;
- its records at volume (`add_volume_step`), which generate_volume runs for each fictional school it builds.

Today's menu, by position: 10 Alert queue, 20 My concerns (concerns), 30 Staff concerns (staff_allegations),
40 Pupils, 45 Pupil roll (concerns), 50 Key contacts (contacts), 60 Audit log, 70 Reports, 80 Administration (the
core's).
Today's demo, after the school and its accounts, by position: 10 the levels of need (concerns), 20 the key
contacts (contacts), 30 the pupils (concerns), 40 the terms and the past terms' history (the core's reports),
50 the concerns of this week (concerns: they happen on a school day, so after the terms).

Registering again is harmless: an entry is kept by its name, so registering it a second time replaces it. When
an app is not installed, the core goes without what it would have given: no links of its own, nobody on cover,
no team on the home page, no demo step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from .models import School, Trust


@dataclass(frozen=True)
class MenuEntry:
    """One link in the menu.

    `offer(user)` answers None when the person may not use the link (it asks access.py, the one rule book), else
    the number on the link's badge (0: no badge). `poll_url_name` names the address static/js/live-alerts.js asks
    to keep the badge up to date, for the one link whose badge is live (the alert queue, R19)."""

    position: int
    label: str
    url_name: str
    offer: Callable[[Any], int | None]
    poll_url_name: str = ""


def offered_if(allowed: bool) -> int | None:
    """The `offer` of a link without a badge: shown (badge 0) when allowed, else not offered."""
    return 0 if allowed else None


@dataclass(frozen=True)
class DemoSite:
    """What a demo step is given: the demo school and trust, and the email domain every demo account carries."""

    school: School
    trust: Trust
    email_domain: str


@dataclass(frozen=True)
class DemoStep:
    """One step of load_demo. `run` must be safe to run again, and answers what it added, by name."""

    position: int
    name: str
    run: Callable[[DemoSite], Mapping[str, int]]


@dataclass(frozen=True)
class VolumeSite:
    """What a volume step is given: one fictional school of generate_volume, its accounts, its terms (oldest
    first) and a seed, so the same arguments always build the same records."""

    school: School
    dsl: Any
    head: Any
    teacher: Any
    terms: Sequence[Any]
    seed: int


@dataclass(frozen=True)
class VolumeStep:
    """One step of generate_volume for one school; `run` answers what it added, by name."""

    name: str
    run: Callable[[VolumeSite], Mapping[str, int]]


CoverRota = Callable[..., bool]
"""`(*, user, school, ending_after) -> bool`: whether the person has a shift on the school's cover rota that ends
after the moment given."""

SafeguardingTeam = Callable[["School"], Sequence[Any]]
"""`(school) -> contacts`: the DSL and deputies as the school publishes them (each with name, role and phone)."""

_menu: dict[str, MenuEntry] = {}  # by url_name
_demo_steps: dict[str, DemoStep] = {}  # by name
_volume_steps: dict[str, VolumeStep] = {}  # by name
_answers: dict[str, Callable[..., Any]] = {}  # "cover_rota", "safeguarding_team": one each


def add_menu_entry(entry: MenuEntry) -> None:
    _menu[entry.url_name] = entry


def menu_entries() -> list[MenuEntry]:
    return sorted(_menu.values(), key=lambda entry: entry.position)


def add_demo_step(step: DemoStep) -> None:
    _demo_steps[step.name] = step


def demo_steps() -> list[DemoStep]:
    return sorted(_demo_steps.values(), key=lambda step: step.position)


def add_volume_step(step: VolumeStep) -> None:
    _volume_steps[step.name] = step


def volume_steps() -> list[VolumeStep]:
    return list(_volume_steps.values())


def register_cover_rota(has_shift: CoverRota) -> None:
    _answers["cover_rota"] = has_shift


def has_cover_shift(*, user, school: School, ending_after: datetime) -> bool:
    """The registered rota's answer; without a rota, nobody has a shift."""
    has_shift = _answers.get("cover_rota")
    return has_shift is not None and has_shift(user=user, school=school, ending_after=ending_after)


def register_safeguarding_team(team: SafeguardingTeam) -> None:
    _answers["safeguarding_team"] = team


def safeguarding_team(school: School) -> list[Any]:
    """Who to tell about a worry at the school; nobody listed when no app publishes the team."""
    team = _answers.get("safeguarding_team")
    return list(team(school)) if team is not None else []
