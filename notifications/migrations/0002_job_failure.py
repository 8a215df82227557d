from django.db import migrations, models


def reasons_to_failures(apps, schema_editor):
    # A reason stored as text before becomes a one-part failure; translating a message id
    # that is not in the catalog gives the text back unchanged.
    Job = apps.get_model("notifications", "Job")
    for job in Job.objects.exclude(error="").only("id", "error").iterator():
        Job.objects.filter(pk=job.pk).update(failure=[[job.error, {}]])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="job",
            name="failure",
            field=models.JSONField(blank=True, default=list, verbose_name="reason"),
        ),
        migrations.RunPython(reasons_to_failures, migrations.RunPython.noop),
        migrations.RemoveField(model_name="job", name="error"),
    ]
