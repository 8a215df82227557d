"""Every writer applies the entity's row rule: the job import (creates and updates) and the
Django admin's import, as the services do."""

from __future__ import annotations

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client
from clients.resources import CLIENT_FORMAT, ClientResource
from clients.selectors import client_search
from contacts.models import Contact
from contacts.resources import CONTACT_FORMAT, ContactResource
from importexport import services
from importexport.admin_resources import ORGANIZATION_HEADER
from importexport.models import ImportFailure
from notifications.models import Job
from specialists.models import Specialist
from specialists.resources import SPECIALIST_FORMAT
from terminals.models import Terminal
from terminals.resources import TERMINAL_FORMAT, TerminalResource
from terminals.selectors import terminals_for_client
from tests.factories import (
    ClientFactory,
    ClientGroupFactory,
    ContactFactory,
    DeviceTypeFactory,
    SpecialistFactory,
    TerminalFactory,
    _cnpj,
)
from tests.importexport.conftest import write_xlsx


def _import(org, user, path, entity, language="pt-br") -> Job:
    job = services.import_schedule(
        organization=org,
        user=user,
        entity=entity,
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
        language=language,
    )
    return services.import_run(job_id=job.id, organization_id=org.id)


def _contact_row(client, email, phone="", name="Maria") -> list:
    row = dict.fromkeys((column.header for column in CONTACT_FORMAT.columns), "")
    row.update({"CNPJ do cliente": client.cnpj, "E-mail": email, "Nome": name, "Telefone": phone})
    return list(row.values())


def test_it_updates_the_contact_whose_email_differs_only_in_case(org_a, bob, tmp_path):
    client = ClientFactory(organization=org_a)
    ContactFactory(client=client, email="maria@x.com", name="Maria", phone="+5511912345678")
    rows = [
        _contact_row(client, "Maria@X.com", "(11) 91234-5678", name="Maria Souza"),
        _contact_row(client, "JOSE@X.COM", "11 3456-7890", name="José"),
    ]
    path = write_xlsx(tmp_path / "c.xlsx", [c.header for c in CONTACT_FORMAT.columns], rows)
    job = _import(org_a, bob, path, "contacts")
    assert job.counts == {"created": 1, "updated": 1, "unchanged": 0, "failed": 0}
    contacts = {c.email: c for c in Contact.objects.filter(client=client)}
    assert set(contacts) == {"maria@x.com", "jose@x.com"}
    assert contacts["maria@x.com"].name == "Maria Souza"
    assert contacts["jose@x.com"].phone == "+551134567890"
    # The same file again: a spelling the rule normalizes away changes nothing.
    again = _import(org_a, bob, path, "contacts")
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 2, "failed": 0}


def test_it_fails_a_row_whose_phone_the_rule_refuses(org_a, bob, tmp_path):
    client = ClientFactory(organization=org_a)
    ContactFactory(client=client, email="ana@x.com", phone="+5511912345678")
    rows = [
        _contact_row(client, "ana@x.com", "ramal 12"),
        _contact_row(client, "bia@x.com", "telefone"),
        _contact_row(client, "caio@x.com", "(11) 91234-0000"),
    ]
    path = write_xlsx(tmp_path / "c.xlsx", [c.header for c in CONTACT_FORMAT.columns], rows)
    job = _import(org_a, bob, path, "contacts", language="en")
    assert job.counts == {"created": 1, "updated": 0, "unchanged": 0, "failed": 2}
    reasons = list(ImportFailure.objects.filter(job=job).values_list("reason", flat=True))
    assert (
        reasons
        == ["“Telefone”: Enter a valid phone number with area code, e.g. (11) 91234-5678."] * 2
    )
    # Nothing of a refused row is stored: the existing contact keeps its phone.
    assert Contact.objects.get(email="ana@x.com").phone == "+5511912345678"
    assert not Contact.objects.filter(email="bia@x.com").exists()


def test_it_stores_a_terminals_wvds_email_so_its_client_offers_it(org_a, bob, tmp_path):
    client = ClientFactory(organization=org_a, email_wvds="loja@saojoao.com.br")
    DeviceTypeFactory(organization=org_a, name="Android")
    row = dict.fromkeys((column.header for column in TERMINAL_FORMAT.columns), "")
    row.update(
        {
            "Identificador": " TRM-9 ",
            "Tipo de dispositivo": "Android",
            "E-mail WVDS": "LOJA@SaoJoao.com.br",
        }
    )
    path = write_xlsx(tmp_path / "t.xlsx", list(row), [list(row.values())])
    job = _import(org_a, bob, path, "terminals")
    assert job.counts["created"] == 1, job.counts
    assert [t.identifier for t in terminals_for_client(client=client)] == ["TRM-9"]


