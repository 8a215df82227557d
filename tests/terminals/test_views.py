from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from terminals import views
from terminals.models import DeviceType, Terminal
from terminals.sweep import alert_sweep
from tests.factories import (
    ClientFactory,
    ContactFactory,
    DeviceTypeFactory,
    TerminalFactory,
)

pytestmark = pytest.mark.django_db


def test_it_lists_searches_and_filters_terminals(bob_client, org_a, org_b):
    tizen = DeviceTypeFactory(organization=org_a, name="Samsung Tizen")
    client = ClientFactory(organization=org_a, razao_social="Padaria Pão Quente Ltda")
    TerminalFactory(organization=org_a, identifier="TRM-A", name="Vitrine", client=client)
    TerminalFactory(organization=org_a, identifier="TRM-B", name="Caixa", device_type=tizen,
                    status="disconnected")  # fmt: skip
    TerminalFactory(organization=org_b, identifier="TRM-FOREIGN")
    url = reverse("terminals:list")

    page = bob_client.get(url).text
    assert "TRM-A" in page and "TRM-B" in page and "TRM-FOREIGN" not in page
    assert "Buscar por" in page
    assert "TRM-B" not in bob_client.get(url, {"q": "pão quente"}).text
    assert "TRM-A" in bob_client.get(url, {"q": "Pão Quente"}).text
    assert "TRM-A" not in bob_client.get(url, {"status": "disconnected"}).text
    filtered = bob_client.get(url, {"device_type": str(tizen.code)}).text
    assert "TRM-B" in filtered and "TRM-A" not in filtered


def test_it_answers_htmx_searches_with_the_results_only(bob_client, org_a, htmx_headers):
    TerminalFactory(organization=org_a, identifier="TRM-A")
    response = bob_client.get(
        reverse("terminals:list"), {"q": "TRM"}, HTTP_HX_TARGET="terminal-results", **htmx_headers
    )
    assert response.text.lstrip().startswith('<div id="terminal-results">')
    assert "<html" not in response.text and "TRM-A" in response.text


def test_the_list_issues_a_constant_number_of_queries(
    bob_client, org_a, django_assert_max_num_queries
):
    for _ in range(30):
        TerminalFactory(organization=org_a, client=ClientFactory(organization=org_a))
    with django_assert_max_num_queries(12):
        bob_client.get(reverse("terminals:list"))


def test_it_creates_a_terminal(bob_client, org_a):
    device_type = DeviceTypeFactory(organization=org_a)
    client = ClientFactory(organization=org_a, email_wvds="cvc@b2midia.com.br")
    response = bob_client.post(
        reverse("terminals:create"),
        {
            "identifier": "TRM-NEW",
            "name": "Totem",
            "device_type": device_type.pk,
            "email_wvds": "CVC@b2midia.com.br",
            "client": client.cnpj_formatted,
        },
    )
    terminal = Terminal.objects.get(identifier="TRM-NEW")
    assert response.status_code == 302
    assert response["Location"] == reverse("terminals:detail", args=[terminal.code])
    assert terminal.client == client and terminal.status == Terminal.Status.NEVER_SEEN


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"identifier": ""}, "Este campo é obrigatório."),
        ({"identifier": "TRM-TAKEN"}, "Outro terminal já usa este identificador."),
        ({"email_wvds": "not-an-email"}, "Informe um endereço de email válido."),
        ({"client": "11.111.111/0001-11"}, "Nenhum cliente com este CNPJ."),
    ],
)
def test_it_refuses_bad_terminal_input(bob_client, org_a, fields, message):
    TerminalFactory(organization=org_a, identifier="TRM-TAKEN")
    data = {"identifier": "TRM-X", "name": "", "device_type": "", "email_wvds": "", **fields}
    response = bob_client.post(reverse("terminals:create"), data)
    assert response.status_code == 422
    assert message in response.text
    assert not Terminal.objects.filter(identifier="TRM-X").exists()


def test_it_refuses_a_client_with_another_wvds_email(bob_client, org_a):
    client = ClientFactory(organization=org_a, email_wvds="a@b2midia.com.br")
    response = bob_client.post(
        reverse("terminals:create"),
        {"identifier": "TRM-X", "email_wvds": "b@b2midia.com.br", "client": client.cnpj},
    )
    assert response.status_code == 422
    assert "é diferente do e-mail do terminal" in response.text


