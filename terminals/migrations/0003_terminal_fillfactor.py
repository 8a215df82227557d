from django.db import migrations


def set_fillfactor(apps, schema_editor):
    # Room on each page lets a heartbeat rewrite its row in place (a HOT update) instead of
    # touching every index of the table.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE terminals_terminal SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE terminals_terminal RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("terminals", "0002_alerts")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
