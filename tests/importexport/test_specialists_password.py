"""The specialists' "Senha" column: write-only, checked per row with the password policy,
stored hashed; through the job import (in a worker too) and the Django admin's import."""

from __future__ import annotations

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from openpyxl import load_workbook

from importexport import services
from importexport.admin_resources import ORGANIZATION_HEADER
from importexport.exporter import empty_format, export_rows
from importexport.importer import CHUNK_ROWS
from importexport.models import ImportFailure
from notifications.models import Job
from notifications.services import job_file_path
from specialists.models import Specialist
from specialists.resources import SPECIALIST_FORMAT, SpecialistResource
from tenancy.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, SpecialistFactory, UserFactory
from tests.importexport.conftest import wait_for_job, write_xlsx

# A job's columns: the declared ones, then "Senha" (then the organization's own, none here).
HEADERS = [*(column.header for column in SPECIALIST_FORMAT.columns), "Senha"]
GOOD = "Turno-Noturno-2026"
# Three rows: a new specialist with a good password, one with a password the policy
# refuses (too short, all digits), one without a password.
ROWS = [
    ("ana@empresa.com", "Ana Lima", GOOD),
    ("caio@empresa.com", "Caio Reis", "1234"),
    ("bia@empresa.com", "Bia Souza", ""),
]


def _row(email: str, name: str, password: str) -> list:
    row = dict.fromkeys(HEADERS, "")
    row.update({"E-mail": email, "Nome": name, "Senha": password})
    row.update({"Status": "active", "Cultura": "pt-br"})
    return list(row.values())


def _file(tmp_path, rows=ROWS):
    return write_xlsx(tmp_path / "especialistas.xlsx", HEADERS, [_row(*row) for row in rows])


def _schedule(org, user, path) -> Job:
    return services.import_schedule(
        organization=org,
        user=user,
        entity="specialists",
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
        language="en",
    )


def _import(org, user, path) -> Job:
    job = _schedule(org, user, path)
    return services.import_run(job_id=job.id, organization_id=org.id)


def _ana_logs_in_with(password: str) -> bool:
    return Specialist.objects.get(email="ana@empresa.com").user.check_password(password)


def _assert_three_rows_done(org) -> None:
    assert set(Specialist.objects.for_org(org).values_list("email", flat=True)) == {
        "ana@empresa.com",
        "bia@empresa.com",
    }
    ana = Specialist.objects.get(organization=org, email="ana@empresa.com")
    assert ana.user.password.startswith(("pbkdf2", "md5", "argon2", "bcrypt", "scrypt"))
    assert GOOD not in ana.user.password
    assert ana.user.check_password(GOOD) and ana.user.is_active
    assert Membership.objects.filter(organization=org, user=ana.user).exists()
    assert Specialist.objects.get(organization=org, email="bia@empresa.com").user is None


def test_the_job_import_checks_each_password_and_stores_its_hash(org_a, bob, tmp_path):
    job = _import(org_a, bob, _file(tmp_path))
    assert job.counts == {"created": 2, "updated": 0, "unchanged": 0, "failed": 1}
    _assert_three_rows_done(org_a)
    (failure,) = ImportFailure.objects.filter(job=job)
    assert failure.row_number == 3 and "Senha" in failure.reason
    # The failed rows' report keeps no password.
    assert "1234" not in failure.cells


def test_an_empty_password_cell_keeps_the_password(org_a, bob, tmp_path):
    _import(org_a, bob, _file(tmp_path, [ROWS[0]]))
    job = _import(org_a, bob, _file(tmp_path, [("ana@empresa.com", "Ana Lima", "")]))
    assert job.counts == {"created": 0, "updated": 0, "unchanged": 1, "failed": 0}
    assert _ana_logs_in_with(GOOD)
    # A new password alone is a change.
    job = _import(org_a, bob, _file(tmp_path, [("ana@empresa.com", "Ana Lima", "Outra-Senha-77")]))
    assert job.counts == {"created": 0, "updated": 1, "unchanged": 0, "failed": 0}
    assert _ana_logs_in_with("Outra-Senha-77")


def test_a_refused_password_writes_nothing_of_its_row(org_a, bob, tmp_path):
    SpecialistFactory(organization=org_a, email="caio@empresa.com", name="Caio")
    # The policy compares the password with the specialist's name and e-mail too.
    job = _import(
        org_a, bob, _file(tmp_path, [("caio@empresa.com", "Caio Renomeado", "caio@empresa")])
    )
    assert job.counts["failed"] == 1
    caio = Specialist.objects.get(organization=org_a)
    assert caio.name == "Caio" and caio.user is None


def test_an_administrators_password_is_left_to_its_owner(org_a, alice, bob, tmp_path):
    SpecialistFactory(organization=org_a, email=alice.email, name="Alice", user=alice)
    job = _import(org_a, bob, _file(tmp_path, [(alice.email, "Alice", GOOD)]))
    assert job.counts["failed"] == 1
    alice.refresh_from_db()
    assert not alice.check_password(GOOD)