def test_it_refuses_a_device_type_of_another_organization(bob_client, org_a, org_b):
    foreign = DeviceTypeFactory(organization=org_b, name="Foreign")
    response = bob_client.post(
        reverse("terminals:create"), {"identifier": "TRM-X", "device_type": foreign.pk}
    )
    assert response.status_code == 422
    assert not Terminal.objects.filter(identifier="TRM-X").exists()


def test_it_edits_and_deletes_a_terminal(bob_client, org_a):
    terminal = TerminalFactory(organization=org_a, name="Antigo")
    response = bob_client.post(
        reverse("terminals:edit", args=[terminal.code]),
        {"identifier": terminal.identifier, "name": "Novo nome", "email_wvds": ""},
    )
    assert response.status_code == 302
    terminal.refresh_from_db()
    assert terminal.name == "Novo nome"

    assert bob_client.get(reverse("terminals:delete", args=[terminal.code])).status_code == 200
    bob_client.post(reverse("terminals:delete", args=[terminal.code]))
    assert not Terminal.objects.filter(pk=terminal.pk).exists()


def test_the_detail_page_shows_the_alert_history(bob_client, org_a):
    client = ClientFactory(organization=org_a)
    ContactFactory(client=client, email="ana@cliente.com.br")
    terminal = TerminalFactory(
        organization=org_a,
        client=client,
        alert_after=timezone.now() - timedelta(minutes=1),
        last_heartbeat_at=timezone.now() - timedelta(minutes=20),
    )
    alert_sweep()
    page = bob_client.get(reverse("terminals:detail", args=[terminal.code])).text
    assert "Histórico de alertas" in page
    assert "ana@cliente.com.br" in page and "Pendente" in page and "ainda desconectado" in page


def test_it_checks_ownership(charlie_client, org_a):
    terminal = TerminalFactory(organization=org_a)
    device_type = terminal.device_type
    client = ClientFactory(organization=org_a, email_wvds=terminal.email_wvds)
    for name in ("terminals:detail", "terminals:edit", "terminals:delete"):
        assert charlie_client.get(reverse(name, args=[terminal.code])).status_code == 404
    assert charlie_client.post(reverse("terminals:delete", args=[terminal.code])).status_code == 404
    link = reverse("terminals:link", args=[terminal.code, client.code])
    assert charlie_client.post(link, {"linked": "on"}).status_code == 404
    section = reverse("terminals:client_section", args=[client.code])
    assert charlie_client.get(section).status_code == 404
    for name in ("terminals:device_type_edit", "terminals:device_type_delete"):
        assert charlie_client.get(reverse(name, args=[device_type.code])).status_code == 404
    assert Terminal.objects.filter(pk=terminal.pk, client=None).exists()


def test_device_types_are_edited_by_admins_only(alice_client, bob_client, org_a):
    url = reverse("terminals:device_type_create")
    data = {
        "name": "BrightSign",
        "reconnection_procedure": "<ol><li>Ligue</li></ol><script>x</script>",
    }
    assert bob_client.post(url, data).status_code == 403
    assert alice_client.post(url, data).status_code == 302
    device_type = DeviceType.objects.get(name="BrightSign")
    assert device_type.reconnection_procedure == "<ol><li>Ligue</li></ol>"
    assert "BrightSign" in bob_client.get(reverse("terminals:device_types")).text

    edit = reverse("terminals:device_type_edit", args=[device_type.code])
    assert alice_client.post(edit, {"name": "", "reconnection_procedure": ""}).status_code == 422
    alice_client.post(edit, {"name": "BrightSign XT", "reconnection_procedure": "<p>ok</p>"})
    device_type.refresh_from_db()
    assert device_type.name == "BrightSign XT"


def test_a_device_type_in_use_is_not_deleted(alice_client, org_a):
    terminal = TerminalFactory(organization=org_a)
    url = reverse("terminals:device_type_delete", args=[terminal.device_type.code])
    response = alice_client.post(url, follow=True)
    assert "ainda é usado por terminais" in response.text
    assert DeviceType.objects.filter(pk=terminal.device_type.pk).exists()


def test_the_device_type_name_is_unique_per_organization(alice_client, org_a):
    DeviceTypeFactory(organization=org_a, name="Android")
    response = alice_client.post(
        reverse("terminals:device_type_create"), {"name": "android", "reconnection_procedure": ""}
    )
    assert response.status_code == 422
    assert "Já existe um tipo de dispositivo com este nome." in response.text


