"""The operators' Solicitações screen, the bell and the nav."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicerequests.models import ServiceRequest
from terminals.models import AlertEmail
from tests.servicerequests.conftest import PDF, pdf, submit_for

Status = ServiceRequest.Status


@pytest.fixture
def sent(contact_account, media_root):
    return submit_for(contact_account, subject="Trocar a bobina", files=[pdf("nota.pdf")])


def _routes(request) -> list[tuple[str, str]]:
    attachment = request.attachments.get()
    code = request.code
    return [
        ("get", reverse("servicerequests:detail", args=[code])),
        ("get", reverse("servicerequests:attachment", args=[code, attachment.code])),
        ("get", reverse("servicerequests:refuse", args=[code])),
        ("post", reverse("servicerequests:reply", args=[code])),
        ("post", reverse("servicerequests:status", args=[code])),
    ]


def test_it_checks_ownership(charlie_client, sent):
    for method, url in _routes(sent):
        response = getattr(charlie_client, method)(url, {"body": "x", "status": "received"})
        assert response.status_code == 404, url
    assert "Trocar" not in charlie_client.get(reverse("servicerequests:list")).content.decode()
    sent.refresh_from_db()
    assert sent.status == Status.NEW and not sent.events.exists()


def test_an_attachment_of_another_request_is_not_found(bob_client, sent, contact_account):
    other = submit_for(contact_account, files=[pdf("outra.pdf")])
    url = reverse("servicerequests:attachment", args=[sent.code, other.attachments.get().code])
    assert bob_client.get(url).status_code == 404


def test_the_list_searches_filters_and_marks_the_unseen(bob_client, contact_account, sent):
    other = submit_for(contact_account, subject="Cadastro de loja")
    ServiceRequest.objects.filter(pk=other.pk).update(status=Status.DONE)
    url = reverse("servicerequests:list")
    body = bob_client.get(url).content.decode()
    assert f'id="request-{sent.code}" data-unseen' in body
    assert body.index(str(other.code)) < body.index(str(sent.code))  # newest first
    assert str(other.code) not in bob_client.get(url, {"q": "bobina"}).content.decode()
    assert str(sent.code) in bob_client.get(url, {"q": "padaria"}).content.decode()
    assert str(sent.code) in bob_client.get(url, {"q": "ana@padaria"}).content.decode()
    filtered = bob_client.get(url, {"status": "done"}).content.decode()
    assert str(other.code) in filtered and str(sent.code) not in filtered


def test_the_list_answers_htmx_with_its_results_only(bob_client, sent, htmx_headers):
    response = bob_client.get(reverse("servicerequests:list"), {"q": "bobina"}, **htmx_headers)
    body = response.content.decode()
    assert str(sent.code) in body and "<html" not in body and "requests-search" not in body


def test_opening_a_request_takes_it_out_of_the_bell(bob_client, sent, htmx_headers):
    bell = bob_client.get(reverse("notifications:bell"), **htmx_headers).content.decode()
    assert f'id="bell-request-{sent.code}"' in bell
    assert 'data-unread="1"' in bell
    page = bob_client.get(reverse("servicerequests:detail", args=[sent.code]))
    assert page.status_code == 200
    assert "nota.pdf" in page.content.decode()
    sent.refresh_from_db()
    assert sent.seen_at is not None
    bell = bob_client.get(reverse("notifications:bell"), **htmx_headers).content.decode()
    assert "bell-request-" not in bell


def test_the_nav_leads_to_the_requests(bob_client, sent):
    body = bob_client.get(reverse("dashboard")).content.decode()
    nav = body[body.index('class="sidenav"') :]
    assert reverse("servicerequests:list") in nav[: nav.index("</nav>")]


def test_the_attachment_downloads_under_its_name(bob_client, sent):
    attachment = sent.attachments.get()
    response = bob_client.get(
        reverse("servicerequests:attachment", args=[sent.code, attachment.code])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="nota.pdf"'


def test_the_operator_moves_it_to_done_and_the_requester_is_emailed(bob_client, sent, bob):
    url = reverse("servicerequests:status", args=[sent.code])
    for status in ("received", "processing", "done"):
        response = bob_client.post(url, {"status": status})
        assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == Status.DONE
    emails = AlertEmail.objects.filter(recipient="ana@padaria.example.com")
    assert emails.count() == 3
    portal_url = reverse("portal_requests:detail", args=["org-a", sent.code])
    assert portal_url in emails.last().body
    page = bob_client.get(reverse("servicerequests:detail", args=[sent.code])).content.decode()
    assert "data-status-to" not in page  # Concluído is final


def test_a_transition_outside_the_flow_is_refused(bob_client, sent):
    response = bob_client.post(
        reverse("servicerequests:status", args=[sent.code]), {"status": "done"}
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == Status.NEW


def test_the_refusal_dialog_asks_for_a_reason(bob_client, sent, htmx_headers):
    dialog = bob_client.get(
        reverse("servicerequests:refuse", args=[sent.code]), **htmx_headers
    ).content.decode()
    assert dialog.startswith("<dialog") and 'name="reason"' in dialog
    url = reverse("servicerequests:status", args=[sent.code])
    refused = bob_client.post(url, {"status": "refused", "reason": ""}, **htmx_headers)
    body = refused.content.decode()
    assert refused.status_code == 200 and "<dialog" not in body and 'class="error"' in body
    done = bob_client.post(
        url, {"status": "refused", "reason": "Fora do contrato."}, **htmx_headers
    )
    assert done["HX-Redirect"] == reverse("servicerequests:detail", args=[sent.code])
    sent.refresh_from_db()
    assert sent.status == Status.REFUSED and sent.refusal_reason == "Fora do contrato."


def test_the_operator_replies(bob_client, sent):
    url = reverse("servicerequests:reply", args=[sent.code])
    assert bob_client.post(url, {"body": ""}).status_code == 422
    response = bob_client.post(url, {"body": "Amanhã cedo."})
    assert response.status_code == 302
    assert "Amanhã cedo." in AlertEmail.objects.get().body
    page = bob_client.get(reverse("servicerequests:detail", args=[sent.code])).content.decode()
    assert "Amanhã cedo." in page and "bob" in page


def test_without_javascript_the_refusal_is_a_page_of_its_own(bob_client, sent):
    page = bob_client.get(reverse("servicerequests:refuse", args=[sent.code])).content.decode()
    assert "dialog-page" in page and "<dialog" not in page and 'name="reason"' in page
    ServiceRequest.objects.filter(pk=sent.pk).update(status=Status.DONE)
    response = bob_client.get(reverse("servicerequests:refuse", args=[sent.code]))
    assert response.status_code == 302  # Concluído cannot be refused any more
