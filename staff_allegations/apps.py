from django.apps import AppConfig


class StaffAllegationsConfig(AppConfig):
    name = "staff_allegations"
    verbose_name = "Concerns about adults"
    default_auto_field = "django.db.models.BigAutoField"