def _terminal_row(identifier, email, client=None) -> list:
    row = dict.fromkeys((column.header for column in TERMINAL_FORMAT.columns), "")
    row.update(
        {
            "Identificador": identifier,
            "Tipo de dispositivo": "Android",
            "E-mail WVDS": email,
            "CNPJ do cliente": client.cnpj if client else "",
        }
    )
    return list(row.values())


def test_it_fails_a_terminal_whose_wvds_email_differs_from_its_clients(org_a, bob, tmp_path):
    DeviceTypeFactory(organization=org_a, name="Android")
    clients = [
        ClientFactory(organization=org_a, email_wvds=f"loja{n}@saojoao.com.br") for n in range(3)
    ]
    existing = TerminalFactory(
        organization=org_a, identifier="TRM-OLD", email_wvds="loja0@saojoao.com.br", client=None
    )
    rows = [
        _terminal_row(f"TRM-{n}", f"Loja{n % 3}@saojoao.com.br", clients[n % 3]) for n in range(9)
    ]
    rows += [
        _terminal_row("TRM-X", "outra@saojoao.com.br", clients[1]),
        _terminal_row(existing.identifier, "loja0@saojoao.com.br", clients[2]),
    ]
    headers = [column.header for column in TERMINAL_FORMAT.columns]
    path = write_xlsx(tmp_path / "t.xlsx", headers, rows)
    with CaptureQueriesContext(connection) as queries:
        job = _import(org_a, bob, path, "terminals", language="en")
    assert job.counts == {"created": 9, "updated": 0, "unchanged": 0, "failed": 2}
    reasons = list(
        ImportFailure.objects.filter(job=job)
        .order_by("row_number")
        .values_list("reason", flat=True)
    )
    message = "“CNPJ do cliente”: The client's WVDS e-mail (%s) differs from the terminal's."
    assert reasons == [message % "loja1@saojoao.com.br", message % "loja2@saojoao.com.br"]
    assert not Terminal.objects.filter(identifier="TRM-X").exists()
    existing.refresh_from_db()
    assert existing.client is None
    # The clients' e-mails of the whole chunk in one query, not one per row.
    lookups = [q for q in queries.captured_queries if '"clients_client"."email_wvds"' in q["sql"]]
    assert len(lookups) == 1


def test_the_admin_refuses_a_terminal_whose_wvds_email_differs_from_its_clients(org_a):
    DeviceTypeFactory(organization=org_a, name="Android")
    client = ClientFactory(organization=org_a, email_wvds="loja@saojoao.com.br")
    headers = [column.header for column in TERMINAL_FORMAT.columns]

    def admin_import(identifier, email):
        dataset = tablib.Dataset(headers=[*headers, ORGANIZATION_HEADER])
        dataset.append([*_terminal_row(identifier, email, client), org_a.slug])
        return TerminalResource().import_data(dataset, dry_run=False)

    refused = admin_import("TRM-X", "outra@saojoao.com.br")
    assert refused.has_validation_errors()
    [invalid] = refused.invalid_rows
    assert "loja@saojoao.com.br" in invalid.error_dict["client"][0]
    assert not Terminal.objects.exists()

    accepted = admin_import("TRM-1", "LOJA@saojoao.com.br")
    assert not accepted.has_errors() and not accepted.has_validation_errors()
    assert list(Terminal.objects.values_list("identifier", "client")) == [("TRM-1", client.pk)]


def _admin_dataset(org, **cells) -> tablib.Dataset:
    headers = [column.header for column in CLIENT_FORMAT.columns]
    row = dict.fromkeys(headers, "")
    row.update({"CNPJ": _cnpj(9), "Razão social": "Padaria Pão Dourado", "Status": "active"})
    row.update(cells)
    dataset = tablib.Dataset(headers=[*headers, ORGANIZATION_HEADER])
    dataset.append([*row.values(), org.slug])
    return dataset


def test_a_client_imported_in_the_admin_is_found_by_the_search_box(org_a):
    dataset = _admin_dataset(org_a, **{"E-mail WVDS": "Loja@Dourado.com.br"})
    result = ClientResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    client = Client.objects.get(organization=org_a)
    assert client.email_wvds == "loja@dourado.com.br"
    for query in ("pao dourado", "PADARIA", "loja@dourado.com.br"):
        assert list(client_search(organization=org_a, query=query)) == [client], query


