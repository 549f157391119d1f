from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SafeguardingConfig(AppConfig):
    name = "safeguarding"
    verbose_name = "People, schools and roles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from . import signals  # noqa: F401  (connects the audit log's append-only guard)

        # A two-factor device reset is a security event the DSL should see in their school's log; django-otp's
        # model cannot be given the method in the usual way, so it is attached here.
        TOTPDevice.get_additional_data = lambda device: device.user.get_additional_data()


class SafeguardingAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that only the IT administrator may enter (see access.can_use_admin)."""

    default_site = "safeguarding.admin_site.SafeguardingAdminSite"
