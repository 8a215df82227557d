"""Declares the search indexes that 0004 builds with SQL on PostgreSQL, so that Django's
migration state matches the database: the list's order index carrying search_text
(INCLUDE) and the pg_trgm GIN index on search_text. State only: the database already has
them (PostgreSQL) or never will (SQLite, where PostgreSQLOnlyGinIndex creates nothing and
the order index stays without its INCLUDE column, which SQLite lacks)."""

import clients.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_search_trigram")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="client", name="client_org_name_idx"),
                migrations.AddIndex(
                    model_name="client",
                    index=models.Index(
                        fields=["organization", "razao_social", "id"],
                        include=("search_text",),
                        name="client_org_name_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="client",
                    index=clients.models.PostgreSQLOnlyGinIndex(
                        fields=["search_text"],
                        opclasses=["gin_trgm_ops"],
                        name="client_search_trgm_idx",
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
