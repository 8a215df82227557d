from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogs import services
from catalogs.models import Catalog, CatalogDocument
from catalogs.selectors import catalog_list, catalogs_for_client
from tests.factories import CatalogDocumentFactory, CatalogFactory, ClientFactory

pytestmark = pytest.mark.django_db


def test_it_creates_catalogs_in_order(org_a):
    first = services.catalog_create(organization=org_a, name=" Verão ")
    second = services.catalog_create(organization=org_a, name="Inverno", description="Coleção")
    assert (first.name, first.order) == ("Verão", 1)
    assert second.order == 2


def test_it_refuses_a_duplicate_name_in_any_case(org_a, org_b):
    services.catalog_create(organization=org_a, name="Verão")
    with pytest.raises(ValidationError) as exc:
        services.catalog_create(organization=org_a, name="VERÃO")
    assert "name" in exc.value.message_dict
    # Another organization may use the same name.
    services.catalog_create(organization=org_b, name="Verão")


def test_it_renames(org_a):
    catalog = services.catalog_create(organization=org_a, name="Verão")
    services.catalog_update(organization=org_a, catalog=catalog, name="Verão 2027")
    catalog.refresh_from_db()
    assert catalog.name == "Verão 2027"


def test_it_refuses_another_organizations_catalog(org_a, org_b):
    catalog = CatalogFactory(organization=org_a)
    with pytest.raises(ValidationError):
        services.catalog_update(organization=org_b, catalog=catalog, name="Hijack")
    with pytest.raises(ValidationError):
        services.catalog_delete(organization=org_b, catalog=catalog)
    assert Catalog.objects.filter(pk=catalog.pk).exists()


def test_it_moves_catalogs_up_and_down(org_a):
    a, b, c = (services.catalog_create(organization=org_a, name=n) for n in "ABC")
    services.catalog_move(organization=org_a, catalog=c, direction="up")
    assert list(Catalog.objects.for_org(org_a).values_list("name", flat=True)) == ["A", "C", "B"]
    services.catalog_move(organization=org_a, catalog=a, direction="up")  # already first
    services.catalog_move(organization=org_a, catalog=a, direction="down")
    assert list(Catalog.objects.for_org(org_a).values_list("name", flat=True)) == ["C", "A", "B"]


def test_it_stores_a_pdf_through_the_default_storage(org_a, pdf_upload, pdf_bytes):
    catalog = CatalogFactory(organization=org_a)
    document = services.document_add(
        organization=org_a, catalog=catalog, title="Coleção", file=pdf_upload
    )
    assert document.file_name == "Coleção Verão.pdf"
    assert document.file.name.startswith(f"catalogs/{org_a.pk}/")
    assert document.file.name.endswith(".pdf")
    with default_storage.open(document.file.name) as stored:
        assert stored.read() == pdf_bytes


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile(
            "evil.pdf", b"<script>alert(1)</script>", content_type="application/pdf"
        ),
        SimpleUploadedFile("macro.docm", b"PK\x03\x04 not allowed", content_type="application/zip"),
        SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_pdf_or_image(org_a, upload):
    catalog = CatalogFactory(organization=org_a)
    with pytest.raises(ValidationError) as exc:
        services.document_add(organization=org_a, catalog=catalog, title="X", file=upload)
    assert exc.value.message_dict["file"] == [str(services.BAD_TYPE)]
    assert not CatalogDocument.objects.exists()


def test_it_refuses_an_oversized_file(org_a, settings, pdf_bytes):
    settings.CATALOG_DOCUMENT_MAX_BYTES = 1000
    catalog = CatalogFactory(organization=org_a)
    upload = SimpleUploadedFile("big.pdf", pdf_bytes + b"0" * 1000)
    with pytest.raises(ValidationError) as exc:
        services.document_add(organization=org_a, catalog=catalog, title="X", file=upload)
    assert "too large" in exc.value.message_dict["file"][0]
    assert not CatalogDocument.objects.exists()


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.com/x.pdf", "data:text/html,x", "example"]
)
def test_it_refuses_a_link_that_is_not_http(org_a, url):
    catalog = CatalogFactory(organization=org_a)
    with pytest.raises(ValidationError) as exc:
        services.document_add(organization=org_a, catalog=catalog, title="X", url=url)
    assert exc.value.message_dict["url"] == [str(services.BAD_URL)]


