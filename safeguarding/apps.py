from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SafeguardingConfig(AppConfig):
    name = "safeguarding"
    verbose_name = "People, schools and roles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.models import LogEntry
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from . import signals  # noqa: F401  (connects the append-only guard on saving and deleting one row)
        from .append_only import guard_third_party_model

        # The audit log is auditlog's model, so it cannot declare our append-only manager as the chronology and
        # the case record do; it is given one here, so LogEntry.objects.filter(...).update() is refused too.
        guard_third_party_model(LogEntry)

        # A two-factor device reset is a security event the DSL should see in their school's log; django-otp's
        # model cannot be given the method in the usual way, so it is attached here.
        TOTPDevice.get_additional_data = lambda device: device.user.get_additional_data()


class SafeguardingAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on a site that only the IT administrator may enter (see access.can_use_admin)."""

    default_site = "safeguarding.admin_site.SafeguardingAdminSite"
