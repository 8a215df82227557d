from __future__ import annotations

import io
import os
import threading
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from clients.models import Client
from importexport import bulk, exporter, importer, services, tasks
from importexport.models import ImportFailure
from importexport.xlsx import INFO_SHEET, REASON_HEADER, FileError
from notifications.models import Job
from notifications.services import job_file_path
from tests.factories import ClientFactory, ClientGroupFactory, ProjectFactory, _cnpj
from tests.importexport.conftest import CLIENT_HEADERS, write_xlsx


def _row(n: int, **overrides) -> list:
    row = {
        "CNPJ": _cnpj(n),
        "Razão social": f"Empresa {n} Ltda",
        "Nome fantasia": f"Empresa {n}",
        "Conta": f"C-{n}",
        "E-mail WVDS": f"loja{n}@example.com",
        "Anotações": "",
        "Status": "active",
        "Projetos": "",
        "Grupos": "",
    }
    row.update(overrides)
    return [row.get(header, "") for header in CLIENT_HEADERS]


def _upload(path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def _import(org, user, path, *, project=None, entity="clients") -> Job:
    job = services.import_schedule(
        organization=org,
        user=user,
        entity=entity,
        upload=_upload(path),
        language="pt-br",
        project=project,
    )
    return services.import_run(job_id=job.id, organization_id=org.id)


def test_it_imports_new_clients_with_their_relationships(org_a, bob, project_a, tmp_path):
    ClientGroupFactory(organization=org_a, name="Shoppings")
    ProjectFactory(organization=org_a, name="Atacado")
    path = write_xlsx(
        tmp_path / "in.xlsx",
        CLIENT_HEADERS,
        [
            _row(1, Grupos="Shoppings", Projetos="Atacado"),
            _row(2, CNPJ="12.ABC.345/01DE-35", Status=""),
        ],
    )
    job = _import(org_a, bob, path, project=project_a)
    assert job.status == Job.Status.DONE
    assert job.counts == {"created": 2, "updated": 0, "unchanged": 0, "failed": 0}
    first = Client.objects.get(organization=org_a, cnpj=_cnpj(1))
    assert [g.name for g in first.groups.all()] == ["Shoppings"]
    assert [p.name for p in first.projects.all()] == ["Atacado"]
    second = Client.objects.get(organization=org_a, cnpj="12ABC34501DE35")
    # No projects in the file: the client joins the project the operator imports into.
    assert list(second.projects.all()) == [project_a]
    assert second.status == Client.Status.ACTIVE
    assert second.created_by == bob


def test_it_changes_nothing_when_the_same_file_is_imported_again(org_a, bob, tmp_path):
    ClientGroupFactory(organization=org_a, name="Rua")
    path = write_xlsx(
        tmp_path / "in.xlsx", CLIENT_HEADERS, [_row(n, Grupos="Rua") for n in range(5)]
    )
    _import(org_a, bob, path)
    before = list(Client.objects.for_org(org_a).order_by("id").values_list("id", "updated_at"))
    job = _import(org_a, bob, path)
    assert job.counts == {"created": 0, "updated": 0, "unchanged": 5, "failed": 0}
    assert (
        list(Client.objects.for_org(org_a).order_by("id").values_list("id", "updated_at")) == before
    )


def test_it_updates_by_cnpj_and_replaces_relationships(org_a, bob, tmp_path):
    old, new = (
        ClientGroupFactory(organization=org_a, name="Old"),
        ClientGroupFactory(organization=org_a, name="New"),
    )
    client = ClientFactory(organization=org_a, cnpj=_cnpj(7), razao_social="Antiga")
    client.groups.add(old)
    untouched = ClientFactory(organization=org_a, razao_social="Fora do arquivo")
    path = write_xlsx(
        tmp_path / "in.xlsx",
        CLIENT_HEADERS,
        # CNPJ punctuated and typed as a number: both still find the client.
        [_row(7, CNPJ=int(_cnpj(7)), **{"Razão social": "Nova", "Grupos": "New", "Status": ""})],
    )
    job = _import(org_a, bob, path)
    assert job.counts["updated"] == 1
    client.refresh_from_db()
    assert client.razao_social == "Nova"
    assert client.status == Client.Status.ACTIVE  # empty status keeps the current value
    assert list(client.groups.all()) == [new]
    assert client.updated_by == bob
    untouched.refresh_from_db()
    assert untouched.razao_social == "Fora do arquivo"


def test_it_reports_every_bad_row_and_applies_the_good_ones(org_a, org_b, bob, tmp_path):
    ClientGroupFactory(organization=org_b, name="Grupo da B")
    rows = [
        _row(1),
        _row(2, CNPJ="11.111.111/1111-11"),
        _row(3, Grupos="Grupo da B"),
        _row(4),
        _row(4, **{"Razão social": "Outra"}),
        _row(5, **{"E-mail WVDS": "not-an-email"}),
        _row(6, **{"Razão social": "=1+1"}),
        _row(7, **{"Razão social": ""}),
        _row(8, Status="talvez"),
    ]
    path = write_xlsx(tmp_path / "in.xlsx", CLIENT_HEADERS, rows)
    job = _import(org_a, bob, path)
    assert job.counts == {"created": 1, "updated": 0, "unchanged": 0, "failed": 8}
    assert Client.objects.for_org(org_a).count() == 1
    reasons = dict(ImportFailure.objects.filter(job=job).values_list("row_number", "reason"))
    assert "não é um CNPJ válido" in reasons[3]
    assert "não encontrado nesta organização: Grupo da B" in reasons[4]
    assert "mais de uma linha" in reasons[5] and "mais de uma linha" in reasons[6]
    assert "e-mail" in reasons[7]
    assert "fórmula" in reasons[8]
    assert "obrigatório" in reasons[9]
    assert "talvez" in reasons[10]
    workbook = load_workbook(job_file_path(job.result_path), read_only=True)
    failed = list(workbook["Dados"].iter_rows(values_only=True))
    assert list(failed[0]) == [*CLIENT_HEADERS, REASON_HEADER]
    assert failed[1][0] == "11.111.111/1111-11" and "CNPJ" in failed[1][-1]
    assert len(failed) == 9


def test_it_reimports_the_corrected_failed_rows_file(org_a, bob, tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", CLIENT_HEADERS, [_row(1, **{"E-mail WVDS": "x"})])
    job = _import(org_a, bob, path)
    failed = load_workbook(job_file_path(job.result_path))
    failed["Dados"]["E2"] = "certo@example.com"
    failed.save(tmp_path / "fixed.xlsx")
    assert _import(org_a, bob, tmp_path / "fixed.xlsx").counts["created"] == 1


def test_it_skips_blank_rows(org_a, bob, tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", CLIENT_HEADERS, [_row(1), [None] * 9, ["  "], _row(2)])
    job = _import(org_a, bob, path)
    assert job.counts == {"created": 2, "updated": 0, "unchanged": 0, "failed": 0}
    assert job.rows_total == 2


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ([h for h in CLIENT_HEADERS if h != "Razão social"], "Colunas ausentes: Razão social"),
        (["Razao"] + CLIENT_HEADERS[1:], "Colunas desconhecidas: Razao"),
        ([*CLIENT_HEADERS, "Extra"], "Colunas desconhecidas: Extra"),
        ([*CLIENT_HEADERS, "CNPJ"], "Colunas repetidas: CNPJ"),
    ],
)
def test_it_refuses_wrong_header_columns(org_a, bob, tmp_path, headers, message):
    path = write_xlsx(tmp_path / "in.xlsx", headers, [["x"] * len(headers)])
    with translation.override("pt-br"), pytest.raises(FileError, match=message):
        _import(org_a, bob, path)
    assert not Job.objects.exists()


def test_it_accepts_the_format_without_relationship_columns(org_a, bob, tmp_path):
    group = ClientGroupFactory(organization=org_a, name="G")
    client = ClientFactory(organization=org_a, cnpj=_cnpj(1))
    client.groups.add(group)
    headers = [c.header for c in CLIENT_FORMAT_PLAIN]
    path = write_xlsx(tmp_path / "in.xlsx", headers, [_row(1)[: len(headers)]])
    job = _import(org_a, bob, path)
    assert job.counts["updated"] == 1
    assert list(client.groups.all()) == [group]


from clients.resources import CLIENT_FORMAT  # noqa: E402

CLIENT_FORMAT_PLAIN = CLIENT_FORMAT.columns_for("data_plain")


def _refused(org, user, path, message):
    with translation.override("pt-br"), pytest.raises(FileError, match=message):
        _import(org, user, path)
    assert not Job.objects.exists()
    assert not Client.objects.exists()


def test_it_refuses_a_file_that_is_not_xlsx(org_a, bob, tmp_path):
    csv = tmp_path / "clientes.csv"
    csv.write_text("CNPJ;Razão social\n")
    _refused(org_a, bob, csv, "arquivo .xlsx")
    fake = tmp_path / "clientes.xlsx"
    fake.write_text("CNPJ;Razão social\n")
    _refused(org_a, bob, fake, "não é um arquivo .xlsx")


def test_it_refuses_a_corrupted_xlsx(org_a, bob, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", CLIENT_HEADERS, [_row(1)])
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, data[: len(data) // 2] if name.endswith("sheet1.xml") else data)
    _refused(org_a, bob, broken, "danificado")


def _with_sheet(source, target, sheet_xml: bytes):
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as patched,
    ):
        for name in original.namelist():
            data = sheet_xml if name == "xl/worksheets/sheet1.xml" else original.read(name)
            patched.writestr(name, data)
    return target


def _sheet(rows: bytes, dimension: str = "A1:A1") -> bytes:
    return (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><dimension ref="'
        + dimension.encode()
        + b'"/><sheetData>'
        + rows
        + b"</sheetData></worksheet>"
    )


def test_it_refuses_a_zip_bomb_before_reading_it(org_a, bob, tmp_path, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 5 * 1024 * 1024
    good = write_xlsx(tmp_path / "good.xlsx", CLIENT_HEADERS, [_row(1)])
    bomb = _with_sheet(good, tmp_path / "bomb.xlsx", _sheet(b" " * (50 * 1024 * 1024)))
    assert bomb.stat().st_size < 200_000
    _refused(org_a, bob, bomb, "mais de 5 MB")


def test_it_refuses_a_sheet_that_declares_too_many_rows(org_a, bob, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", CLIENT_HEADERS, [_row(1)])
    liar = _with_sheet(good, tmp_path / "liar.xlsx", _sheet(b"", "A1:I5000000"))
    _refused(org_a, bob, liar, "mais de 1.000.000 linhas")


def test_it_refuses_1000001_rows(org_a, bob, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", CLIENT_HEADERS, [_row(1)])
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (n, n, n) for n in range(1, 1_000_003)
    )
    big = _with_sheet(good, tmp_path / "big.xlsx", _sheet(rows))
    _refused(org_a, bob, big, "mais de 1.000.000 linhas")


def test_it_refuses_a_file_over_the_size_limit(org_a, bob, tmp_path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024 * 1024
    path = write_xlsx(
        tmp_path / "in.xlsx",
        CLIENT_HEADERS,
        [_row(n, Anotações=os.urandom(1500).hex()) for n in range(1000)],
    )
    assert path.stat().st_size > settings.IMPORT_MAX_FILE_BYTES
    _refused(org_a, bob, path, "maior que 1 MB")


WRITER_MODES = [
    pytest.param(False, id="inside-a-transaction"),
    # Outside a transaction, as in a worker, chunks commit on the writer thread.
    pytest.param(True, id="writer-thread", marks=pytest.mark.django_db(transaction=True)),
]


@pytest.mark.parametrize("threaded", WRITER_MODES)
def test_it_mixes_new_and_existing_rows_across_many_chunks(
    threaded, org_a, bob, tmp_path, monkeypatch
):
    # Small chunks, so that later chunks are validated while earlier ones are written.
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    monkeypatch.setattr(tasks.import_run_task, "delay", lambda *args: None)
    kept = ClientFactory(organization=org_a, cnpj=_cnpj(5), status=Client.Status.INACTIVE)
    ClientFactory(organization=org_a, cnpj=_cnpj(6), razao_social="Antiga")
    rows = [
        *(_row(n) for n in range(1, 5)),
        _row(5, Status="", **{"Razão social": "Nova Razão"}),
        _row(6, **{"E-mail WVDS": "não é e-mail"}),
        _row(7, Grupos="Inexistente"),
        _row(8, **{"Razão social": "Ação & Cia"}),
    ]
    job = _import(org_a, bob, write_xlsx(tmp_path / "in.xlsx", CLIENT_HEADERS, rows))
    assert job.counts == {"created": 5, "updated": 1, "unchanged": 0, "failed": 2}
    kept.refresh_from_db()
    assert (kept.razao_social, kept.status) == ("Nova Razão", Client.Status.INACTIVE)
    assert "nova razao" in kept.search_text
    assert "acao & cia" in Client.objects.get(organization=org_a, cnpj=_cnpj(8)).search_text
    assert Client.objects.get(organization=org_a, cnpj=_cnpj(6)).razao_social == "Antiga"
    reasons = dict(ImportFailure.objects.filter(job=job).values_list("row_number", "reason"))
    assert "e-mail" in reasons[7]
    assert "Inexistente" in reasons[8]


@pytest.mark.parametrize("threaded", WRITER_MODES)
def test_it_applies_each_chunk_whole_and_resumes_after_a_crash(
    threaded, org_a, bob, tmp_path, monkeypatch
):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    monkeypatch.setattr(tasks.import_run_task, "delay", lambda *args: None)
    group = ClientGroupFactory(organization=org_a, name="G")
    path = write_xlsx(tmp_path / "in.xlsx", CLIENT_HEADERS, [_row(n, Grupos="G") for n in range(5)])
    job = services.import_schedule(
        organization=org_a, user=bob, entity="clients", upload=_upload(path), language="pt-br"
    )
    real, calls = bulk.set_relations, []

    def crash_on_second_chunk(*args, **kwargs):
        calls.append(threading.current_thread() is not threading.main_thread())
        real(*args, **kwargs)  # the chunk's rows and relationships are written…
        if len(calls) == 2:
            raise RuntimeError("worker killed")  # …and then the worker dies

    monkeypatch.setattr(bulk, "set_relations", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        services.import_run(job_id=job.id, organization_id=org_a.id)
    job.refresh_from_db()
    assert calls == [threaded, threaded]
    assert (job.status, job.chunks_done, job.rows_done) == (Job.Status.PENDING, 1, 2)
    assert Client.objects.for_org(org_a).count() == 2
    assert group.clients.count() == 2

    monkeypatch.setattr(bulk, "set_relations", real)
    job = services.import_run(job_id=job.id, organization_id=org_a.id)
    assert job.status == Job.Status.DONE
    assert job.counts == {"created": 5, "updated": 0, "unchanged": 0, "failed": 0}
    assert group.clients.count() == 5


def _zip_sheets(job: Job) -> dict[str, list[tuple]]:
    with zipfile.ZipFile(job_file_path(job.result_path)) as archive:
        return {
            name: list(
                load_workbook(io.BytesIO(archive.read(name)))["Dados"].iter_rows(values_only=True)
            )
            for name in sorted(archive.namelist())
        }


def test_it_exports_one_xlsx_per_file_size_in_a_zip(org_a, org_b, bob, monkeypatch):
    monkeypatch.setattr(exporter, "FILE_ROWS", 2)
    group = ClientGroupFactory(organization=org_a, name="Shoppings")
    for n in range(5):
        ClientFactory(organization=org_a, cnpj=_cnpj(n)).groups.add(group)
    ClientFactory(organization=org_b, razao_social="Da B")
    job = services.export_schedule(
        organization=org_a, user=bob, entity="clients", variant="data", language="pt-br"
    )
    job = services.export_run(job_id=job.id, organization_id=org_a.id)
    assert job.status == Job.Status.DONE and job.rows_done == 5
    sheets = _zip_sheets(job)
    assert len(sheets) == 3
    rows = [row for rows in sheets.values() for row in rows[1:]]
    assert len(rows) == 5
    assert all(row[CLIENT_HEADERS.index("Grupos")] == "Shoppings" for row in rows)
    assert "Da B" not in str(rows)


def test_it_exports_without_relationship_columns(org_a, bob):
    ClientFactory(organization=org_a)
    job = services.export_schedule(
        organization=org_a, user=bob, entity="clients", variant="data_plain", language="pt-br"
    )
    sheets = _zip_sheets(services.export_run(job_id=job.id, organization_id=org_a.id))
    (rows,) = sheets.values()
    assert "Grupos" not in rows[0] and "Projetos" not in rows[0] and "CNPJ" in rows[0]


def test_it_writes_formula_like_cells_as_text(org_a, bob, tmp_path):
    client = ClientFactory(organization=org_a, razao_social="=HYPERLINK(1)", conta="@conta")
    job = services.export_schedule(
        organization=org_a, user=bob, entity="clients", variant="data", language="pt-br"
    )
    job = services.export_run(job_id=job.id, organization_id=org_a.id)
    with zipfile.ZipFile(job_file_path(job.result_path)) as archive:
        data = archive.read(archive.namelist()[0])
    sheet = load_workbook(io.BytesIO(data))["Dados"]
    cell = sheet["B2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s" and cell.quotePrefix
    assert sheet["D2"].quotePrefix
    # The same file imports back unchanged: the text is kept as it was.
    (tmp_path / "back.xlsx").write_bytes(data)
    job = _import(org_a, bob, tmp_path / "back.xlsx")
    assert job.counts["unchanged"] == 1
    client.refresh_from_db()
    assert client.razao_social == "=HYPERLINK(1)"


def test_it_writes_the_empty_format_with_an_information_sheet(org_a):
    with translation.override("pt-br"):
        name, content = services.export_empty_format(entity="clients", language="pt-br")
    assert name.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(content))
    assert [c.value for c in workbook["Dados"][1]] == CLIENT_HEADERS
    assert workbook["Dados"].max_row == 1
    info = list(workbook[INFO_SHEET].iter_rows(values_only=True))
    described = {row[0]: row for row in info[4:]}
    assert set(described) == set(CLIENT_HEADERS)
    assert described["CNPJ"][1] == "Sim"
    assert "active, inactive" in described["Status"][3]
    assert described["Status"][6] == "Mantém o valor atual."
    validations = workbook["Dados"].data_validations.dataValidation
    assert any(v.formula1 == '"active,inactive"' for v in validations)


def test_it_reads_the_data_sheet_even_when_it_is_not_the_first(org_a, bob, tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", CLIENT_HEADERS, [_row(1)])
    workbook = load_workbook(path)
    workbook.create_sheet("Leia-me", 0)
    workbook.save(path)
    assert _import(org_a, bob, path).counts["created"] == 1


def test_it_cuts_cells_longer_than_excels_limit_and_says_so(org_a, bob):
    ClientFactory(organization=org_a, anotacoes="a" * 40_000)
    job = services.export_schedule(
        organization=org_a, user=bob, entity="clients", variant="data", language="en"
    )
    job = services.export_run(job_id=job.id, organization_id=org_a.id)
    with zipfile.ZipFile(job_file_path(job.result_path)) as archive:
        workbook = load_workbook(io.BytesIO(archive.read(archive.namelist()[0])))
    notes = workbook["Dados"]["F2"].value
    assert len(notes) == 32_767 and notes.endswith("a[…]")
    explained = workbook[INFO_SHEET]["A3"].value
    assert "32,767" in explained and "[…]" in explained


def test_it_escapes_what_xml_reserves_and_drops_control_characters(org_a, bob):
    ClientFactory(organization=org_a, razao_social="A & B <Ltda>\x07", conta="\x01")
    job = services.export_schedule(
        organization=org_a, user=bob, entity="clients", variant="data", language="pt-br"
    )
    (rows,) = _zip_sheets(services.export_run(job_id=job.id, organization_id=org_a.id)).values()
    assert rows[1][1] == "A & B <Ltda>" and rows[1][3] in (None, "")


def test_a_job_scheduled_while_the_broker_is_down_is_saved_and_the_page_does_not_fail(
    org_a, bob, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def broker_down(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.import_run_task, "delay", broker_down)
    path = write_xlsx(tmp_path / "in.xlsx", CLIENT_HEADERS, [])
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_schedule(
            organization=org_a,
            user=bob,
            entity="clients",
            upload=SimpleUploadedFile("in.xlsx", path.read_bytes()),
            language="pt-br",
        )
    # Saved and pending: the resume task hands it to a worker once the broker is back.
    assert Job.objects.get(pk=job.pk).status == Job.Status.PENDING
