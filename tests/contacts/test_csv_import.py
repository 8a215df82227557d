"""The Contatos screen's .csv import (users_template.csv) through the import engine: the
same job, chunks, failed rows and notification as the .xlsx imports."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from contacts.models import Contact
from importexport import services
from importexport.models import ImportFailure
from importexport.xlsx import FileError
from notifications.models import Job
from portal.models import PortalAccount
from tests.factories import ClientFactory, ContactFactory, MembershipFactory, UserFactory
from tests.importexport.conftest import celery_worker, job_files, wait_for_job  # noqa: F401

pytestmark = pytest.mark.django_db
HEADER = "Nome;E-mail;Empresa (CNPJ);Telefone"


@pytest.fixture
def operator(org_a):
    user = UserFactory()
    MembershipFactory(organization=org_a, user=user)
    return org_a, user


def _upload(text: str, *, name: str = "users.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), "text/csv")


def _import(operator, upload) -> Job:
    organization, user = operator
    job = services.import_schedule(
        organization=organization, user=user, entity="contacts_csv", upload=upload, language="en"
    )
    return services.import_run(job_id=job.pk, organization_id=organization.pk)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (f"{HEADER}\r\nMaria;MARIA@x.com.br;;\r\n", "utf-8"),
        (f"\ufeff{HEADER}\nMaria;maria@x.com.br;;\n", "utf-8"),
        ("Nome,E-mail,Empresa (CNPJ),Telefone\nMaria,maria@x.com.br,,\n", "utf-8"),
    ],
    ids=["semicolon", "bom", "comma"],
)
def test_it_imports_utf8_with_or_without_bom_and_either_separator(operator, text, encoding):
    job = _import(operator, _upload(text, encoding=encoding))
    assert job.status == Job.Status.DONE and job.counts["created"] == 1
    contact = Contact.objects.get()
    assert contact.email == "maria@x.com.br" and contact.client is None
    assert contact.search_text.startswith("maria")  # the row rule ran
    assert not PortalAccount.objects.exists()  # Não registrado


def test_it_links_the_company_by_cnpj_and_updates_by_email(operator):
    organization, _user = operator
    client = ClientFactory(organization=organization)
    existing = ContactFactory(client=None, organization=organization, email="ana@x.com.br")
    text = f"{HEADER}\nAna Nova;ANA@x.com.br;{client.cnpj_formatted};\nBia;bia@x.com.br;;\n"
    job = _import(operator, _upload(text))
    assert job.counts == {"created": 1, "updated": 1, "unchanged": 0, "failed": 0}
    existing.refresh_from_db()
    assert existing.name == "Ana Nova" and existing.client == client


def test_bad_rows_fail_with_reasons_and_the_rest_is_imported(operator):
    text = (
        f"{HEADER}\n"
        "Ok;ok@x.com.br;;\n"
        "Bad;not-an-email;;\n"
        "Dup;dup@x.com.br;;\n"
        "Dup again;DUP@x.com.br;;\n"
        "Unknown company;u@x.com.br;11.111.111/0001-11;\n"
    )
    job = _import(operator, _upload(text))
    assert job.counts["created"] == 1 and job.counts["failed"] == 4
    reasons = " ".join(ImportFailure.objects.values_list("reason", flat=True))
    assert "not a valid e-mail" in reasons and "more than one row" in reasons
    assert list(Contact.objects.values_list("email", flat=True)) == ["ok@x.com.br"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (_upload("Name;Mail\nMaria;m@x.com\n"), "Missing columns"),
        (_upload(f"{HEADER}\nJoão;j@x.com;;\n", encoding="latin-1"), "not UTF-8"),
        (SimpleUploadedFile("users.csv", b"PK\x03\x04rest"), "spreadsheet"),
        (_upload(f'{HEADER}\n"unclosed;j@x.com;;\n'), "cannot be read"),
        (_upload(f"{HEADER}\n", name="users.txt"), ".xlsx"),
    ],
    ids=["headers", "latin-1", "xlsx-renamed", "quotes", "not-csv"],
)
def test_a_file_that_cannot_be_imported_is_refused_whole(operator, upload, message):
    with translation.override("en"), pytest.raises(FileError, match=message):
        _import(operator, upload)
    assert not Job.objects.exists() and not Contact.objects.exists()


def test_a_file_over_the_size_limit_is_refused(operator, settings):
    settings.IMPORT_MAX_FILE_BYTES = 1024 * 1024
    with translation.override("en"), pytest.raises(FileError, match="larger than 1 MB"):
        _import(operator, _upload(HEADER + "\n" + "Maria;m@x.com;;\n" * 70_000))


@pytest.mark.django_db(transaction=True)
def test_it_runs_in_a_real_worker(celery_worker, operator):  # noqa: F811
    organization, user = operator
    rows = "".join(f"Pessoa {n};p{n}@x.com.br;;\n" for n in range(50))
    job = services.import_schedule(
        organization=organization,
        user=user,
        entity="contacts_csv",
        upload=_upload(f"{HEADER}\n{rows}"),
        language="pt-br",
    )
    job = wait_for_job(job)
    assert job.status == Job.Status.DONE, job.failure_text
    assert Contact.objects.filter(organization=organization).count() == 50


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_csv_of_three_chunks_runs_in_a_real_worker(celery_worker, operator):  # noqa: F811
    # Past the 7,000-row chunk twice, with a bad row in the last chunk: the good rows of
    # every chunk are stored, the bad one is reported with its reason.
    organization, user = operator
    rows = [f"Pessoa {n};p{n}@x.com.br;;\n" for n in range(15_000)]
    rows.insert(14_500, "Sem e-mail;não-é-e-mail;;\n")
    job = services.import_schedule(
        organization=organization,
        user=user,
        entity="contacts_csv",
        upload=_upload(f"{HEADER}\n{''.join(rows)}"),
        language="pt-br",
    )
    job = wait_for_job(job, timeout=240)
    assert job.status == Job.Status.DONE, job.failure_text
    assert job.chunks_done == 3
    assert job.counts["created"] == 15_000 and job.counts["failed"] == 1
    assert Contact.objects.filter(organization=organization).count() == 15_000
