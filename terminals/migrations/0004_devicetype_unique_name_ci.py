import django.db.models.functions.text
from django.db import migrations, models


def rename_case_duplicates(apps, schema_editor):
    # Names that differ only in case were accepted by the old constraint; the new one refuses
    # them. Each later duplicate gets a numbered name instead of being merged, so no
    # terminal changes type and no reconnection procedure is lost.
    DeviceType = apps.get_model("terminals", "DeviceType")
    seen: set[tuple[int, str]] = set()
    for device_type in DeviceType.objects.order_by("organization_id", "id"):
        key = (device_type.organization_id, device_type.name.lower())
        if key not in seen:
            seen.add(key)
            continue
        number = 2
        while (device_type.organization_id, f"{device_type.name} ({number})".lower()) in seen:
            number += 1
        suffix = f" ({number})"
        device_type.name = device_type.name[: 120 - len(suffix)] + suffix
        seen.add((device_type.organization_id, device_type.name.lower()))
        device_type.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0001_initial"),
        ("terminals", "0003_terminal_fillfactor"),
    ]

    operations = [
        migrations.RunPython(rename_case_duplicates, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="devicetype",
            name="devicetype_unique_name",
        ),
        migrations.AddConstraint(
            model_name="devicetype",
            constraint=models.UniqueConstraint(
                models.F("organization"),
                django.db.models.functions.text.Lower("name"),
                name="devicetype_unique_name_ci",
                violation_error_message="A device type with this name already exists.",
            ),
        ),
    ]