def test_the_client_section_offers_only_terminals_with_the_same_wvds_email(
    bob_client, org_a, org_b
):
    client = ClientFactory(organization=org_a, email_wvds="cvc@b2midia.com.br")
    TerminalFactory(organization=org_a, identifier="SAME", email_wvds="cvc@b2midia.com.br")
    TerminalFactory(organization=org_a, identifier="OTHER", email_wvds="x@b2midia.com.br")
    TerminalFactory(organization=org_b, identifier="FOREIGN", email_wvds="cvc@b2midia.com.br")
    page = bob_client.get(reverse("terminals:client_section", args=[client.code])).text
    assert "SAME" in page and "OTHER" not in page and "FOREIGN" not in page


def test_the_toggle_links_and_unlinks_with_htmx(bob_client, org_a, htmx_headers):
    client = ClientFactory(organization=org_a, email_wvds="cvc@b2midia.com.br")
    terminal = TerminalFactory(organization=org_a, email_wvds="cvc@b2midia.com.br", client=None)
    url = reverse("terminals:link", args=[terminal.code, client.code])

    response = bob_client.post(url, {"linked": "on"}, **htmx_headers)
    assert response.text.lstrip().startswith(
        f'<li class="terminal-link" id="terminal-link-{terminal.code}"'
    )
    assert "checked" in response.text and "Terminal" in response.text
    terminal.refresh_from_db()
    assert terminal.client == client

    bob_client.post(url, {}, **htmx_headers)
    terminal.refresh_from_db()
    assert terminal.client is None


