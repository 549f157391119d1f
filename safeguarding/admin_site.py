"""The admin site class, kept apart from admin.py so Django can import it before any model admin registers."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import access


class SafeguardingAdminSite(admin.AdminSite):
    site_header = "Safeguarding records: administration"
    site_title = "Administration"
    index_title = "People, schools and roles"

    def has_permission(self, request) -> bool:
        user = request.user
        if not access.can_use_admin(user):
            return False
        return user.is_verified() or not access.requires_two_factor(user)

    def login(self, request, extra_context=None):
        """One sign-in page for the whole app (with its lockout and second factor).

        A signed-in person without admin rights gets the friendly 403 page; sending them to sign in again would
        loop between the admin and the sign-in page.
        """
        if request.user.is_authenticated:
            raise PermissionDenied
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(reverse("login") + "?" + urlencode({"next": next_url}))
