from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from servicerequests import services
from servicerequests.models import RequestAttachment, RequestEvent, ServiceRequest
from terminals.models import AlertEmail
from tests.servicerequests.conftest import PNG, pdf, stored_files, submit_for

Status = ServiceRequest.Status


def test_it_stores_attachments_under_a_path_the_server_chooses(contact_account, media_root):
    request = submit_for(
        contact_account, files=[pdf("Nota fiscal.pdf"), SimpleUploadedFile("foto.png", PNG)]
    )
    assert request.status == Status.NEW and request.seen_at is None
    assert request.contact == contact_account.contact
    assert request.client == contact_account.client
    assert request.requester_email == "ana@padaria.example.com"
    first, second = request.attachments.all()
    assert (first.name, first.content_type) == ("Nota fiscal.pdf", "application/pdf")
    assert second.content_type == "image/png"
    prefix = f"requests/{request.organization_id}/{request.code}/"
    assert first.file.name.startswith(prefix) and "Nota" not in first.file.name
    assert len(stored_files(media_root)) == 2


@pytest.mark.parametrize(
    "name", ["..\\..\\nota.pdf", "pasta\\nota.pdf", "nota\x00.pdf", "a\nb.pdf"]
)
def test_it_refuses_names_with_folders_or_control_characters(contact_account, media_root, name):
    with pytest.raises(ValidationError) as caught:
        submit_for(contact_account, files=[pdf(), pdf(name)])
    assert "files" in caught.value.message_dict
    assert not ServiceRequest.objects.exists()
    assert stored_files(media_root) == [] if media_root.exists() else True


def test_a_name_with_folders_keeps_only_its_last_part_and_stays_in_the_requests_folder(
    contact_account, media_root
):
    # Django's uploaded files already drop the folders of a name with "/".
    request = submit_for(contact_account, files=[pdf("../../etc/passwd.pdf")])
    attachment = request.attachments.get()
    assert attachment.name == "passwd.pdf"
    (path,) = stored_files(media_root)
    assert path.is_relative_to(media_root / "requests" / str(request.organization_id))


@pytest.mark.parametrize("name", ["../nota.pdf", "a/b.pdf", "a\\b.pdf", "a\tb.pdf", "..", ""])
def test_the_name_rule_refuses_paths_and_control_characters(name):
    with pytest.raises(ValidationError):
        services.attachment_name_clean(name)


def test_it_shortens_a_long_name_keeping_its_extension():
    name = services.attachment_name_clean("a" * 300 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("programa.exe", b"MZ\x90\x00"),
        ("programa.pdf", b"MZ\x90\x00\x00\x00"),
        ("foto.png", PNG.replace(b"PNG", b"GIF")),
        ("planilha.csv", b"a,b\x00\x00"),
    ],
)
def test_it_refuses_kinds_it_does_not_accept(contact_account, media_root, name, content):
    with pytest.raises(ValidationError) as caught:
        submit_for(contact_account, files=[SimpleUploadedFile(name, content)])
    assert "files" in caught.value.message_dict
    assert not ServiceRequest.objects.exists()


def test_it_refuses_an_empty_file(contact_account, media_root):
    with pytest.raises(ValidationError):
        submit_for(contact_account, files=[pdf(), SimpleUploadedFile("vazio.txt", b"")])
    assert not ServiceRequest.objects.exists() and not RequestAttachment.objects.exists()


def test_it_refuses_a_thousand_files(contact_account, media_root):
    files = [SimpleUploadedFile(f"{n}.txt", b"x") for n in range(1000)]
    with pytest.raises(ValidationError) as caught:
        submit_for(contact_account, files=files)
    assert caught.value.message_dict["files"]
    assert not ServiceRequest.objects.exists()
    assert not media_root.exists() or stored_files(media_root) == []


def test_it_refuses_attachments_over_the_limit(contact_account, media_root):
    with pytest.raises(ValidationError):
        submit_for(contact_account, files=[pdf(), pdf()], max_bytes=150)
    assert not ServiceRequest.objects.exists()


def test_it_requires_a_subject_on_one_line(contact_account):
    with pytest.raises(ValidationError) as caught:
        submit_for(contact_account, subject="  ")
    assert "subject" in caught.value.message_dict
    with pytest.raises(ValidationError):
        submit_for(contact_account, subject="a\r\nBcc: x@example.com")


