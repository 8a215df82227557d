from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from specialists.models import AdditionalField, Specialist
from tests.factories import AdditionalFieldFactory, CalendarFactory, SpecialistGroupFactory
from tokens.models import IntegrationToken

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_creates_a_specialist_with_a_shift_a_group_and_a_token(page, login, alice, org_a):
    CalendarFactory(organization=org_a, name="Comercial 8h–18h")
    SpecialistGroupFactory(organization=org_a, name="Plantão noturno")
    login("alice")

    page.get_by_role("link", name="Especialistas").click()
    page.locator(".page-header summary", has_text="Novo").click()
    page.locator(".page-header").get_by_role("link", name=re.compile("Novo especialista")).click()
    page.fill("#id_name", "Joana Prado")
    page.fill("#id_email", "joana@example.com")
    # The policy checklist turns green item by item while typing.
    page.fill("#id_password", "1234")
    expect(page.locator("#password-policy li.met")).not_to_have_count(4)
    page.fill("#id_password", "Plantao-Seguro-2026")
    expect(page.locator("#password-policy li.met")).to_have_count(4)
    # Address is another tab of the same form: switching keeps what was typed.
    page.get_by_role("tab", name="Endereço").click()
    page.fill("#id_city", "Recife")
    page.get_by_role("tab", name="Detalhes").click()
    expect(page.locator("#id_name")).to_have_value("Joana Prado")
    page.get_by_role("button", name="Salvar").click()
    expect(page.locator("h1")).to_contain_text("Joana Prado")
    specialist = Specialist.objects.get(email="joana@example.com")
    assert specialist.city == "Recife"

    page.get_by_role("tab", name="Turnos").click()
    page.fill("#id_starts_on", "2026-12-01")
    page.fill("#id_ends_on", "2026-12-07")
    page.select_option("#id_calendar", label="Comercial 8h–18h")
    page.get_by_role("button", name="Adicionar turno").click()
    expect(page.locator("#tab-panel table")).to_contain_text("Comercial 8h–18h")
    # An overlapping shift is refused with a clear message.
    page.locator("summary", has_text="Novo turno").click()
    page.fill("#id_starts_on", "2026-12-05")
    page.fill("#id_ends_on", "2026-12-10")
    page.select_option("#id_calendar", label="Comercial 8h–18h")
    page.get_by_role("button", name="Adicionar turno").click()
    expect(page.locator(".alert-error")).to_contain_text("sobrepõe")

    page.get_by_role("tab", name="Grupos").click()
    page.fill("#association-q", "plant")
    expect(page.locator("#association-choices")).to_contain_text("Plantão noturno")
    page.get_by_role("button", name="Associar").click()
    expect(page.locator("#tab-panel table")).to_contain_text("Plantão noturno")
    assert list(specialist.groups.values_list("name", flat=True)) == ["Plantão noturno"]

    page.get_by_role("tab", name="Tokens de integração").click()
    page.fill("#id_description", "Player da loja")
    page.fill("#id_expires_on", (timezone.localdate() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Salvar").click()
    secret = page.locator("#new-token").input_value()
    assert re.fullmatch(r"vg_[0-9a-f]{8}_[\w-]+", secret)
    token = IntegrationToken.objects.get(specialist=specialist)
    expect(page.locator("#tab-panel table")).to_contain_text(f"vg_{token.prefix}")

    # Shown once: coming back to the tab shows the list, never the token.
    page.reload()
    expect(page.locator("#tab-panel table")).to_contain_text("Player da loja")
    assert page.locator("#new-token").count() == 0
    assert secret not in page.content()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Revogar").click()
    expect(page.locator("#tab-panel")).to_contain_text("Nenhum token de integração.")
    assert not IntegrationToken.objects.exists()


def test_it_asks_before_deleting_an_additional_field_in_english(
    page, login, live_server, alice, org_a
):
    # Symptom 11: the English prompt's apostrophe broke an inline onsubmit, and the field
    # was deleted without asking.
    alice.language = "en"
    alice.save()
    AdditionalFieldFactory(organization=org_a, label="Badge number")
    login("alice")
    page.goto(f"{live_server.url}/especialistas/campos-adicionais/")
    prompts = []

    def answer(accept: bool):
        def handle(dialog):
            prompts.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(accept=False))
    page.get_by_title("Delete").click()
    page.wait_for_load_state("networkidle")
    assert prompts == ["Delete this field and every specialist's value of it?"]
    expect(page.locator("table")).to_contain_text("Badge number")
    assert AdditionalField.objects.filter(label="Badge number").exists()

    page.once("dialog", answer(accept=True))
    page.get_by_title("Delete").click()
    expect(page.locator(".card.empty")).to_contain_text("No additional fields yet.")
    assert len(prompts) == 2
    assert not AdditionalField.objects.exists()
