"""Imports on the embedded defaults of `make run` (SQLite): the import engine's branches for
a database without COPY, end to end in a process of their own, since the rest of the suite
runs on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
import json, os
from pathlib import Path
from django.core.files.uploadedfile import SimpleUploadedFile
from clients.models import Client, ClientGroup
from importexport import services
from tenancy.models import Organization, User
from tests.factories import _cnpj
from tests.importexport.conftest import CLIENT_HEADERS, write_xlsx

folder = Path(os.environ["JOB_FILES_DIR"]).parent
organization = Organization.objects.create(name="Embutida", slug="embutida")
user = User.objects.create(username="operadora")
ClientGroup.objects.create(organization=organization, name="Rua")

def imported(rows):
    path = write_xlsx(folder / "in.xlsx", CLIENT_HEADERS, rows)
    upload = SimpleUploadedFile("in.xlsx", path.read_bytes())
    job = services.import_schedule(
        organization=organization, user=user, entity="clients", upload=upload, language="en"
    )
    return services.import_run(job_id=job.id, organization_id=organization.id).counts

rows = [[_cnpj(n), f"Empresa {n}", "", "", "", "", "", "", "Rua"] for n in range(3)]
renamed = [[row[0], row[1] + " Ltda", *row[2:8], ""] for row in rows]
clients = Client.objects.filter(organization=organization).order_by("cnpj")
print(json.dumps({
    "created": imported(rows),
    "updated": imported(renamed),
    "names": list(clients.values_list("razao_social", flat=True)),
    "groups": sum(client.groups.count() for client in clients),
    "stamped": all(client.updated_by_id == user.id for client in clients),
}))
"""


def test_an_import_creates_and_updates_on_the_embedded_defaults(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "VIGIA_VAR_DIR": str(tmp_path / "var"),
        "JOB_FILES_DIR": str(tmp_path / "jobs"),
    }

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "-v", "0")
    result = json.loads(manage("shell", "-c", SCRIPT).splitlines()[-1])
    assert result["created"] == {"created": 3, "updated": 0, "unchanged": 0, "failed": 0}
    assert result["updated"] == {"created": 0, "updated": 3, "unchanged": 0, "failed": 0}
    assert result["names"] == ["Empresa 0 Ltda", "Empresa 1 Ltda", "Empresa 2 Ltda"]
    assert result["groups"] == 0 and result["stamped"]
