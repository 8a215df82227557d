"""The audit trail: who changed what and when, on each record's page and the organization's;
an import is one entry per job; logins, lockouts and tokens are recorded; no secret enters."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clients.services import client_update
from contacts.models import Contact
from contacts.resources import CONTACT_FORMAT
from contacts.services import contact_delete, contact_update
from importexport import services as importexport
from tenancy.audit import history_entries
from tests.factories import PASSWORD, ClientFactory, ContactFactory, SpecialistFactory
from tests.importexport.conftest import write_xlsx
from tokens.services import token_create, token_revoke


@pytest.fixture(autouse=True)
def _clean_cache():
    # The lockout counts live in the cache, which outlives a test's transaction.
    cache.clear()
    yield
    cache.clear()


def _events(organization, event: str) -> list[LogEntry]:
    return [
        e
        for e in history_entries(obj=organization)
        if (e.additional_data or {}).get("event") == event
    ]


def test_it_records_who_changed_which_field_and_shows_it_on_the_client(
    alice, alice_client, org_a, htmx_headers
):
    client = ClientFactory(organization=org_a, nome_fantasia="Padaria Velha")
    with set_actor(alice):
        client_update(organization=org_a, client=client, actor=alice, nome_fantasia="Padaria Nova")
    url = reverse("history_client", args=[client.code])
    response = alice_client.get(url, **htmx_headers)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # the fragment only
    assert "Padaria Velha" in body and "Padaria Nova" in body
    assert alice.first_name in body or "alice" in body
    # Without JavaScript the link opens a page of its own.
    assert "<html" in alice_client.get(url).content.decode()


def test_charlie_gets_404_on_organization_as_history(charlie_client, org_a):
    client = ClientFactory(organization=org_a)
    assert charlie_client.get(reverse("history_client", args=[client.code])).status_code == 404
    assert charlie_client.get(reverse("organization_history")).status_code == 200
    assert org_a.name not in charlie_client.get(reverse("organization_history")).content.decode()


def test_a_clients_history_lists_its_contacts_deleted_ones_included(alice_client, org_a):
    client = ClientFactory(organization=org_a)
    contact = ContactFactory(client=client, name="Maria Antiga")
    contact_update(organization=org_a, contact=contact, name="Maria Nova")
    contact_delete(organization=org_a, contact=contact)
    actions = [(e.content_type.model, e.action) for e in history_entries(obj=client)]
    assert actions[:3] == [
        ("contact", LogEntry.Action.DELETE),
        ("contact", LogEntry.Action.UPDATE),
        ("contact", LogEntry.Action.CREATE),
    ]
    body = alice_client.get(reverse("history_client", args=[client.code])).content.decode()
    assert "Maria Antiga" in body and "Maria Nova" in body


def test_the_history_is_paginated_newest_first(alice, alice_client, org_a):
    client = ClientFactory(organization=org_a)
    for n in range(25):
        client_update(organization=org_a, client=client, actor=alice, conta=f"conta-{n:02d}")
    url = reverse("history_client", args=[client.code])
    first = alice_client.get(url).content.decode()
    assert "conta-24" in first and "conta-03" not in first
    second = alice_client.get(url, {"page": 2}).content.decode()
    assert "conta-03" in second and "conta-24" not in second


def test_tokens_are_recorded_without_their_secret(alice_client, alice, org_a):
    specialist = SpecialistFactory(organization=org_a)
    issued = token_create(
        organization=org_a,
        specialist=specialist,
        description="Integração",
        expires_at=timezone.now() + timedelta(days=30),
    )
    token_revoke(organization=org_a, token=issued.token)
    assert len(_events(org_a, "token_created")) == len(_events(org_a, "token_revoked")) == 1
    # The specialist's history lists its tokens'.
    kinds = {e.content_type.model for e in history_entries(obj=specialist)}
    assert "integrationtoken" in kinds
    dumped = json.dumps(
        list(
            LogEntry.objects.values("changes", "changes_text", "serialized_data", "additional_data")
        )
    )
    assert issued.secret not in dumped and issued.token.token_hash not in dumped


def test_logins_failures_and_lockouts_are_on_the_organizations_history(client, bob, org_a):
    login = reverse("login")
    client.post(login, {"username": "bob", "password": PASSWORD})
    client.post(reverse("logout"))
    for _ in range(5):
        client.post(login, {"username": "bob", "password": "wrong-password"})
    assert len(_events(org_a, "login")) == 1
    assert len(_events(org_a, "login_failed")) == 5
    [locked] = _events(org_a, "locked_out")
    assert locked.additional_data["user"] == "bob"
    # A wrong name that is nobody's is not written down.
    client.post(login, {"username": "ninguem", "password": "x"})
    assert "ninguem" not in json.dumps(list(LogEntry.objects.values("additional_data")))


def test_settings_changes_and_the_organization_history_are_admin_only(
    alice_client, bob_client, org_a
):
    response = alice_client.post(
        reverse("organization_settings"),
        {
            "name": "Organização A Nova",
            "language": "pt-br",
            "alert_grace_minutes": 30,
            "sender_email": "alertas@example.com",
            "send_reconnected_email": "on",
        },
    )
    assert response.status_code == 302
    [change] = [e for e in history_entries(obj=org_a) if e.action == LogEntry.Action.UPDATE]
    assert change.actor.username == "alice"
    body = alice_client.get(reverse("organization_history")).content.decode()
    assert "Organização A Nova" in body and "30" in body
    assert bob_client.get(reverse("organization_history")).status_code == 403


def test_an_import_job_is_one_entry_with_its_file_and_counts(org_a, bob, tmp_path):
    client = ClientFactory(organization=org_a)
    headers = [column.header for column in CONTACT_FORMAT.columns]

    def row(email):
        cells = dict.fromkeys(headers, "")
        cells.update({"CNPJ do cliente": client.cnpj, "E-mail": email, "Nome": "Maria"})
        return list(cells.values())

    rows = [row(f"contato{n}@example.com") for n in range(30)] + [row("não é e-mail")]
    path = write_xlsx(tmp_path / "contatos.xlsx", headers, rows)
    before = LogEntry.objects.count()
    job = importexport.import_schedule(
        organization=org_a,
        user=bob,
        entity="contacts",
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
        language="pt-br",
    )
    importexport.import_run(job_id=job.id, organization_id=org_a.id)
    assert Contact.objects.filter(client=client).count() == 30
    [entry] = LogEntry.objects.order_by("-pk")[: LogEntry.objects.count() - before]
    assert entry.additional_data == {
        "event": "import",
        "file": "contatos.xlsx",
        "format": str(CONTACT_FORMAT.label),
        "created": 30,
        "updated": 0,
        "failed": 1,
    }
    assert entry.actor == bob and entry.object_id == org_a.pk


def test_memberships_and_projects_are_on_the_organizations_history(alice_client, bob, org_a):
    from tenancy.models import Membership
    from tests.factories import ProjectFactory

    membership = Membership.objects.get(user=bob, organization=org_a)
    membership.role = Membership.Role.ADMIN
    membership.save()
    ProjectFactory(organization=org_a, name="Farmácias")
    body = alice_client.get(reverse("organization_history")).content.decode()
    assert "Farmácias" in body
    assert str(Membership.Role.OPERATOR.label) in body and str(Membership.Role.ADMIN.label) in body
