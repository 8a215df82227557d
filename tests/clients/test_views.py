from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Client
from tests.factories import ProjectFactory, SearchableClientFactory

LIST = reverse("clients:list")
CREATE = reverse("clients:create")
VALID = {
    "cnpj": "11.222.333/0001-81",
    "razao_social": "Ótica Três Irmãos ME",
    "nome_fantasia": "Três Irmãos",
    "conta": "rj-7",
    "email_wvds": "oticas@wvds.com.br",
    "status": "active",
    "anotacoes": "Cliente desde 2019.",
}


def _edit(client):
    return reverse("clients:edit", args=[client.code])


def _delete(client):
    return reverse("clients:delete", args=[client.code])


# The list


def test_it_shows_the_list_with_the_seeds_labels(bob_client, acme):
    response = bob_client.get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    for label in ("Clientes", "Buscar por", "Novo Cliente", "12.ABC.345/01DE-35", "Email WVDS"):
        assert label in body
    assert acme.razao_social in body


def test_it_searches_with_a_plain_get(bob_client, acme, org_a):
    SearchableClientFactory(
        organization=org_a, razao_social="Farmácia Bela Vista", nome_fantasia="Bela Vista"
    )
    response = bob_client.get(LIST, {"q": "sao joao"})
    body = response.content.decode()
    assert "<html" in body
    assert 'value="sao joao"' in body
    assert "Comércio <mark>São</mark> <mark>João</mark> Ltda" in body
    assert "Bela Vista" not in body
    assert "1 cliente" in body


def test_it_answers_htmx_with_the_results_fragment_only(bob_client, acme, htmx_headers):
    response = bob_client.get(LIST, {"q": "345/01"}, **htmx_headers)
    body = response.content.decode()
    assert "<html" not in body and "Buscar por" not in body
    assert 'id="client-search"' not in body
    assert "12.ABC.<mark>345/01</mark>DE-35" in body


