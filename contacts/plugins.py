"""What the key contacts directory gives the core (safeguarding/plugins.py), registered from its AppConfig.ready()."""

from __future__ import annotations

from safeguarding import access, plugins


def register() -> None:
    plugins.add_menu_entry(plugins.MenuEntry(50, "Key contacts", "contacts:directory", _directory))


def _directory(user) -> int | None:
    school = access.current_school(user)
    return plugins.offered_if(school is not None and access.can_view_contacts(user, school))
