"""The Django admin writes clients itself: the row rule runs there too."""

from __future__ import annotations

import io

from django.urls import reverse

from clients.models import Client


def test_the_admin_stores_a_pasted_cnpj_normalized(admin_client, org_a):
    data = {
        "organization": org_a.pk,
        "cnpj": "12.abc.345/01de-35",
        "razao_social": "Comércio São João Ltda",
        "nome_fantasia": "",
        "conta": "",
        "email_wvds": "CVC@B2midia.com.br",
        "status": "active",
        "anotacoes": "",
    }
    response = admin_client.post(reverse("admin:clients_client_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client = Client.objects.get()
    assert (client.cnpj, client.email_wvds) == ("12ABC34501DE35", "cvc@b2midia.com.br")
    assert "comercio sao joao" in client.search_text
    # The same CNPJ again, typed otherwise: refused beside the field, nothing added.
    again = admin_client.post(
        reverse("admin:clients_client_add"), {**data, "cnpj": "12ABC34501DE35"}
    )
    assert again.status_code == 200 and Client.objects.count() == 1


def test_it_keeps_the_admin_for_staff(charlie_client):
    # The admin is the superusers'; an organization's admin like charlie is sent to its login.
    response = charlie_client.get(reverse("admin:clients_client_add"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_export_writes_formulas_as_text(org_a):
    from import_export.formats.base_formats import XLSX
    from openpyxl import load_workbook

    from clients.resources import ClientResource
    from tests.factories import ClientFactory

    ClientFactory(organization=org_a, razao_social='=HYPERLINK("http://x","y")')
    content = XLSX().export_data(ClientResource().export())
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for row in workbook.active.iter_rows(min_row=2) for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
