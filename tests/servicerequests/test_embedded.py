"""Requests on the embedded defaults of `make run` (SQLite): the generic link with its daily
limit, a portal person's request with its attachment, the status e-mail into the outbox, the
deletion rule and the backup, in a process of its own, since the rest of the suite runs on
PostgreSQL."""

from __future__ import annotations

import json

import pytest

from tests.processes import embedded_env, manage

pytestmark = pytest.mark.slow

SCRIPT = """
import io, json, zipfile
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from clients.models import Client
from contacts.models import Contact
from portal import accounts, backup, generic_link
from portal.models import PortalAccount, portal_settings_for
from servicerequests.models import ServiceRequest
from servicerequests.services import request_status_set, request_submit
from tenancy.models import Organization, User
from terminals.models import AlertEmail

organization = Organization.objects.create(name="Embutida", slug="embutida")
operator = User.objects.create(username="operadora")
client = Client.objects.create(organization=organization, cnpj="11222333000181", razao_social="Loja")
contact = Contact.objects.create(organization=organization, client=client, name="Ana", email="ana@x.com.br")
account = PortalAccount.objects.create(
    organization=organization, kind="contact", contact=contact, client=client, status="active"
)
portal = portal_settings_for(organization)
portal.link_max_requests_per_day = 1
portal.save()

def note(text):
    return SimpleUploadedFile("nota.txt", text.encode(), "text/plain")

by_link = generic_link.generic_link_request_submit(
    organization=organization, token=portal.link_token, requester_name="Bia",
    requester_email="bia@y.com.br", client_cnpj="11.222.333/0001-81", subject="Pelo link",
    description="", files=[note("um")],
)
try:
    generic_link.generic_link_request_submit(
        organization=organization, token=portal.link_token, requester_name="Bia",
        requester_email="bia@y.com.br", client_cnpj="", subject="De novo",
        description="", files=[note("dois")],
    )
    refused = None
except generic_link.LimitReached as exc:
    refused = exc.limit
mine = request_submit(
    organization=organization, subject="Tela apagada", description="Caixa 2", files=[note("três")],
    requester_name=contact.name, requester_email=contact.email, client=client, account=account,
    contact=contact,
)
for status in ("received", "processing"):
    request_status_set(organization=organization, service_request=mine, status=status, actor=operator)
try:
    accounts.contacts_delete(organization=organization, contacts=Contact.objects.all())
    blocked = False
except ValidationError:
    blocked = True
backup = zipfile.ZipFile(io.BytesIO(b"".join(backup.backup_zip_for_account(account=account))))
jobs = json.loads(backup.read("jobs.json"))
print(json.dumps({
    "link_client": by_link.client_id == client.id,
    "refused": refused,
    "stored": [a.file.read().decode() for r in ServiceRequest.objects.order_by("id") for a in r.attachments.all()],
    "emails": AlertEmail.objects.filter(kind="message", recipient=contact.email).count(),
    "blocked": blocked,
    "jobs": [job["subject"] for job in jobs],
    "files": sorted(name for name in backup.namelist() if name.endswith(".txt")),
}))
"""


def test_requests_work_on_the_embedded_defaults(tmp_path):
    env = embedded_env(tmp_path / "var")
    manage(env, "migrate", "-v", "0")
    result = json.loads(manage(env, "shell", "-c", SCRIPT).splitlines()[-1])
    assert result["link_client"] is True
    assert result["refused"] == "requests_per_day"
    assert result["stored"] == ["um", "três"]
    assert result["emails"] == 2
    assert result["blocked"] is True
    assert result["jobs"] == ["Tela apagada"]
    assert len(result["files"]) == 1
