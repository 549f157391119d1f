from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = "Concerns about children"
    default_auto_field = "django.db.models.BigAutoField"
