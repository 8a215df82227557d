"""The specialist, contact and terminal formats, and the admin's resources built from the
same column definitions."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from clients.models import Client
from clients.resources import CLIENT_FORMAT, ClientResource
from contacts.models import Contact
from contacts.resources import CONTACT_FORMAT
from importexport import services
from importexport.admin_resources import ORGANIZATION_HEADER
from importexport.models import ImportFailure
from notifications.models import Job
from notifications.services import job_file_path
from specialists.models import Specialist
from specialists.resources import SPECIALIST_FORMAT
from terminals.models import Terminal
from terminals.resources import TERMINAL_FORMAT
from tests.factories import (
    CalendarFactory,
    ClientFactory,
    ClientGroupFactory,
    DeviceTypeFactory,
    RoleFactory,
    SpecialistGroupFactory,
    _cnpj,
)
from tests.importexport.conftest import write_xlsx


def _import(org, user, path, entity) -> Job:
    job = services.import_schedule(
        organization=org,
        user=user,
        entity=entity,
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
        language="pt-br",
    )
    return services.import_run(job_id=job.id, organization_id=org.id)


def _headers(fmt) -> list[str]:
    return [column.header for column in fmt.columns]


def _specialist(email: str, **cells) -> list:
    row = dict.fromkeys(_headers(SPECIALIST_FORMAT), "")
    row.update({"E-mail": email, "Nome": email.split("@")[0].title(), **cells})
    return list(row.values())


def test_it_imports_specialists_with_groups_roles_and_shifts(org_a, bob, tmp_path):
    SpecialistGroupFactory(organization=org_a, name="Suporte")
    RoleFactory(organization=org_a, name="Técnico")
    CalendarFactory(organization=org_a, name="Comercial")
    rows = [
        # Dates typed as text (DD/MM/YYYY and ISO) and as a real date cell.
        _specialist(
            "ana@example.com",
            Grupos="Suporte",
            Papéis="Técnico",
            Turnos="01/07/2026 | 31/12/2026 | Comercial; 2027-01-01 | 2027-06-30 | Comercial",
        ),
        _specialist("bia@example.com", Turnos="31/02/2026 | 31/03/2026 | Comercial"),
        _specialist("caio@example.com", Turnos="01/07/2026 | 01/06/2026 | Comercial"),
        _specialist("duda@example.com", Cultura="fr"),
        _specialist("eva@example.com", CEP=dt.datetime(2026, 7, 1)),
    ]
    job = _import(
        org_a,
        bob,
        write_xlsx(tmp_path / "esp.xlsx", _headers(SPECIALIST_FORMAT), rows),
        "specialists",
    )
    assert job.counts == {"created": 2, "updated": 0, "unchanged": 0, "failed": 3}
    ana = Specialist.objects.get(organization=org_a, email="ana@example.com")
    assert [g.name for g in ana.groups.all()] == ["Suporte"]
    assert [r.name for r in ana.roles.all()] == ["Técnico"]
    assert sorted((s.starts_on, s.ends_on) for s in ana.shifts.all()) == [
        (dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        (dt.date(2027, 1, 1), dt.date(2027, 6, 30)),
    ]
    reasons = dict(ImportFailure.objects.filter(job=job).values_list("row_number", "reason"))
    assert "não é uma data" in reasons[3]
    assert "termina antes de começar" in reasons[4]
    assert "fr" in reasons[5]
    # The same file again changes nothing, shifts included.
    path = write_xlsx(tmp_path / "esp2.xlsx", _headers(SPECIALIST_FORMAT), rows[:1])
    assert _import(org_a, bob, path, "specialists").counts["unchanged"] == 1


def test_it_exports_specialist_shifts_in_the_format_it_imports(org_a, bob, tmp_path):
    CalendarFactory(organization=org_a, name="Comercial")
    row = _specialist("ana@example.com", Turnos="01/07/2026 | 31/12/2026 | Comercial")
    _import(
        org_a,
        bob,
        write_xlsx(tmp_path / "a.xlsx", _headers(SPECIALIST_FORMAT), [row]),
        "specialists",
    )
    job = services.export_schedule(
        organization=org_a, user=bob, entity="specialists", variant="data", language="pt-br"
    )
    job = services.export_run(job_id=job.id, organization_id=org_a.id)
    with zipfile.ZipFile(job_file_path(job.result_path)) as archive:
        data = archive.read(archive.namelist()[0])
    sheet = load_workbook(io.BytesIO(data))["Dados"]
    assert sheet.cell(row=2, column=len(SPECIALIST_FORMAT.columns)).value == (
        "01/07/2026 | 31/12/2026 | Comercial"
    )
    (tmp_path / "back.xlsx").write_bytes(data)
    assert _import(org_a, bob, tmp_path / "back.xlsx", "specialists").counts["unchanged"] == 1


def test_it_imports_contacts_by_client_and_email(org_a, org_b, bob, tmp_path):
    client = ClientFactory(organization=org_a, cnpj=_cnpj(1))
    ClientFactory(organization=org_b, cnpj=_cnpj(2))
    rows = [
        [_cnpj(1), "maria@example.com", "Maria", "", "", "sim"],
        [_cnpj(2), "joao@example.com", "João", "", "", "no"],
    ]
    path = write_xlsx(tmp_path / "c.xlsx", _headers(CONTACT_FORMAT), rows)
    job = _import(org_a, bob, path, "contacts")
    assert job.counts["created"] == 1 and job.counts["failed"] == 1
    contact = Contact.objects.get(organization=org_a)
    assert (contact.client, contact.name, contact.auto_dispatch) == (client, "Maria", True)
    rows[0][2] = "Maria Souza"
    path = write_xlsx(tmp_path / "c2.xlsx", _headers(CONTACT_FORMAT), rows[:1])
    assert _import(org_a, bob, path, "contacts").counts["updated"] == 1
    contact.refresh_from_db()
    assert contact.name == "Maria Souza"


def test_it_imports_terminals_with_their_device_type_and_client(org_a, bob, tmp_path):
    DeviceTypeFactory(organization=org_a, name="Android")
    client = ClientFactory(organization=org_a, cnpj=_cnpj(1), email_wvds="loja@x.com")
    rows = [
        ["TRM-1", "Vitrine", "Android", "loja@x.com", _cnpj(1)],
        ["TRM-2", "", "Tizen", "", ""],
    ]
    path = write_xlsx(tmp_path / "t.xlsx", _headers(TERMINAL_FORMAT), rows)
    job = _import(org_a, bob, path, "terminals")
    assert job.counts["created"] == 1 and job.counts["failed"] == 1
    terminal = Terminal.objects.get(organization=org_a)
    assert (terminal.identifier, terminal.device_type.name, terminal.client) == (
        "TRM-1",
        "Android",
        client,
    )


def test_the_admin_resource_imports_into_the_rows_organization_only(org_a, org_b):
    ClientGroupFactory(organization=org_a, name="Shoppings")
    foreign = ClientGroupFactory(organization=org_b, name="Shoppings")
    headers = [column.header for column in CLIENT_FORMAT.columns]
    dataset = tablib.Dataset(headers=[*headers, ORGANIZATION_HEADER])
    row = dict.fromkeys(headers, "")
    row.update(
        {"CNPJ": _cnpj(9), "Razão social": "Pelo admin", "Status": "active", "Grupos": "Shoppings"}
    )
    dataset.append([*row.values(), org_a.slug])
    result = ClientResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and result.totals["new"] == 1
    client = Client.objects.get(cnpj=_cnpj(9))
    assert client.organization == org_a
    assert foreign not in client.groups.all() and client.groups.get().organization == org_a
    exported = ClientResource().export(Client.objects.filter(pk=client.pk))
    assert exported.dict[0]["Razão social"] == "Pelo admin"
    assert exported.dict[0][ORGANIZATION_HEADER] == org_a.slug
