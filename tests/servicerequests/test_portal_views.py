"""Solicitações in the portal: who sees which request, replies, downloads."""

from __future__ import annotations

from django.urls import reverse

from servicerequests.models import ServiceRequest
from tests.clientportal.conftest import portal_account_create, portal_client
from tests.servicerequests.conftest import PDF, pdf, submit_for


def _routes(request, slug: str) -> list[tuple[str, str]]:
    attachment = request.attachments.get()
    return [
        ("get", reverse("portal_requests:detail", args=[slug, request.code])),
        (
            "get",
            reverse("portal_requests:attachment", args=[slug, request.code, attachment.code]),
        ),
        ("post", reverse("portal_requests:reply", args=[slug, request.code])),
    ]


def test_a_contact_sees_their_own_and_a_b2b_user_its_clients(
    contact_account, b2b_account, portal_company, media_root
):
    colleague = portal_account_create(client=portal_company)
    own = submit_for(contact_account, subject="Minha")
    theirs = submit_for(colleague, subject="Do colega")
    company = submit_for(b2b_account, subject="Da empresa")
    slug = contact_account.organization.slug
    url = reverse("portal_requests:list", args=[slug])

    contact_page = portal_client(contact_account).get(url).content.decode()
    assert str(own.code) in contact_page
    assert str(theirs.code) not in contact_page and str(company.code) not in contact_page

    b2b_page = portal_client(b2b_account).get(url).content.decode()
    assert all(str(r.code) in b2b_page for r in (own, theirs, company))


def test_nobody_else_reaches_a_request(
    contact_account, other_account, foreign_account, portal_company, media_root
):
    request = submit_for(contact_account, files=[pdf()])
    colleague = portal_account_create(client=portal_company)
    for account in (colleague, other_account):
        browser = portal_client(account)
        for method, url in _routes(request, "org-a"):
            assert getattr(browser, method)(url, {"body": "x"}).status_code == 404, url
    # Another organization's person, in their own portal and in A's.
    foreign = portal_client(foreign_account)
    for slug in ("org-a", foreign_account.organization.slug):
        for method, url in _routes(request, slug):
            response = getattr(foreign, method)(url, {"body": "x"})
            assert response.status_code in (302, 404), url
            assert "Trocar" not in response.content.decode()
    assert not request.events.exists()


def test_an_anonymous_visitor_is_sent_to_the_login(contact_account, client, media_root):
    request = submit_for(contact_account, files=[pdf()])
    for method, url in _routes(request, "org-a"):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/portal/org-a/" in response["Location"]


def test_the_person_downloads_replies_and_follows_the_status(
    contact_account, contact_browser, media_root
):
    request = submit_for(contact_account, files=[pdf("nota.pdf")])
    attachment = request.attachments.get()
    download = contact_browser.get(
        reverse("portal_requests:attachment", args=["org-a", request.code, attachment.code])
    )
    assert b"".join(download.streaming_content) == PDF
    assert (
        contact_browser.post(
            reverse("portal_requests:reply", args=["org-a", request.code]), {"body": "Urgente."}
        ).status_code
        == 302
    )
    page = contact_browser.get(reverse("portal_requests:detail", args=["org-a", request.code]))
    body = page.content.decode()
    assert "Urgente." in body and 'data-status="new"' in body
    assert ServiceRequest.objects.get().events.get().by_requester


def test_the_new_request_form(contact_account, contact_browser):
    page = contact_browser.get(reverse("portal_requests:new", args=["org-a"]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in body and 'name="files"' in body
    assert "multiple" in body and 'accept=".pdf,' in body
    # The browser is told the limits, to refuse a choice over them before sending it.
    assert f'data-max-bytes="{100 * 1024 * 1024}"' in body and 'data-max-files="20"' in body
    assert 'data-too-large="Os anexos excedem o limite de 100 MB por solicitação."' in body
    empty = contact_browser.post(reverse("portal_requests:new", args=["org-a"]), {"subject": ""})
    assert empty.status_code == 422
    assert not ServiceRequest.objects.exists()
