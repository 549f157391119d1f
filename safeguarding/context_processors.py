from . import access


def navigation(request):
    """The navigation each person sees: only what access.py lets them use, and nothing before the second factor.

    For someone offered a link with a live badge (the alert queue's, from the concerns app), `live_queue_url` marks
    that link, whose badge static/js/live-alerts.js keeps up to date from `live_poll_url` on every page (R19;
    issue 18, item 9)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "signed_in": False}
    # django-otp's middleware gives request.user `is_verified`; a person signed in during this very request (single
    # sign-on's callback) is a fresh object without it, and not yet verified.
    verified = getattr(user, "is_verified", None)
    if access.requires_two_factor(user) and not (verified and verified()):
        return {"nav_items": [], "signed_in": False}
    nav_items = access.navigation(user)
    live = next((item for item in nav_items if item.poll_url), None)
    return {
        "nav_items": nav_items,
        "nav_school": access.current_school(user),
        "nav_schools": access.schools_to_choose_from(user),
        "nav_backup_codes": access.requires_two_factor(user),
        "signed_in": True,
        "can_raise": bool(access.raise_schools_for(user)),
        "live_queue_url": live.url if live else "",
        "live_poll_url": live.poll_url if live else "",
    }
