from django.contrib.admin import apps as admin_apps
from django.apps import AppConfig



class SafeguardingConfig(AppConfig):
    name = "safeguarding"
    verbose_name = "People, schools and roles"
    default_auto_field = "django.db.models.BigAutoField"


class SafeguardingAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that only the IT administrator may enter (see access.can_use_admin)."""

    default_site = "safeguarding.admin_site.SafeguardingAdminSite"
