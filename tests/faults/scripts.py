"""What the fault tests run through `manage.py shell` on their stack: the data, written by
the same factories and services as everywhere else."""

from __future__ import annotations

STALE_TERMINALS = """
from datetime import timedelta
from django.utils import timezone
from tests.factories import ClientFactory, ContactFactory, OrganizationFactory, TerminalFactory

organization = OrganizationFactory(name="Faltas", slug="faltas")
for t in range(%(terminals)d):
    client = ClientFactory(organization=organization)
    for n in range(%(contacts)d):
        ContactFactory(client=client, email=f"c{t}-{n}@cliente.com.br")
    TerminalFactory(
        organization=organization,
        client=client,
        identifier=f"TRM-F-{t}",
        last_heartbeat_at=timezone.now() - timedelta(minutes=30),
        alert_after=timezone.now() - timedelta(minutes=15),
    )
"""

# Schedules an import of `rows` new terminals as the screen does (the message goes to the
# broker once the job row is committed) and prints the job's id.
IMPORT = """
import os
from pathlib import Path
from django.core.files.uploadedfile import SimpleUploadedFile
from importexport import services
from importexport.xlsx import build_template
from importexport.registry import format_get
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

organization = OrganizationFactory(name="Importadora", slug="importadora")
user = UserFactory(username="importadora")
MembershipFactory(organization=organization, user=user)
path = Path(os.environ["JOB_FILES_DIR"]).parent / "in.xlsx"
rows = [[f"TRM-IMP-{n:06d}", f"Tela {n}"] for n in range(%(rows)d)]
build_template(format_get("terminals").columns, title="Terminais").write(path, rows)
job = services.import_schedule(
    organization=organization,
    user=user,
    entity="terminals",
    upload=SimpleUploadedFile("in.xlsx", path.read_bytes()),
    language="en",
)
print(job.id)
"""
