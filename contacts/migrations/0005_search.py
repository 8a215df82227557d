"""The Contatos list's search: search_text filled for existing contacts by the contacts' row
rule, the list's order index carrying it, and on PostgreSQL a pg_trgm GIN index (the
extension comes with the clients' search, clients 0004) — the clients' approach."""

import clients.models
from django.db import migrations, models


def fill_search_text(apps, schema_editor):
    from contacts.services import contact_search_text

    Contact = apps.get_model("contacts", "Contact")
    batch = []
    for contact in Contact.objects.only("name", "email").iterator(chunk_size=2000):
        contact.search_text = contact_search_text(name=contact.name, email=contact.email)
        batch.append(contact)
        if len(batch) == 2000:
            Contact.objects.bulk_update(batch, ["search_text"])
            batch = []
    Contact.objects.bulk_update(batch, ["search_text"])


def finer_statistics(apps, schema_editor):
    # As for the clients: a finer histogram tells a rare word (use the trigram index) from
    # a common one (walk the list's order).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE contacts_contact ALTER COLUMN search_text SET STATISTICS 1000"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0005_search_indexes_in_state"),
        ("contacts", "0004_client_optional"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                fields=["organization", "name", "id"],
                include=("search_text",),
                name="contact_org_name_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=clients.models.PostgreSQLOnlyGinIndex(
                fields=["search_text"], name="contact_search_trgm_idx", opclasses=["gin_trgm_ops"]
            ),
        ),
        migrations.RunPython(finer_statistics, migrations.RunPython.noop),
    ]
