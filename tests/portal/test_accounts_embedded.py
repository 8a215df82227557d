"""The contact accounts on the embedded defaults of `make run` (SQLite): the .csv import,
the Contatos search, the invitation into the outbox, the activation and the set-based
delete, in a process of its own, since the rest of the suite runs on PostgreSQL."""

from __future__ import annotations

import json

import pytest

from tests.processes import embedded_env, manage

pytestmark = pytest.mark.slow

SCRIPT = """
import json
from django.core.files.uploadedfile import SimpleUploadedFile
from contacts.models import Contact
from importexport import services
from portal import accounts
from portal.selectors import contact_directory_filter, contact_directory_page
from tenancy.models import Organization, User
from terminals.models import AlertEmail

organization = Organization.objects.create(name="Embutida", slug="embutida")
user = User.objects.create(username="operadora")
rows = "".join(f"Pessoa {n} Simões;p{n}@x.com.br;;\\n" for n in range(30))
upload = SimpleUploadedFile("c.csv", ("\\ufeffNome;E-mail;Empresa (CNPJ);Telefone\\n" + rows).encode())
job = services.import_schedule(
    organization=organization, user=user, entity="contacts_csv", upload=upload, language="en"
)
counts = services.import_run(job_id=job.id, organization_id=organization.id).counts
page = contact_directory_page(organization=organization, query="simoes p1@", status="")
contact = Contact.objects.get(email="p1@x.com.br")
invitation = accounts.account_invitation_prepare(
    organization=organization, contact=contact, actor=None, url_for=lambda token: token
)
accounts.account_invitation_send(
    organization=organization, contact=contact, token=invitation.token, url=invitation.url
)
account = accounts.account_activate_with_link(
    organization=organization, token=invitation.token, password="Correct-Horse-9", accept_terms=False
)
deleted = accounts.contacts_delete(
    organization=organization,
    contacts=contact_directory_filter(organization=organization, query="simoes", status=""),
)
print(json.dumps({
    "counts": counts,
    "found": [c.email for c in page.contacts],
    "queued": AlertEmail.objects.filter(kind="message").count(),
    "status": account.status,
    "deleted": deleted,
    "left": Contact.objects.count(),
}))
"""


def test_contact_accounts_work_on_the_embedded_defaults(tmp_path):
    env = embedded_env(tmp_path / "var")
    manage(env, "migrate", "-v", "0")
    result = json.loads(manage(env, "shell", "-c", SCRIPT).splitlines()[-1])
    assert result["counts"] == {"created": 30, "updated": 0, "unchanged": 0, "failed": 0}
    assert result["found"] == ["p1@x.com.br"]
    assert result["queued"] == 1 and result["status"] == "active"
    assert result["deleted"] == 30 and result["left"] == 0
