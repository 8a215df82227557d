"""Attachments through the real portal view: streamed to temporary files, limited as they
arrive, refused with a clear answer and nothing stored."""

from __future__ import annotations

import resource
import tracemalloc

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from servicerequests.models import RequestAttachment, ServiceRequest
from servicerequests.uploads import REQUEST_MAX_BYTES, REQUEST_MAX_FILES
from tests.clientportal.conftest import portal_client
from tests.servicerequests.conftest import PDF, pdf, stored_files

BOUNDARY = "vigia-boundary"
MB = 1024 * 1024


class StreamedBody:
    """A multipart body produced as it is read: the test never holds it whole either."""

    def __init__(self, fields: dict[str, str], file_name: str, file_size: int) -> None:
        head = "".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        self.head = head.encode() + b"%PDF-1.4\n"
        self.body_size = file_size - len(b"%PDF-1.4\n")
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + self.body_size + len(self.tail)
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.length - self.position
        size = min(size, self.length - self.position, 256 * 1024)
        out = bytearray()
        while len(out) < size:
            position = self.position + len(out)
            if position < len(self.head):
                out += self.head[position : position + size - len(out)]
            elif position < len(self.head) + self.body_size:
                left = len(self.head) + self.body_size - position
                out += b"0" * min(size - len(out), left)
            else:
                offset = position - len(self.head) - self.body_size
                out += self.tail[offset : offset + size - len(out)]
        self.position += len(out)
        return bytes(out)

    readline = read


class Untouchable:
    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def _post_stream(browser: HttpClient, url: str, stream, length: int):
    return browser.request(
        REQUEST_METHOD="POST",
        PATH_INFO=url,
        CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(length),
        **{"wsgi.input": stream},
    )


def _new_url(account) -> str:
    return reverse("portal_requests:new", args=[account.organization.slug])


def test_it_sends_a_request_with_its_attachments(contact_account, contact_browser, media_root):
    response = contact_browser.post(
        _new_url(contact_account),
        {"subject": "Bobina", "description": "Acabou.", "files": [pdf("a.pdf"), pdf("b.pdf")]},
    )
    request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "portal_requests:detail", args=[contact_account.organization.slug, request.code]
    )
    assert [a.name for a in request.attachments.all()] == ["a.pdf", "b.pdf"]
    assert len(stored_files(media_root)) == 2


def test_the_form_works_with_the_csrf_check_on(contact_account, media_root):
    browser = portal_client(contact_account)
    browser.handler.enforce_csrf_checks = True
    url = _new_url(contact_account)
    assert browser.get(url).status_code == 200
    token = browser.cookies["csrftoken"].value
    refused = browser.post(url, {"subject": "Bobina", "files": [pdf()]})
    assert refused.status_code == 403
    response = browser.post(
        url, {"csrfmiddlewaretoken": token, "subject": "Bobina", "files": [pdf()]}
    )
    assert response.status_code == 302
    assert RequestAttachment.objects.count() == 1


def test_a_body_announced_over_the_limit_is_refused_unread(contact_account, contact_browser):
    response = _post_stream(
        contact_browser, _new_url(contact_account), Untouchable(), REQUEST_MAX_BYTES + 50 * MB
    )
    assert response.status_code == 413
    assert b'id="request-form"' in response.content
    assert not ServiceRequest.objects.exists()


def test_an_empty_file_stops_the_upload(contact_account, contact_browser, media_root):
    response = contact_browser.post(
        _new_url(contact_account),
        {"subject": "Bobina", "files": [pdf(), pdf("vazio.pdf", b"")]},
    )
    assert response.status_code == 422
    assert "vazio.pdf" in response.content.decode()
    assert not ServiceRequest.objects.exists() and stored_files(media_root) == []


@pytest.mark.parametrize("count", [REQUEST_MAX_FILES + 1, 1000])
def test_too_many_files_stop_the_upload(contact_account, contact_browser, media_root, count):
    files = [pdf(f"{n}.pdf") for n in range(count)]
    response = contact_browser.post(_new_url(contact_account), {"subject": "X", "files": files})
    assert response.status_code == 422
    assert str(REQUEST_MAX_FILES) in response.content.decode()
    assert not ServiceRequest.objects.exists() and stored_files(media_root) == []


def test_a_wrong_kind_is_refused_with_its_name(contact_account, contact_browser, media_root):
    response = contact_browser.post(
        _new_url(contact_account),
        {"subject": "X", "files": [pdf(), pdf("planilha.xlsx", PDF)]},
    )
    assert response.status_code == 422
    assert "planilha.xlsx" in response.content.decode()
    assert not ServiceRequest.objects.exists() and stored_files(media_root) == []


def test_bytes_beyond_the_limit_stop_the_upload_as_they_arrive(
    contact_account, contact_browser, media_root, monkeypatch
):
    from clientportal import views_requests

    monkeypatch.setattr(views_requests, "REQUEST_MAX_BYTES", 1 * MB)
    # Announced within the allowance for form fields: only the handler's count stops it.
    body = StreamedBody({"subject": "Grande"}, "grande.pdf", 2 * MB)
    response = _post_stream(contact_browser, _new_url(contact_account), body, body.length)
    assert response.status_code == 413
    assert not ServiceRequest.objects.exists() and stored_files(media_root) == []


def test_a_30_mb_attachment_does_not_sit_in_memory(contact_account, contact_browser, media_root):
    size = 30 * MB
    body = StreamedBody({"subject": "Vídeo", "description": "Grande"}, "grande.pdf", size)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        response = _post_stream(contact_browser, _new_url(contact_account), body, body.length)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert response.status_code == 302, response.content.decode()[:500]
    assert RequestAttachment.objects.get().size == size
    (stored,) = stored_files(media_root)
    assert stored.stat().st_size == size
    assert peak < 5 * MB, peak
    # ru_maxrss is in kilobytes on Linux: the process's high-water mark grew by less than
    # a sixth of the file.
    assert (after - before) * 1024 < 5 * MB
