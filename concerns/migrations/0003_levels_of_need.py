"""The Derby and Derbyshire levels of need (R27), as reference data the admin can edit (decision 7)."""

from django.db import migrations

LEVELS = [
    ("information_only", "Information only: no further action", "Recorded for the file; nothing more is needed now.", 0, False),
    (
        "level_1",
        "Level 1: Low-level needs (universal services)",
        "Needs met by universal services and the school's pastoral support.",
        1,
        False,
    ),
    (
        "level_2",
        "Level 2: Emerging needs (early help)",
        "Early help: an Early Help Assessment and Team Around the Family; in Derby a Vulnerable Children Meeting.",
        2,
        False,
    ),
    (
        "level_3",
        "Level 3: Complex needs (targeted support or child in need)",
        "Targeted early help or children's social care: a child in need under section 17 of the Children Act 1989.",
        3,
        False,
    ),
    (
        "level_4",
        "Level 4: Serious or acute needs (child protection)",
        "Children's social care: the child is suffering, or likely to suffer, significant harm (section 47).",
        4,
        True,
    ),
]


def add_levels(apps, schema_editor):
    LevelOfNeed = apps.get_model("concerns", "LevelOfNeed")
    for code, label, description, order, is_cp in LEVELS:
        LevelOfNeed.objects.update_or_create(
            code=code,
            defaults={"label": label, "description": description, "order": order, "is_child_protection": is_cp},
        )


class Migration(migrations.Migration):
    dependencies = [("concerns", "0002_triage_decisions_chronology")]

    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