@pytest.mark.parametrize(
    "cells",
    [
        {"CNPJ": "00.000.000/0000-01"},
        {"E-mail WVDS": "não é e-mail"},
        {"Status": "paused"},
    ],
)
def test_the_admin_refuses_an_invalid_row_and_stores_nothing(org_a, cells):
    result = ClientResource().import_data(_admin_dataset(org_a, **cells), dry_run=False)
    assert result.has_validation_errors()
    assert not Client.objects.exists()


def test_the_admin_refuses_a_name_its_organization_lacks_as_the_job_import_does(org_a, org_b):
    ClientGroupFactory(organization=org_a, name="Shoppings")
    ClientGroupFactory(organization=org_b, name="Aeroportos")
    cells = {"Grupos": "Shoppings; Aeroportos; Postos"}
    refused = ClientResource().import_data(_admin_dataset(org_a, **cells), dry_run=False)
    [invalid] = refused.invalid_rows
    # The other organization's group is no more found than a name that exists nowhere.
    assert invalid.error_dict["groups"] == [
        "“Grupos”: não encontrado nesta organização: Aeroportos, Postos."
    ]
    assert not Client.objects.exists()

    accepted = ClientResource().import_data(
        _admin_dataset(org_a, Grupos=" Shoppings ;"), dry_run=False
    )
    assert not accepted.has_errors() and not accepted.has_validation_errors()
    assert list(Client.objects.get().groups.values_list("name", flat=True)) == ["Shoppings"]


def test_it_updates_the_specialist_whose_email_differs_only_in_case(org_a, bob, tmp_path):
    SpecialistFactory(organization=org_a, email="ana@empresa.com", name="Ana")
    row = dict.fromkeys((column.header for column in SPECIALIST_FORMAT.columns), "")
    row.update({"E-mail": "Ana@Empresa.com", "Nome": "  Ana Lima "})
    path = write_xlsx(tmp_path / "s.xlsx", list(row), [list(row.values())])
    job = _import(org_a, bob, path, "specialists")
    assert job.counts == {"created": 0, "updated": 1, "unchanged": 0, "failed": 0}
    specialist = Specialist.objects.get(organization=org_a)
    assert (specialist.email, specialist.name) == ("ana@empresa.com", "Ana Lima")


def test_the_admin_reads_a_cnpj_typed_into_a_number_cell(org_a):
    # A spreadsheet drops the leading zero of 01.234.567/0001-…: the number 1234567000195.
    number = _cnpj(1234567)
    result = ClientResource().import_data(_admin_dataset(org_a, CNPJ=float(number)), dry_run=False)
    assert not result.has_validation_errors()
    assert Client.objects.get(organization=org_a).cnpj == number


def test_the_admin_updates_the_contact_whose_email_differs_only_in_case(org_a):
    client = ClientFactory(organization=org_a)
    ContactFactory(client=client, email="maria@x.com", name="Maria")
    headers = [column.header for column in CONTACT_FORMAT.columns]
    dataset = tablib.Dataset(headers=[*headers, ORGANIZATION_HEADER])
    dataset.append([*_contact_row(client, "Maria@X.com", name="Maria Souza"), org_a.slug])
    result = ContactResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["update"] == 1
    assert list(Contact.objects.values_list("email", "name")) == [("maria@x.com", "Maria Souza")]


def test_every_writer_refuses_a_line_break_in_a_terminals_name_or_identifier(org_a, bob, tmp_path):
    # Both reach the alert e-mail's subject: the row rule refuses them for every writer.
    DeviceTypeFactory(organization=org_a, name="Android")
    headers = [column.header for column in TERMINAL_FORMAT.columns]
    good = _terminal_row("TRM-1", "")
    broken = _terminal_row("TRM-2\r\nBcc: x@y.z", "")
    named = dict(zip(headers, _terminal_row("TRM-3", ""), strict=True))
    named["Nome"] = "Vitrine\nBcc: x@y.z"
    path = write_xlsx(tmp_path / "t.xlsx", headers, [good, broken, list(named.values())])
    job = _import(org_a, bob, path, "terminals")
    assert job.counts == {"created": 1, "updated": 0, "unchanged": 0, "failed": 2}
    assert list(Terminal.objects.values_list("identifier", flat=True)) == ["TRM-1"]
    reasons = list(ImportFailure.objects.filter(job=job).values_list("reason", flat=True))
    assert sorted(reason.split(":")[0] for reason in reasons) == ["“Identificador”", "“Nome”"]
    assert all("caracteres de controle" in reason for reason in reasons), reasons

    dataset = tablib.Dataset(headers=[*headers, ORGANIZATION_HEADER])
    dataset.append([*broken, org_a.slug])
    result = TerminalResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert Terminal.objects.count() == 1
