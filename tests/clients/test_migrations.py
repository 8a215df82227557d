"""The search indexes PostgreSQL gets by SQL (0004) are known to Django's migration state
(0005), and the embedded SQLite still migrates, rebuilds the table and checks clean."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

SEARCH_INDEXES = {"client_org_name_idx", "client_search_trgm_idx"}


def test_the_migration_state_knows_the_search_indexes(db):
    state = MigrationLoader(connection).project_state()
    indexes = {index.name: index for index in state.models["clients", "client"].options["indexes"]}
    assert set(indexes) >= SEARCH_INDEXES
    assert tuple(indexes["client_org_name_idx"].include) == ("search_text",)
    assert indexes["client_search_trgm_idx"].opclasses == ["gin_trgm_ops"]
    # ...and PostgreSQL has them as declared.
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "clients_client")
    assert found["client_search_trgm_idx"]["type"] == "gin"
    assert found["client_org_name_idx"]["columns"] == [
        "organization_id",
        "razao_social",
        "id",
        "search_text",  # the INCLUDE column
    ]
    call_command("makemigrations", "clients", check=True, dry_run=True, verbosity=0)


def test_sqlite_migrates_and_rebuilds_the_clients_table(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["VIGIA_VAR_DIR"] = str(tmp_path)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    rebuild = (
        "from django.db import connection; from clients.models import Client\n"
        "with connection.schema_editor() as editor: editor._remake_table(Client)\n"
        "print(connection.vendor)"
    )
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["makemigrations", "--check", "--dry-run", "clients"],
        ["shell", "-v", "0", "-c", rebuild],
    ):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "W040" not in done.stderr
    assert done.stdout.strip().endswith("sqlite")
