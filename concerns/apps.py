from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "concerns"
    verbose_name = "Concerns about children"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import plugins

        # What the core asks of this app (its links in the menu and the rest): safeguarding/plugins.py.
        plugins.register()
