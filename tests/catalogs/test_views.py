from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogs.models import Catalog, CatalogDocument
from catalogs.services import document_add
from tests.factories import CatalogDocumentFactory, CatalogFactory, SearchableClientFactory

pytestmark = pytest.mark.django_db


def test_it_lists_and_creates_catalogs(alice_client, org_a):
    CatalogFactory(organization=org_a, name="Inverno")
    response = alice_client.get(reverse("catalogs:list"))
    assert response.status_code == 200
    assert "Inverno" in response.content.decode()
    response = alice_client.post(reverse("catalogs:create"), {"name": "Verão"})
    catalog = Catalog.objects.get(name="Verão")
    assert response.status_code == 302
    assert response.url == reverse("catalogs:detail", kwargs={"code": catalog.code})


def test_a_duplicate_name_is_refused_with_a_message(alice_client, org_a):
    CatalogFactory(organization=org_a, name="Verão")
    response = alice_client.post(reverse("catalogs:create"), {"name": "verão"})
    assert response.status_code == 422
    assert "already exists" in response.content.decode()
    assert Catalog.objects.count() == 1


def test_operators_may_not_manage_catalogs(bob_client, org_a):
    catalog = CatalogFactory(organization=org_a)
    assert bob_client.get(reverse("catalogs:list")).status_code == 403
    assert bob_client.post(reverse("catalogs:create"), {"name": "X"}).status_code == 403
    url = reverse("catalogs:delete", kwargs={"code": catalog.code})
    assert bob_client.post(url).status_code == 403
    assert Catalog.objects.filter(pk=catalog.pk).exists()


def test_it_renames_and_deletes(alice_client, org_a):
    catalog = CatalogFactory(organization=org_a, name="Verão")
    url = reverse("catalogs:detail", kwargs={"code": catalog.code})
    assert alice_client.post(url, {"name": "Verão 27", "description": ""}).status_code == 302
    catalog.refresh_from_db()
    assert catalog.name == "Verão 27"
    delete = reverse("catalogs:delete", kwargs={"code": catalog.code})
    assert "Verão 27" in alice_client.get(delete).content.decode()  # the no-JS confirmation
    response = alice_client.post(delete, HTTP_HX_REQUEST="true")
    assert response.headers["HX-Redirect"] == reverse("catalogs:list")
    assert not Catalog.objects.exists()


def test_it_adds_a_pdf_and_serves_it_to_members_only(
    alice_client, bob_client, charlie_client, org_a, pdf_upload, pdf_bytes
):
    catalog = CatalogFactory(organization=org_a)
    url = reverse("catalogs:document_add", kwargs={"code": catalog.code})
    response = alice_client.post(url, {"title": "Coleção", "file": pdf_upload, "url": ""})
    assert response.status_code == 302
    document = CatalogDocument.objects.get()
    download = reverse("catalogs:document_download", kwargs={"code": document.code})
    response = bob_client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Cole" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == pdf_bytes
    assert charlie_client.get(download).status_code == 404


def test_bad_documents_are_refused_with_a_message(alice_client, org_a):
    catalog = CatalogFactory(organization=org_a)
    url = reverse("catalogs:document_add", kwargs={"code": catalog.code})
    html = SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script>", "application/pdf")
    response = alice_client.post(url, {"title": "X", "file": html, "url": ""})
    assert response.status_code == 422
    assert "Upload a PDF, PNG or JPEG file." in response.content.decode()
    response = alice_client.post(url, {"title": "X", "url": "javascript:alert(1)"})
    assert response.status_code == 422
    assert "http://" in response.content.decode()
    assert not CatalogDocument.objects.exists()


def test_it_moves_and_deletes_documents(alice_client, org_a):
    catalog = CatalogFactory(organization=org_a)
    first = document_add(
        organization=org_a, catalog=catalog, title="1", url="https://example.com/1"
    )
    document_add(organization=org_a, catalog=catalog, title="2", url="https://example.com/2")
    alice_client.post(
        reverse("catalogs:document_move", kwargs={"code": first.code}), {"direction": "down"}
    )
    assert [d.title for d in catalog.documents.all()] == ["2", "1"]
    alice_client.post(reverse("catalogs:document_delete", kwargs={"code": first.code}))
    assert [d.title for d in catalog.documents.all()] == ["2"]


def test_it_releases_to_a_client_found_by_the_search(alice_client, org_a, htmx_headers):
    catalog = CatalogFactory(organization=org_a)
    client = SearchableClientFactory(organization=org_a, razao_social="Padaria Estrela Ltda")
    candidates = reverse("catalogs:candidates", kwargs={"code": catalog.code})
    response = alice_client.get(candidates, {"q": "estrela"}, **htmx_headers)
    body = response.content.decode()
    assert "Padaria Estrela" in body and "<html" not in body
    alice_client.post(
        reverse("catalogs:release", kwargs={"code": catalog.code}), {"client": client.code}
    )
    assert list(catalog.clients.all()) == [client]
    page = alice_client.get(reverse("catalogs:detail", kwargs={"code": catalog.code}))
    assert "Padaria Estrela" in page.content.decode()
    alice_client.post(
        reverse("catalogs:withdraw", kwargs={"code": catalog.code}), {"client": client.code}
    )
    assert not catalog.clients.exists()


def test_charlie_gets_404_on_everything_of_organization_a(charlie_client, org_a):
    catalog = CatalogFactory(organization=org_a)
    document = CatalogDocumentFactory(catalog=catalog)
    client = SearchableClientFactory(organization=org_a)
    for name in ("detail", "delete", "move", "candidates", "document_add"):
        url = reverse(f"catalogs:{name}", kwargs={"code": catalog.code})
        assert charlie_client.get(url).status_code in (404, 405)
        assert charlie_client.post(
            url, {"name": "x", "title": "x", "url": "https://e.com"}
        ).status_code in (404, 405)
    for name in ("release", "withdraw"):
        url = reverse(f"catalogs:{name}", kwargs={"code": catalog.code})
        assert charlie_client.post(url, {"client": client.code}).status_code == 404
    for name in ("document_download", "document_delete", "document_move"):
        url = reverse(f"catalogs:{name}", kwargs={"code": document.code})
        assert charlie_client.post(url).status_code in (404, 405)
    assert Catalog.objects.get().name == catalog.name
    assert CatalogDocument.objects.count() == 1


def test_the_django_admin_lists_a_catalog_and_refuses_foreign_clients(admin_client, org_a, org_b):
    catalog = CatalogFactory(organization=org_a, name="Verão")
    CatalogDocumentFactory(catalog=catalog, title="Lookbook")
    assert admin_client.get(reverse("admin:catalogs_catalog_changelist")).status_code == 200
    change = reverse("admin:catalogs_catalog_change", args=[catalog.pk])
    assert "Lookbook" in admin_client.get(change).content.decode()
    foreign = SearchableClientFactory(organization=org_b)
    response = admin_client.post(
        reverse("admin:catalogs_catalog_add"),
        {
            "organization": org_a.pk,
            "name": "Inverno",
            "description": "",
            "order": 2,
            "clients": str(foreign.pk),
            "documents-TOTAL_FORMS": 0,
            "documents-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert not Catalog.objects.filter(name="Inverno").exists()