def test_it_answers_a_history_restore_with_the_whole_page(bob_client, acme, htmx_headers):
    response = bob_client.get(
        LIST, {"q": "sao"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **htmx_headers
    )
    assert "<html" in response.content.decode()


def test_it_says_when_nothing_matches_and_offers_a_new_client(bob_client, acme, htmx_headers):
    response = bob_client.get(LIST, {"q": "zzz inexistente"}, **htmx_headers)
    body = response.content.decode()
    assert "Nenhum cliente corresponde a “zzz inexistente”." in body
    assert "Novo Cliente" in body and CREATE in body


def test_it_pages_the_results(bob_client, org_a, htmx_headers):
    SearchableClientFactory.create_batch(30, organization=org_a)
    first = bob_client.get(LIST, **htmx_headers).content.decode()
    assert "30 clientes" in first and "Página 1 de 2" in first
    assert "page=2" in first
    second = bob_client.get(LIST, {"page": "2"}, **htmx_headers).content.decode()
    assert second.count("<tr id=") == 5
    assert bob_client.get(LIST, {"page": "abc"}).status_code == 200


def test_it_says_more_than_the_cap(bob_client, org_a, monkeypatch):
    from clients import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    SearchableClientFactory.create_batch(5, organization=org_a)
    assert "Mais de 3 clientes" in bob_client.get(LIST).content.decode()


@pytest.mark.parametrize("in_project", [False, True])
def test_it_issues_a_constant_number_of_queries(
    bob_client, org_a, django_assert_max_num_queries, in_project
):
    project = ProjectFactory(organization=org_a) if in_project else None

    def clients(count):
        for client in SearchableClientFactory.create_batch(count, organization=org_a):
            if project is not None:
                client.projects.add(project)

    clients(3)
    with CaptureQueriesContext(connection) as few:
        bob_client.get(LIST)
    clients(40)
    with CaptureQueriesContext(connection) as many:
        bob_client.get(LIST)
    assert len(many) == len(few)
    with django_assert_max_num_queries(len(few)):
        bob_client.get(LIST, {"q": "ltda"})


def test_it_escapes_html_in_every_field(bob_client, org_a):
    SearchableClientFactory(
        organization=org_a,
        razao_social="<script>alert(1)</script>",
        nome_fantasia="<img src=x onerror=alert(2)>",
        conta='"><b>conta</b>',
    )
    body = bob_client.get(LIST, {"q": "script"}).content.decode()
    assert "<script>alert(1)" not in body and "<img src=x" not in body and "<b>conta" not in body
    assert "&lt;<mark>script</mark>&gt;" in body


def test_it_explains_a_huge_query(bob_client, acme, htmx_headers):
    response = bob_client.get(LIST, {"q": "joao" + "x" * 10_000}, **htmx_headers)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Digite no máximo 100 caracteres" in body


def test_it_searches_wildcards_literally(bob_client, acme, htmx_headers):
    for query in ("%", "_", "'", '"'):
        body = bob_client.get(LIST, {"q": query}, **htmx_headers).content.decode()
        assert "Nenhum cliente corresponde" in body


def test_it_lists_only_the_selected_projects_clients(bob_client, org_a, htmx_headers):
    varejo = ProjectFactory(organization=org_a, name="Varejo")
    farmacias = ProjectFactory(organization=org_a, name="Farmácias")
    SearchableClientFactory(organization=org_a, razao_social="Loja São João Ltda").projects.add(
        varejo
    )
    SearchableClientFactory(
        organization=org_a, razao_social="Farmácia São João Ltda", cnpj="11222333000181"
    ).projects.add(farmacias)
    for project, shown, hidden in (
        (farmacias, "Farmácia São João", "Loja São João"),
        (varejo, "Loja São João", "Farmácia São João"),
    ):
        bob_client.post(reverse("project_switch"), {"project": str(project.code)})
        for body in (
            bob_client.get(LIST).content.decode(),
            bob_client.get(LIST, {"q": "sao joao"}, **htmx_headers).content.decode(),
        ):
            assert shown in body.replace("<mark>", "").replace("</mark>", "")
            assert hidden not in body.replace("<mark>", "").replace("</mark>", "")
            assert "1 cliente" in body
    # The other project's client, by its whole CNPJ, is not found in this one.
    body = bob_client.get(LIST, {"q": "11.222.333/0001-81"}, **htmx_headers).content.decode()
    assert "Nenhum cliente corresponde" in body


# Create


def test_it_opens_the_create_form_in_a_modal(bob_client, htmx_headers):
    body = bob_client.get(CREATE, **htmx_headers).content.decode()
    assert "<html" not in body
    # Closed: vigia.js opens it as a modal once swapped in.
    assert (
        '<dialog class="dialog dialog-wide" data-modal aria-labelledby="client-modal-title">'
        in body
    )
    assert "Criar Cliente" in body


def test_it_shows_the_create_page_without_js(bob_client):
    body = bob_client.get(CREATE).content.decode()
    assert "<html" in body and "Criar Cliente" in body and 'method="post"' in body


def test_it_shows_errors_beside_the_fields(bob_client, acme, htmx_headers):
    data = {**VALID, "cnpj": "11.222.333/0001-82", "razao_social": "", "email_wvds": "x@"}
    response = bob_client.post(CREATE, data, **htmx_headers)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<dialog" not in body  # only the form, inside the open one
    assert 'id="id_cnpj-error"' in body and "CNPJ válido" in body
    assert 'id="id_razao_social-error"' in body
    assert 'id="id_email_wvds-error"' in body
    assert Client.objects.count() == 1


def test_it_refuses_a_duplicate_cnpj(bob_client, acme, htmx_headers):
    response = bob_client.post(CREATE, {**VALID, "cnpj": "12.abc.345/01de-35"}, **htmx_headers)
    body = response.content.decode()
    assert 'id="id_cnpj-error"' in body and "Já existe um cliente com este CNPJ" in body
    assert Client.objects.count() == 1


def test_it_creates_with_htmx_and_leads_to_the_clients_page(
    bob_client, org_a, project_a, htmx_headers
):
    response = bob_client.post(CREATE, VALID, **htmx_headers)
    client = Client.objects.get(organization=org_a)
    assert response.status_code == 200
    # The new client's page is where its terminals and contacts are added.
    assert response["HX-Redirect"] == _edit(client)
    assert client.cnpj == "11222333000181"
    assert list(client.projects.all()) == [project_a]
    page = bob_client.get(response["HX-Redirect"]).content.decode()
    assert "toast-success" in page and "criado" in page
    assert 'id="client-terminals"' in page and 'id="client-contacts"' in page


def test_it_creates_without_js_and_redirects(bob_client, org_a):
    response = bob_client.post(CREATE, VALID)
    client = Client.objects.get(organization=org_a)
    # Post/redirect/get: the filled form is gone, nothing can send it twice.
    assert response.status_code == 302 and response["Location"] == _edit(client)
    page = bob_client.get(response["Location"]).content.decode()
    assert "Ótica Três Irmãos ME" in page and "toast-success" in page
    assert "Atualizar Cliente" in page


def test_it_refuses_a_plain_post_with_422(bob_client, acme):
    response = bob_client.post(CREATE, {**VALID, "cnpj": acme.cnpj_formatted})
    assert response.status_code == 422
    body = response.content.decode()
    assert "<html" in body and "Já existe um cliente com este CNPJ" in body
    assert Client.objects.count() == 1


# Edit


def test_it_shows_the_edit_page_with_terminals_and_contacts(bob_client, acme):
    body = bob_client.get(_edit(acme)).content.decode()
    assert "Atualizar Cliente" in body
    assert 'value="12.ABC.345/01DE-35"' in body
    assert 'id="client-terminals"' in body and 'id="client-contacts"' in body


def test_it_updates_with_htmx(bob_client, acme, htmx_headers):
    response = bob_client.post(_edit(acme), {**VALID, "cnpj": acme.cnpj}, **htmx_headers)
    # The page's other sections (the terminals of the WVDS account) reload on this event.
    assert json.loads(response["HX-Trigger"]) == {"client-saved": {}}
    body = response.content.decode()
    # The page header follows, out of band.
    assert (
        '<p class="muted" id="client-summary" hx-swap-oob="true">'
        "Ótica Três Irmãos ME · 12.ABC.345/01DE-35</p>"
    ) in body
    assert "<html" not in body and "Atualizar Cliente" in body
    assert "atualizado" in body and 'hx-swap-oob="beforeend"' in body
    acme.refresh_from_db()
    assert acme.razao_social == "Ótica Três Irmãos ME"
    assert "otica tres irmaos" in acme.search_text


def test_it_updates_without_js(bob_client, acme):
    response = bob_client.post(_edit(acme), {**VALID, "cnpj": acme.cnpj})
    assert response.status_code == 302 and response["Location"] == _edit(acme)


def test_it_keeps_the_input_on_an_update_error(bob_client, acme, htmx_headers):
    response = bob_client.post(
        _edit(acme), {**VALID, "cnpj": "123", "razao_social": "Novo nome"}, **htmx_headers
    )
    body = response.content.decode()
    assert 'id="id_cnpj-error"' in body and 'value="Novo nome"' in body
    assert "HX-Trigger" not in response and "client-summary" not in body
    plain = bob_client.post(_edit(acme), {**VALID, "cnpj": "123", "razao_social": "Novo nome"})
    assert plain.status_code == 422 and 'id="id_cnpj-error"' in plain.content.decode()
    acme.refresh_from_db()
    assert acme.razao_social == "Comércio São João Ltda"


def test_it_explains_an_edit_of_a_client_deleted_meanwhile(bob_client, acme, htmx_headers):
    url = _edit(acme)
    acme.delete()
    response = bob_client.post(url, {**VALID, "cnpj": "12ABC34501DE35"}, **htmx_headers)
    assert response.status_code == 200
    assert response["HX-Redirect"] == LIST
    assert "outro operador" in bob_client.get(LIST).content.decode()
    plain = bob_client.post(url, {**VALID, "cnpj": "12ABC34501DE35"})
    assert plain.status_code == 404
    assert "outro operador" in plain.content.decode()
    assert not Client.objects.exists()


# Delete


def test_it_asks_for_confirmation_in_a_modal(bob_client, acme, htmx_headers):
    body = bob_client.get(_delete(acme), **htmx_headers).content.decode()
    assert "<html" not in body
    assert '<dialog class="dialog" data-modal aria-labelledby="client-delete-title">' in body
    assert f'hx-post="{_delete(acme)}"' in body
    assert "Confirmar" in body and "12.ABC.345/01DE-35" in body


def test_it_asks_for_confirmation_without_js(bob_client, acme):
    body = bob_client.get(_delete(acme)).content.decode()
    # A page of its own (reached from the client's page), not a dialog over another.
    assert "<html" in body and "Confirmar" in body and "<dialog" not in body
    assert f'href="{LIST}"' in body and "hx-post" not in body


def test_it_deletes_with_htmx(bob_client, acme, htmx_headers):
    response = bob_client.post(_delete(acme), **htmx_headers)
    assert "clients:changed" in response["HX-Trigger"]
    assert "excluído" in response.content.decode()
    assert not Client.objects.exists()


def test_it_deletes_without_js(bob_client, acme):
    response = bob_client.post(_delete(acme))
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Client.objects.exists()


def test_it_deletes_from_the_clients_page_and_lands_on_the_list(bob_client, acme):
    # The client's page links to the confirmation page, whose form posts plainly (no htmx):
    # the answer leads to the list, never back to the page of a deleted client.
    page = bob_client.get(_edit(acme)).content.decode()
    assert f'href="{_delete(acme)}"' in page
    confirmation = bob_client.get(_delete(acme)).content.decode()
    assert "hx-post" not in confirmation.split('class="card narrow"')[1]
    response = bob_client.post(_delete(acme), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "toast-success" in response.content.decode() and "excluído" in response.content.decode()
    assert not Client.objects.exists()


def test_it_explains_a_second_delete(bob_client, acme, htmx_headers):
    url = _delete(acme)
    bob_client.post(url, **htmx_headers)
    response = bob_client.post(url, **htmx_headers)
    assert response["HX-Redirect"] == LIST


# Tenancy


def test_it_checks_ownership(charlie_client, acme, acme_b, htmx_headers):
    for url in (_edit(acme), _delete(acme)):
        assert charlie_client.get(url).status_code == 404
        assert charlie_client.post(url, {**VALID, "cnpj": acme.cnpj}).status_code == 404
        assert charlie_client.post(url, **htmx_headers)["HX-Redirect"] == LIST
    acme.refresh_from_db()
    assert acme.razao_social == "Comércio São João Ltda"
    body = charlie_client.get(LIST, {"q": "sao joao"}).content.decode()
    assert "Filial B" in body and "Padaria Pão de Ouro" not in body


@pytest.mark.parametrize("url", [LIST, CREATE])
def test_it_requires_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/entrar/" in response["Location"]
