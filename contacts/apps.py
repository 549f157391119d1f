from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "Key safeguarding contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import plugins

        # What the core asks of this app (its links in the menu and the rest): safeguarding/plugins.py.
        plugins.register()
