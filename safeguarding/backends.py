"""Django permissions derived from roles, for the one place that uses Django permissions: the IT admin's /admin/.

Django's own permission model (per-user and per-group grants) would have to be kept in step with memberships by
hand; here a person holding the IT administrator role has exactly the permissions below, and loses them with
the role. No other role has any admin permission.
"""

from django.contrib.auth.backends import BaseBackend

from . import access
from .models import Role

IT_ADMIN_PERMISSIONS = frozenset(
    f"{app_label}.{action}_{model}"
    for app_label, model, actions in (
        ("safeguarding", "user", ("add", "change", "view")),
        ("safeguarding", "school", ("add", "change", "view")),
        ("safeguarding", "trust", ("add", "change", "view")),
        ("safeguarding", "membership", ("add", "change", "delete", "view")),
        ("safeguarding", "term", ("add", "change", "delete", "view")),
        ("safeguarding", "insetday", ("add", "change", "delete", "view")),
        ("otp_totp", "totpdevice", ("view", "delete")),
        ("axes", "accessattempt", ("view", "delete")),
        # Reference data, not records: the levels of need change when the partnership's thresholds do (decision 7).
        ("concerns", "levelofneed", ("add", "change", "view")),
    )
    for action in actions
)


class RolePermissionBackend(BaseBackend):
    """Grants admin permissions by role; authenticates nobody."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or obj is not None:
            return set()
        return set(IT_ADMIN_PERMISSIONS) if Role.IT_ADMIN in access.roles(user_obj) else set()

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