def test_exports_never_carry_a_password(org_a, bob, tmp_path):
    fmt = SPECIALIST_FORMAT.for_organization(org_a.id)
    specialist = SpecialistFactory(organization=org_a, email="ana@empresa.com")
    specialist.user = UserFactory(username="ana@empresa.com")
    specialist.save()
    columns = fmt.columns_for("data")
    (row,) = export_rows(fmt, columns, org_a.id, specialist.pk, specialist.pk)
    assert row[[c.header for c in columns].index("Senha")] == ""
    dataset = SpecialistResource().export()
    assert dataset["Senha"] == [""]
    assert specialist.user.password not in dataset.csv


def test_the_template_describes_the_column(org_a, tmp_path):
    empty_format(SPECIALIST_FORMAT.for_organization(org_a.id), tmp_path / "t.xlsx", "en")
    workbook = load_workbook(tmp_path / "t.xlsx")
    assert "Senha" in next(workbook["Dados"].iter_rows(values_only=True))
    info = {row[0]: row for row in workbook["Informações"].iter_rows(values_only=True)}
    assert "password policy" in info["Senha"][5] and "Never exported" in info["Senha"][5]


def _admin_dataset(org, rows=ROWS) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[*HEADERS, ORGANIZATION_HEADER])
    for row in rows:
        dataset.append([*_row(*row), org.slug])
    return dataset


def test_the_admin_import_applies_the_same_rule(org_a):
    result = SpecialistResource().import_data(_admin_dataset(org_a), dry_run=False)
    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == 2
    assert "Senha" in str(invalid.error_dict)
    _assert_three_rows_done(org_a)
    # Unchanged but for a new password: not skipped.
    result = SpecialistResource().import_data(
        _admin_dataset(org_a, [("ana@empresa.com", "Ana Lima", "Outra-Senha-77")]), dry_run=False
    )
    assert not result.has_validation_errors() and not result.has_errors()
    assert _ana_logs_in_with("Outra-Senha-77")


@pytest.mark.django_db(transaction=True)
def test_it_imports_passwords_in_a_worker(celery_worker, tmp_path):
    organization, user = OrganizationFactory(), UserFactory()
    MembershipFactory(organization=organization, user=user)
    job = wait_for_job(_schedule(organization, user, _file(tmp_path)))
    assert job.status == Job.Status.DONE, job.failure_text
    assert job.counts == {"created": 2, "updated": 0, "unchanged": 0, "failed": 1}
    _assert_three_rows_done(organization)
    failed = load_workbook(job_file_path(job.result_path))["Dados"]
    reason = failed.cell(row=2, column=failed.max_column).value
    assert "Senha" in reason
    assert "1234" not in [cell.value for cell in failed[2]]


@pytest.mark.slow
def test_passwords_land_on_their_rows_across_chunks(org_a, bob, tmp_path):
    # Two chunks; a password in each, on rows created among thousands without one.
    rows = [(f"e{n}@empresa.com", f"Especialista {n}", "") for n in range(CHUNK_ROWS + 2)]
    rows[10] = ("dez@empresa.com", "Dez", "1234")
    rows[CHUNK_ROWS - 1] = ("ultimo@empresa.com", "Último", GOOD)
    rows[CHUNK_ROWS + 1] = ("ana@empresa.com", "Ana Lima", GOOD)
    job = _import(org_a, bob, _file(tmp_path, rows))
    assert job.counts == {"created": CHUNK_ROWS + 1, "updated": 0, "unchanged": 0, "failed": 1}
    with_login = Specialist.objects.for_org(org_a).filter(user__isnull=False)
    assert sorted(with_login.values_list("email", flat=True)) == [
        "ana@empresa.com",
        "ultimo@empresa.com",
    ]
    assert _ana_logs_in_with(GOOD)
    assert ImportFailure.objects.get(job=job).row_number == 12


def test_the_admin_import_screens_check_the_passwords(org_a):
    staff = HttpClient()
    staff.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:specialists_specialist_import")
    form = staff.get(url).context["form"]
    csv = next(value for value, name in form.fields["format"].choices if name == "csv")

    def upload(rows):
        content = _admin_dataset(org_a, rows).export("csv").encode()
        file = SimpleUploadedFile("especialistas.csv", content, content_type="text/csv")
        return staff.post(url, {"import_file": file, "format": csv, "resource": 0})

    refused = upload(ROWS)
    assert not refused.context.get("confirm_form")
    assert "Senha" in refused.content.decode() and not Specialist.objects.exists()
    # The refused row is shown back without its password.
    assert "1234" not in refused.content.decode()
    preview = upload([ROWS[0], ROWS[2]])
    confirm = preview.context["confirm_form"]
    done = staff.post(
        reverse("admin:specialists_specialist_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert done.status_code == 302
    _assert_three_rows_done(org_a)
