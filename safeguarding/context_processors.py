from . import access


def navigation(request):
    """The navigation each person sees: only what access.py lets them use, and nothing before the second factor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "signed_in": False}
    if access.requires_two_factor(user) and not user.is_verified():
        return {"nav_items": [], "signed_in": False}
    return {
        "nav_items": access.navigation(user),
        "nav_school": access.current_school(user),
        "signed_in": True,
        "can_raise": bool(access.raise_schools_for(user)),
    }
