import uuid

from django.db import migrations


def add_memberships(apps, schema_editor):
    # Logins given before specialists became operators of their organization ended on "not
    # a member of any organization"; they get the membership a new login gets.
    Specialist = apps.get_model("specialists", "Specialist")
    Membership = apps.get_model("tenancy", "Membership")
    for organization_id, user_id in Specialist.objects.filter(user__isnull=False).values_list(
        "organization_id", "user_id"
    ):
        Membership.objects.get_or_create(
            organization_id=organization_id,
            user_id=user_id,
            defaults={"role": "operator", "code": uuid.uuid4()},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("specialists", "0003_data_model"),
        ("tenancy", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_memberships, migrations.RunPython.noop)]
