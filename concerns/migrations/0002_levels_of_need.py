"""The Derby and Derbyshire levels of need (R27), as reference data the admin can edit (decision 7)."""

from django.db import migrations


def add_levels(apps, schema_editor):
    from concerns.reference_data import ensure_levels_of_need

    ensure_levels_of_need(apps.get_model("concerns", "LevelOfNeed"))


class Migration(migrations.Migration):
    dependencies = [("concerns", "0001_initial")]

    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