def test_the_toggle_works_without_javascript(bob_client, org_a):
    client = ClientFactory(organization=org_a, email_wvds="cvc@b2midia.com.br")
    terminal = TerminalFactory(organization=org_a, email_wvds="cvc@b2midia.com.br", client=None)
    response = bob_client.post(
        reverse("terminals:link", args=[terminal.code, client.code]),
        {"linked": "on", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("terminals:client_section", args=[client.code])
    terminal.refresh_from_db()
    assert terminal.client == client


def test_the_toggle_refuses_a_terminal_of_another_wvds_account(bob_client, org_a, htmx_headers):
    client = ClientFactory(organization=org_a, email_wvds="cvc@b2midia.com.br")
    terminal = TerminalFactory(organization=org_a, email_wvds="x@b2midia.com.br", client=None)
    response = bob_client.post(
        reverse("terminals:link", args=[terminal.code, client.code]),
        {"linked": "on"},
        **htmx_headers,
    )
    assert "é diferente do e-mail do cliente" in response.text
    terminal.refresh_from_db()
    assert terminal.client is None


def test_the_include_renders_the_section_in_the_client_page(rf, bob, org_a):
    from django.template.loader import render_to_string

    client = ClientFactory(organization=org_a, email_wvds="cvc@b2midia.com.br")
    TerminalFactory(organization=org_a, identifier="SAME", email_wvds="cvc@b2midia.com.br")
    request = rf.get("/clientes/x/")
    request.user = bob
    html = render_to_string("terminals/_client_terminals.html", {"client": client}, request=request)
    assert 'id="client-terminals"' in html and "SAME" in html


def test_the_dashboard_shows_the_terminal_glance(bob_client, org_a, org_b, htmx_headers):
    TerminalFactory(organization=org_a, status="connected")
    TerminalFactory(organization=org_a, status="never_seen")
    stale = TerminalFactory(
        organization=org_a,
        name="Vitrine Sul",
        alert_after=timezone.now() - timedelta(minutes=1),
        last_heartbeat_at=timezone.now() - timedelta(minutes=20),
    )
    TerminalFactory(
        organization=org_b,
        name="Foreign",
        alert_after=timezone.now() - timedelta(minutes=1),
        last_heartbeat_at=timezone.now() - timedelta(minutes=20),
    )
    alert_sweep()

    page = bob_client.get(reverse("dashboard"))
    counts = page.context["terminal_counts"]
    assert (counts["connected"], counts["disconnected"], counts["never_seen"]) == (1, 1, 1)
    assert stale.name in page.text and "Foreign" not in page.text
    assert [t.name for t in page.templates][0] == "terminals/dashboard.html"
    assert resolve(reverse("dashboard")).func is views.dashboard
    fragment = bob_client.get(reverse("dashboard"), **htmx_headers).text
    assert fragment.lstrip().startswith('<div id="terminal-glance"')


def _linked_elsewhere(org_a):
    first = ClientFactory(
        organization=org_a, razao_social="Primeira Ltda", email_wvds="cvc@b2midia.com.br"
    )
    second = ClientFactory(
        organization=org_a, razao_social="Segunda Ltda", email_wvds="cvc@b2midia.com.br"
    )
    terminal = TerminalFactory(
        organization=org_a, name="Totem", email_wvds="cvc@b2midia.com.br", client=first
    )
    return first, second, terminal


def _move_question(terminal, first, second) -> str:
    with translation.override("pt-br"):
        question = gettext("Terminal %(terminal)s is linked to %(other)s. Move it to %(client)s?")
    return question % {"terminal": terminal, "other": first, "client": second}


def test_the_switch_asks_before_moving_a_terminal_linked_to_another_client(bob_client, org_a):
    first, second, terminal = _linked_elsewhere(org_a)
    page = bob_client.get(reverse("terminals:client_section", args=[second.code])).text
    assert f'hx-confirm="{_move_question(terminal, first, second)}"' in page
    assert 'hx-vals=\'{"move": "on"}\'' in page
    # The terminal already linked to this client unlinks without a question.
    page = bob_client.get(reverse("terminals:client_section", args=[first.code])).text
    assert "hx-confirm" not in page


def test_the_htmx_switch_moves_the_terminal_once_confirmed(bob_client, org_a, htmx_headers):
    _, second, terminal = _linked_elsewhere(org_a)
    url = reverse("terminals:link", args=[terminal.code, second.code])
    response = bob_client.post(url, {"linked": "on", "move": "on"}, **htmx_headers)
    assert response.status_code == 200
    terminal.refresh_from_db()
    assert terminal.client == second


def test_without_javascript_a_move_goes_through_a_confirmation_page(bob_client, org_a):
    first, second, terminal = _linked_elsewhere(org_a)
    url = reverse("terminals:link", args=[terminal.code, second.code])
    back = "/clientes/"

    response = bob_client.post(url, {"linked": "on", "next": back})

    assert response.status_code == 200
    assert _move_question(terminal, first, second) in response.text
    assert 'name="move" value="on"' in response.text
    terminal.refresh_from_db()
    assert terminal.client == first
    response = bob_client.post(url, {"linked": "on", "move": "on", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    terminal.refresh_from_db()
    assert terminal.client == second


def test_the_terminal_section_reloads_when_the_client_is_saved(bob_client, org_a, htmx_headers):
    client = ClientFactory(organization=org_a, email_wvds="cvc@b2midia.com.br")
    url = reverse("terminals:client_section", args=[client.code])
    page = bob_client.get(url).text
    assert f'hx-get="{url}" hx-trigger="client-saved from:body" hx-swap="outerHTML"' in page
    TerminalFactory(organization=org_a, identifier="NOVA-CONTA", email_wvds="nova@b2midia.com.br")
    client.email_wvds = "nova@b2midia.com.br"
    client.save()
    # What the event's request gets back: the section alone, for the new account.
    fragment = bob_client.get(url, **htmx_headers).text
    assert fragment.lstrip().startswith('<section class="card" id="client-terminals"')
    assert "NOVA-CONTA" in fragment and "<html" not in fragment


def test_the_terminal_templates_have_no_inline_event_handlers():
    from pathlib import Path

    from django.conf import settings

    for path in Path(settings.BASE_DIR, "templates", "terminals").rglob("*.html"):
        text = path.read_text().lower()
        assert " onclick=" not in text and " onsubmit=" not in text and " onchange=" not in text, (
            path
        )


def test_a_refused_htmx_form_answers_200_with_the_errors(alice_client, org_a, htmx_headers):
    DeviceTypeFactory(organization=org_a, name="Android")
    response = alice_client.post(
        reverse("terminals:device_type_create"),
        {"name": "ANDROID", "reconnection_procedure": ""},
        **htmx_headers,
    )
    assert response.status_code == 200
    assert "Já existe um tipo de dispositivo com este nome." in response.text
    assert DeviceType.objects.count() == 1
