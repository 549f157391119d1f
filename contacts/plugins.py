"""What the key contacts directory gives the core (safeguarding/plugins.py), registered from its AppConfig.ready()."""

from __future__ import annotations

from safeguarding import access, plugins


def register() -> None:
    plugins.add_menu_entry(plugins.MenuEntry(50, "Key contacts", "contacts:directory", _directory))
    plugins.register_safeguarding_team(_safeguarding_team)
    plugins.add_demo_step(plugins.DemoStep(20, "key contacts", _demo_directory))


def _directory(user) -> int | None:
    school = access.current_school(user)
    return plugins.offered_if(school is not None and access.can_view_contacts(user, school))


def _safeguarding_team(school):
    """The DSL and deputies as the school's directory gives them, for the home page."""
    from .models import Purpose
    from .selectors import contacts_for_purpose

    return contacts_for_purpose(school=school, purposes=[Purpose.DSL, Purpose.DEPUTY_DSL])


def _demo_directory(site: plugins.DemoSite) -> dict[str, int]:
    from .demo import load_demo_directory

    return {"contacts_added": load_demo_directory(school=site.school)}
