"""What the adults' register gives the core (safeguarding/plugins.py), registered from its AppConfig.ready()."""

from __future__ import annotations

from safeguarding import access, plugins


def register() -> None:
    plugins.add_menu_entry(plugins.MenuEntry(30, "Staff concerns", "staff_allegations:list", _staff_concerns))
    plugins.add_volume_step(plugins.VolumeStep("adult cases", _volume_cases))


def _staff_concerns(user) -> int | None:
    from .selectors import open_case_count

    if not any(access.can_use_adult_register(user, s) for s in access.schools_for(user)):
        return None
    # Only the person's own open cases: never a count that includes a case about them (R61).
    return open_case_count(user=user)


def _volume_cases(site: plugins.VolumeSite) -> dict[str, int]:
    from .volume import add_cases

    return add_cases(site)
