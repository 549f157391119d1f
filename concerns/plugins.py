"""What the concerns app gives the core (safeguarding/plugins.py), registered from ConcernsConfig.ready()."""

from __future__ import annotations

from safeguarding import access, plugins


def register() -> None:
    plugins.add_menu_entry(
        plugins.MenuEntry(10, "Alert queue", "concerns:queue", _alert_queue, poll_url_name="concerns:queue_poll")
    )
    plugins.add_menu_entry(plugins.MenuEntry(20, "My concerns", "concerns:my_concerns", _my_concerns))
    plugins.add_menu_entry(plugins.MenuEntry(40, "Pupils", "concerns:pupil_lookup", _pupil_lookup))
    plugins.add_menu_entry(plugins.MenuEntry(45, "Pupil roll", "concerns:pupil_import", _pupil_import))
    plugins.register_cover_rota(_has_cover_shift)
    plugins.add_demo_step(plugins.DemoStep(10, "levels of need", _demo_levels_of_need))
    plugins.add_demo_step(plugins.DemoStep(30, "pupils", _demo_pupils))
    # After the core's terms (40): the demo concerns happen on a school day.
    plugins.add_demo_step(plugins.DemoStep(50, "concerns", _demo_concerns))


def _alert_queue(user) -> int | None:
    """The queue of the first school whose queue the person watches, with the number waiting for them."""
    from .selectors import unacknowledged_count_for_user

    school = next((s for s in access.schools_for(user) if access.can_view_queue(user, s)), None)
    if school is None:
        return None
    # R19: the alert shows in the app on every page, not only by email.
    return unacknowledged_count_for_user(user=user, school=school)


def _my_concerns(user) -> int | None:
    return plugins.offered_if(bool(access.raise_schools_for(user)))


def _pupil_lookup(user) -> int | None:
    return plugins.offered_if(any(access.can_see_file_held(user, s) for s in access.schools_for(user)))


def _pupil_import(user) -> int | None:
    return plugins.offered_if(bool(access.pupil_import_schools_for(user)))


def _has_cover_shift(*, user, school, ending_after) -> bool:
    from .models import CoverShift

    return CoverShift.objects.filter(user=user, school=school, ends_at__gt=ending_after).exists()


def _demo_levels_of_need(site: plugins.DemoSite) -> dict[str, int]:
    from .models import LevelOfNeed
    from .reference_data import ensure_levels_of_need

    ensure_levels_of_need(LevelOfNeed)
    return {}


def _demo_pupils(site: plugins.DemoSite) -> dict[str, int]:
    from .demo_pupils import load_demo_pupils

    return {"pupils_added": load_demo_pupils(school=site.school)}


def _demo_concerns(site: plugins.DemoSite) -> dict[str, int]:
    from .demo_concerns import load_demo_concerns

    return {"concerns_added": load_demo_concerns(school=site.school)}
