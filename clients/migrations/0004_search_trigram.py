"""Fills search_text for existing clients and, on PostgreSQL only, indexes it: a pg_trgm GIN
index so that `search_text LIKE '%term%'` stays fast at millions of rows, and the list's
order index rebuilt to carry search_text (INCLUDE), so the page of a common word is found
by walking that index alone. SQLite keeps the same queries with the plain indexes (it has
no INCLUDE, and declaring it in the model would warn on every command there)."""

from django.db import migrations

TRIGRAM_INDEX = "client_search_trgm_idx"
ORDER_INDEX = "client_org_name_idx"
ORDER_COLUMNS = "organization_id, razao_social, id"


def fill_search_text(apps, schema_editor):
    from clients.search import client_search_text

    Client = apps.get_model("clients", "Client")
    batch = []
    for client in Client.objects.only(
        "cnpj", "razao_social", "nome_fantasia", "conta", "email_wvds"
    ).iterator(chunk_size=2000):
        client.search_text = client_search_text(
            cnpj=client.cnpj,
            razao_social=client.razao_social,
            nome_fantasia=client.nome_fantasia,
            conta=client.conta,
            email_wvds=client.email_wvds,
        )
        batch.append(client)
        if len(batch) == 2000:
            Client.objects.bulk_update(batch, ["search_text"])
            batch = []
    Client.objects.bulk_update(batch, ["search_text"])


def create_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} "
        "ON clients_client USING gin (search_text gin_trgm_ops)"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {ORDER_INDEX}")
    schema_editor.execute(
        f"CREATE INDEX {ORDER_INDEX} ON clients_client ({ORDER_COLUMNS}) INCLUDE (search_text)"
    )
    # LIKE '%word%' is estimated from the column's histogram; a finer one lets the planner
    # tell a rare word (use the trigram index) from a common one (walk the list's order).
    schema_editor.execute("ALTER TABLE clients_client ALTER COLUMN search_text SET STATISTICS 1000")


def drop_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {ORDER_INDEX}")
    schema_editor.execute(f"CREATE INDEX {ORDER_INDEX} ON clients_client ({ORDER_COLUMNS})")


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_search")]

    operations = [
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_postgresql_indexes, drop_postgresql_indexes),
    ]