def test_it_wants_a_file_or_a_link_not_both(org_a, pdf_upload):
    catalog = CatalogFactory(organization=org_a)
    with pytest.raises(ValidationError):
        services.document_add(organization=org_a, catalog=catalog, title="X")
    with pytest.raises(ValidationError):
        services.document_add(
            organization=org_a,
            catalog=catalog,
            title="X",
            file=pdf_upload,
            url="https://example.com",
        )
    assert not CatalogDocument.objects.exists()


def test_deleting_a_catalog_deletes_its_files(
    org_a, pdf_upload, django_capture_on_commit_callbacks
):
    catalog = CatalogFactory(organization=org_a)
    document = services.document_add(
        organization=org_a, catalog=catalog, title="Coleção", file=pdf_upload
    )
    name = document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.catalog_delete(organization=org_a, catalog=catalog)
    assert not default_storage.exists(name)
    assert not CatalogDocument.objects.exists()


def test_it_moves_documents(org_a):
    catalog = CatalogFactory(organization=org_a)
    first = services.document_add(
        organization=org_a, catalog=catalog, title="1", url="https://example.com/1"
    )
    services.document_add(
        organization=org_a, catalog=catalog, title="2", url="https://example.com/2"
    )
    services.document_move(organization=org_a, document=first, direction="down")
    assert [d.title for d in catalog.documents.all()] == ["2", "1"]


def test_release_and_the_portal_selector(org_a, org_b):
    client = ClientFactory(organization=org_a)
    other = ClientFactory(organization=org_a)
    summer = CatalogFactory(organization=org_a, name="Verão", order=2)
    winter = CatalogFactory(organization=org_a, name="Inverno", order=1)
    CatalogFactory(organization=org_a, name="Não liberado")
    CatalogDocumentFactory(catalog=summer, title="B", order=2)
    CatalogDocumentFactory(catalog=summer, title="A", order=1)
    services.catalog_release(organization=org_a, catalog=summer, clients=[client])
    services.client_catalogs_set(organization=org_a, client=client, catalogs=[summer, winter])
    services.catalog_release(organization=org_a, catalog=winter, clients=[other])
    catalogs = list(catalogs_for_client(client))
    assert [c.name for c in catalogs] == ["Inverno", "Verão"]
    assert [d.title for d in catalogs[1].documents.all()] == ["A", "B"]
    services.catalog_withdraw(organization=org_a, catalog=winter, clients=[client])
    assert [c.name for c in catalogs_for_client(client)] == ["Verão"]


def test_it_never_releases_across_organizations(org_a, org_b):
    catalog = CatalogFactory(organization=org_a)
    foreign_client = ClientFactory(organization=org_b)
    with pytest.raises(ValidationError):
        services.catalog_release(organization=org_a, catalog=catalog, clients=[foreign_client])
    with pytest.raises(ValidationError) as exc:
        services.client_catalogs_set(organization=org_b, client=foreign_client, catalogs=[catalog])
    assert "catalogs" in exc.value.message_dict
    assert not catalog.clients.exists()


def test_catalogs_by_codes_refuses_foreign_or_unknown_codes(org_a, org_b):
    mine = CatalogFactory(organization=org_a)
    foreign = CatalogFactory(organization=org_b)
    assert services.catalogs_by_codes(organization=org_a, codes=[str(mine.code)]) == [mine]
    for codes in ([str(foreign.code)], [str(mine.code), str(foreign.code)], ["not-a-uuid"]):
        with pytest.raises(ValidationError) as exc:
            services.catalogs_by_codes(organization=org_a, codes=codes)
        assert exc.value.message_dict["catalogs"] == [str(services.FOREIGN_CATALOGS)]


def test_the_list_counts_documents_and_clients_without_multiplying_them(org_a, org_b):
    full = CatalogFactory(organization=org_a, name="Cheio", order=1)
    CatalogFactory(organization=org_a, name="Vazio", order=2)
    CatalogFactory(organization=org_b, name="Alheio")
    for _n in range(2):
        CatalogDocumentFactory(catalog=full)
    services.catalog_release(
        organization=org_a,
        catalog=full,
        clients=[ClientFactory(organization=org_a) for _n in range(3)],
    )
    counts = [(c.name, c.document_count, c.client_count) for c in catalog_list(organization=org_a)]
    assert counts == [("Cheio", 2, 3), ("Vazio", 0, 0)]
