from __future__ import annotations

import os

from django.core.management import call_command, get_commands

from clients.models import Client
from clients.selectors import client_search_page
from contacts.models import Contact
from specialists.models import Specialist
from tenancy.models import Membership, Organization
from terminals.models import Terminal
from terminals.sweep import alert_sweep


def _seed(clients: int = 40) -> Organization:
    call_command("seed_demo", clients=clients, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return Organization.objects.get(slug="vigia-demo")


def test_it_lives_in_the_demo_app():
    assert get_commands()["seed_demo"] == "demo"


def test_it_is_idempotent(db):
    _seed()
    counts = (Client.objects.count(), Terminal.objects.count(), Membership.objects.count())
    organization = _seed()
    assert counts == (Client.objects.count(), Terminal.objects.count(), Membership.objects.count())
    assert counts[0] == 40
    terminals = Terminal.objects.for_org(organization)
    assert terminals.filter(status="never_seen").exists()
    # Stale demo terminals are left for the first sweep, which sends their real alerts.
    result = alert_sweep()
    assert result.new_episodes > 0
    assert terminals.filter(status="disconnected").count() == result.new_episodes
    assert terminals.filter(status="connected").exists()


def test_it_writes_records_that_pass_validation(db):
    # Demo data is exported and imported back by people trying Vigia: it must be valid.
    organization = _seed()
    for model in (Client, Contact, Terminal, Specialist):
        for record in model.objects.for_org(organization):
            record.full_clean()


def test_it_applies_the_row_rules(db):
    organization = _seed()
    client = Client.objects.for_org(organization).order_by("pk").last()
    # The search box finds a seeded client by any of its fields, as typed by an operator.
    for query in (client.cnpj_formatted, client.nome_fantasia.upper(), client.conta):
        page = client_search_page(organization=organization, query=query)
        assert client in page.clients, query
    contacts = Contact.objects.for_org(organization)
    assert contacts.exists()
    assert all(contact.email == contact.email.lower() for contact in contacts)
    assert all(contact.phone.startswith("+55") for contact in contacts)
    assert all(t.email_wvds == t.email_wvds.lower() for t in Terminal.objects.for_org(organization))


def test_its_portal_person_logs_in_and_finds_the_requests(db, client):
    from io import StringIO

    from servicerequests.models import ServiceRequest

    out = StringIO()
    call_command("seed_demo", clients=40, stdout=out)
    call_command("seed_demo", clients=40, stdout=out)
    organization = Organization.objects.get(slug="vigia-demo")
    requests = ServiceRequest.objects.for_org(organization)
    assert sorted(requests.values_list("status", flat=True)) == ["new", "processing", "received"]
    assert all(r.attachments.count() == 1 for r in requests)
    login_line = [line for line in out.getvalue().splitlines() if "client portal" in line][-1]
    email = login_line.split("login: ")[1].split()[0]
    password = login_line.split("password: ")[1].strip()

    response = client.post(
        f"/portal/{organization.slug}/", {"username": email, "password": password}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"/portal/{organization.slug}/inicio/"
    mine = requests.filter(contact__email=email).get()
    assert mine.subject in client.get(f"/portal/{organization.slug}/solicitacoes/").content.decode()
