"""The generic link in a real browser: the Contatos panel's − / + and Copy, then the public
form with an attachment until the daily limit refuses. Locators name ids, not labels, so
the test reads the same in every language."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.models import MB, portal_settings_for
from servicerequests.models import ServiceRequest
from terminals.models import AlertEmail
from tests.factories import ClientFactory, ContactFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
# Set to a folder to keep the screenshots of these screens (both widths).
SHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if not SHOTS:
        return
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(
            path=str(Path(SHOTS) / f"generic-link-{name}-{width}.png"),
            full_page=True,
            caret="initial",
        )
    page.set_viewport_size({"width": 1366, "height": 900})


def test_the_panel_sets_the_daily_limit_and_the_link_refuses_past_it(
    page, login, live_server, org_a, alice, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    login("alice")
    page.goto(f"{live_server.url}/contatos/")
    panel = page.locator("#generic-link")
    requests_per_day = panel.locator("#generic-link-max_requests_per_day")
    panel.locator("#generic-link-settings > summary").click()
    expect(requests_per_day).to_have_value("5")
    panel.locator("button[name=step][value='max_requests_per_day:1']").click()
    expect(requests_per_day).to_have_value("6")
    for value in ("5", "4", "3", "2", "1"):
        panel.locator("button[name=step][value='max_requests_per_day:-1']").click()
        expect(requests_per_day).to_have_value(value)
    _shot(page, "settings")
    panel.locator("#generic-link-save").click()
    expect(page.locator("#toasts .toast")).to_have_count(1)
    assert portal_settings_for(org_a).link_max_requests_per_day == 1

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    url = page.locator("#generic-link-url").input_value()
    page.locator("[data-copy='#generic-link-url']").click()
    assert page.evaluate("navigator.clipboard.readText()") == url
    assert url.endswith(f"/portal/org-a/vinculo/{portal_settings_for(org_a).link_token}/")
    _shot(page, "panel")

    # Enviar vínculo genérico por e-mail: to the one contact ticked in the list.
    contact = ContactFactory(client=ClientFactory(organization=org_a), name="Maria Souza")
    page.reload()
    page.locator(f"#contact-{contact.code} input[name=codes]").check()
    page.locator("#generic-link-email").click()
    expect(page.locator("#toasts .toast")).to_have_count(1)
    assert AlertEmail.objects.get().recipient == contact.email

    # Gerar novo vínculo asks first; the page then shows the new link.
    page.locator("#generic-link-regenerate").click()
    dialog = page.locator("#contacts-dialog dialog[open]")
    expect(dialog).to_be_visible()
    _shot(page, "regenerate")
    dialog.locator("button[type=submit]").click()
    expect(page.locator("#generic-link-url")).not_to_have_value(url)
    url = page.locator("#generic-link-url").input_value()

    page.goto(url)
    page.fill("#id_requester_name", "Paula Dias")
    page.fill("#id_requester_email", "paula@example.com")
    page.fill("#id_subject", "Tela apagada")
    page.fill("#id_description", "O terminal da recepção não liga.")
    photo = tmp_path / "foto.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + b"x" * 4000)
    page.set_input_files("#id_files", str(photo))
    _shot(page, "form")
    page.locator("#generic-request button[type=submit]").click()
    sent = ServiceRequest.objects.get()
    expect(page.locator("main")).to_contain_text(sent.reference)
    assert sent.via_link and sent.attachments.get().size == 4003
    _shot(page, "sent")

    response = page.goto(url)
    assert response.status == 429
    expect(page.locator("#generic-link-limit")).to_have_attribute("data-limit", "requests_per_day")
    _shot(page, "limit")
    assert ServiceRequest.objects.count() == 1


def test_the_browser_refuses_files_over_the_limit_before_sending_them(
    page, live_server, org_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    portal = portal_settings_for(org_a)
    portal.link_max_bytes_per_request = MB
    portal.save()
    page.goto(f"{live_server.url}/portal/{org_a.slug}/vinculo/{portal.link_token}/")
    page.fill("#id_requester_name", "Paula Dias")
    page.fill("#id_requester_email", "paula@example.com")
    page.fill("#id_subject", "Tela apagada")
    page.fill("#id_description", "O terminal da recepção não liga.")
    large, small = tmp_path / "grande.jpg", tmp_path / "pequena.jpg"
    large.write_bytes(b"\xff\xd8\xff" + b"x" * MB)
    small.write_bytes(b"\xff\xd8\xff" + b"x" * 1000)

    # The help names the limit the browser then applies.
    expect(page.locator("#generic-request .help")).to_contain_text("1 MB")
    files = page.locator("#id_files")
    files.set_input_files(str(large))
    message = files.evaluate("input => input.validationMessage")
    assert message == files.get_attribute("data-too-large")
    assert "1 MB" in message
    # The message stays under the field once the browser's bubble is gone.
    expect(page.locator("[data-files-refused]")).to_have_text(message)
    page.locator("#generic-request button[type=submit]").click()
    # The browser kept the form: nothing was sent.
    expect(files).to_be_visible()
    assert not ServiceRequest.objects.exists()
    _shot(page, "files-refused")

    files.set_input_files(str(small))
    assert files.evaluate("input => input.validity.valid")
    expect(page.locator("[data-files-refused]")).to_have_count(0)
    page.locator("#generic-request button[type=submit]").click()
    expect(page.locator("main")).to_contain_text(ServiceRequest.objects.get().reference)
