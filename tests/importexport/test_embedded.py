"""Jobs on the embedded defaults of `make run` (SQLite, the kombu file-system broker): the
engine's branches for a database without COPY, end to end in processes of their own, since
the rest of the suite runs on PostgreSQL."""

from __future__ import annotations

import json

import pytest

from tests.processes import Worker, embedded_env, manage

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
    env = embedded_env(tmp_path / "var")
    manage(env, "migrate", "-v", "0")
    result = json.loads(manage(env, "shell", "-c", SCRIPT).splitlines()[-1])
    assert result["created"] == {"created": 3, "updated": 0, "unchanged": 0, "failed": 0}
    assert result["updated"] == {"created": 0, "updated": 3, "unchanged": 0, "failed": 0}
    assert result["names"] == ["Empresa 0 Ltda", "Empresa 1 Ltda", "Empresa 2 Ltda"]
    assert result["groups"] == 0 and result["stamped"]


# Seeds clients, then runs an export and an import through the worker exactly as the screens
# schedule them, waiting on the job rows.
WORKER_SCRIPT = """
import json, os, time, zipfile
from pathlib import Path
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from clients.models import Client
from clients.resources import CLIENT_FORMAT
from clients.services import client_prepare
from importexport import services
from importexport.xlsx import build_template
from notifications.models import Job
from notifications.services import job_file_path
from tenancy.models import Organization, User
from tests.factories import _cnpj

ROWS = %(rows)d
folder = Path(os.environ["JOB_FILES_DIR"]).parent
organization = Organization.objects.create(name="Embutida", slug="embutida")
user = User.objects.create(username="operadora")
Client.objects.bulk_create(
    Client(organization=organization, **client_prepare(
        {"cnpj": _cnpj(n), "razao_social": f"Empresa {n}", "email_wvds": f"Loja{n}@X.com"}
    ))
    for n in range(ROWS)
)

def finished(job):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status != Job.Status.PENDING:
            return job
        time.sleep(0.5)
    raise SystemExit("the job did not finish")

export = finished(services.export_schedule(
    organization=organization, user=user, entity="clients", variant="data", language="en"
))
files = {}
with zipfile.ZipFile(job_file_path(export.result_path)) as archive:
    for name in sorted(archive.namelist()):
        path = folder / name
        path.write_bytes(archive.read(name))
        sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Dados")
        files[name] = len(sheet.to_python()) - 1

rows = [
    [_cnpj(ROWS + n), f"Nova {n}", "", "", f"Nova{n}@X.com", "", "", "", ""]
    for n in range(ROWS)
]
path = folder / "novos.xlsx"
build_template(CLIENT_FORMAT.columns, title="Clientes").write(path, rows)
imported = finished(services.import_schedule(
    organization=organization, user=user, entity="clients", language="en",
    upload=SimpleUploadedFile("novos.xlsx", path.read_bytes()),
))
print(json.dumps({
    "export": [export.status, export.failure_text, export.rows_done],
    "files": list(files.values()),
    "import": [imported.status, imported.failure_text, imported.chunks_done, imported.counts],
    "clients": Client.objects.filter(organization=organization).count(),
    "lowered": Client.objects.filter(email_wvds="nova7@x.com", search_text__contains="nova 7").exists(),
}))
"""


@pytest.mark.slow
def test_jobs_of_three_files_run_in_a_prefork_worker_on_the_embedded_defaults(tmp_path):
    rows = 15_000  # three files, three chunks: 7,000 + 7,000 + 1,000
    env = embedded_env(tmp_path / "var")
    manage(env, "migrate", "-v", "0")
    with Worker(env, tmp_path / "worker.log"):
        output = manage(env, "shell", "-c", WORKER_SCRIPT % {"rows": rows})
    result = json.loads(output.splitlines()[-1])
    assert result["export"] == ["done", "", rows]
    assert result["files"] == [7000, 7000, 1000]
    assert result["import"] == [
        "done",
        "",
        3,
        {"created": rows, "updated": 0, "unchanged": 0, "failed": 0},
    ]
    assert result["clients"] == 2 * rows and result["lowered"]