def test_it_removes_the_files_it_stored_when_a_later_one_fails(
    contact_account, media_root, monkeypatch
):
    saved = []
    original = RequestAttachment.save

    def failing_save(self, *args, **kwargs):
        saved.append(self.file.name)
        if len(saved) == 2:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(RequestAttachment, "save", failing_save)
    with pytest.raises(OSError):
        submit_for(contact_account, files=[pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")])
    assert len(saved) == 2
    assert stored_files(media_root) == []
    assert not ServiceRequest.objects.exists()


def test_it_moves_through_the_statuses_and_emails_each_change(contact_account, bob):
    request = submit_for(contact_account)
    for status in (Status.RECEIVED, Status.PROCESSING, Status.DONE):
        request = services.request_status_set(
            organization=request.organization, service_request=request, status=status, actor=bob
        )
    assert request.status == Status.DONE and request.seen_at
    events = list(request.events.values_list("status_from", "status_to"))
    assert events == [("new", "received"), ("received", "processing"), ("processing", "done")]
    assert request.events.first().author == bob
    emails = AlertEmail.objects.filter(kind=AlertEmail.Kind.MESSAGE).order_by("id")
    assert [email.recipient for email in emails] == ["ana@padaria.example.com"] * 3
    assert request.reference in emails.last().subject


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.NEW, Status.DONE),
        (Status.DONE, Status.PROCESSING),
        (Status.REFUSED, Status.RECEIVED),
        (Status.PROCESSING, Status.NEW),
        (Status.NEW, "bogus"),
    ],
)
def test_it_refuses_transitions_outside_the_flow(contact_account, start, target):
    request = submit_for(contact_account)
    ServiceRequest.objects.filter(pk=request.pk).update(status=start)
    request.refresh_from_db()
    with pytest.raises(ValidationError):
        services.request_status_set(
            organization=request.organization,
            service_request=request,
            status=target,
            actor=None,
            reason="x",
        )
    assert not RequestEvent.objects.exists() and not AlertEmail.objects.exists()


def test_a_refusal_needs_a_reason_that_reaches_the_requester(contact_account):
    request = submit_for(contact_account)
    with pytest.raises(ValidationError) as caught:
        services.request_status_set(
            organization=request.organization,
            service_request=request,
            status=Status.REFUSED,
            actor=None,
            reason=" ",
        )
    assert "reason" in caught.value.message_dict
    request = services.request_status_set(
        organization=request.organization,
        service_request=request,
        status=Status.REFUSED,
        actor=None,
        reason="Fora do contrato.",
    )
    assert request.refusal_reason == "Fora do contrato."
    assert "Fora do contrato." in AlertEmail.objects.get().body


@pytest.mark.parametrize(("culture", "label"), [("es", "Completado"), ("", "Concluído")])
def test_the_email_is_written_in_the_clients_people_language(contact_account, culture, label):
    contact_account.client.culture = culture
    contact_account.client.save(update_fields=["culture"])
    request = submit_for(contact_account)
    ServiceRequest.objects.filter(pk=request.pk).update(status=Status.PROCESSING)
    request.refresh_from_db()
    services.request_status_set(
        organization=request.organization,
        service_request=request,
        status=Status.DONE,
        actor=None,
        url="https://vigia.example.com/portal/org-a/solicitacoes/x/",
    )
    email = AlertEmail.objects.get()
    assert label in email.body
    assert "https://vigia.example.com/portal/org-a/solicitacoes/x/" in email.body


def test_an_operators_reply_is_emailed_and_the_requesters_brings_it_back_to_the_bell(
    contact_account, bob
):
    request = submit_for(contact_account)
    services.request_seen(organization=request.organization, service_request=request)
    services.request_reply(
        organization=request.organization, service_request=request, body="Já vamos.", actor=bob
    )
    assert "Já vamos." in AlertEmail.objects.get().body
    request.refresh_from_db()
    assert request.seen_at is not None
    services.request_reply(
        organization=request.organization,
        service_request=request,
        body="Obrigada!",
        by_requester=True,
    )
    request.refresh_from_db()
    assert request.seen_at is None
    assert AlertEmail.objects.count() == 1
    reply = request.events.last()
    assert reply.by_requester and reply.author is None


def test_an_empty_reply_is_refused(contact_account):
    request = submit_for(contact_account)
    with pytest.raises(ValidationError):
        services.request_reply(
            organization=request.organization, service_request=request, body="  ", actor=None
        )
