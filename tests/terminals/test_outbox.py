"""Delivery from the outbox over a real SMTP conversation (aiosmtpd) and the real database:
an e-mail whose PDF, body or header cannot be rendered still goes out, says what it lacks,
and the alert history shows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tenancy.models import Language, Organization
from terminals import emails
from terminals.models import AlertEmail
from terminals.outbox import alert_emails_deliver
from terminals.sweep import alert_sweep
from tests.factories import ClientFactory, ContactFactory, TerminalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings, smtp_server, mailbox):
    controller, _ = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "Vigia <vigia@example.com>"
    return mailbox


def _alert(organization: Organization, recipients: int = 1, **terminal_fields) -> AlertEmail:
    """A terminal past its deadline, swept: its outbox rows are written, and delivered by the
    test itself rather than a worker (the commit that would enqueue them never comes)."""
    organization.language = Language.EN
    organization.save()
    client = ClientFactory(organization=organization)
    for n in range(recipients):
        ContactFactory(client=client, email=f"contato{n}@cliente.com.br")
    TerminalFactory(
        organization=organization,
        client=client,
        last_heartbeat_at=timezone.now() - timedelta(minutes=30),
        alert_after=timezone.now() - timedelta(minutes=15),
        **terminal_fields,
    )
    assert alert_sweep().queued == recipients
    return AlertEmail.objects.filter(organization=organization).first()


def _deliver(organization: Organization) -> list[AlertEmail]:
    ids = list(AlertEmail.objects.filter(organization=organization).values_list("id", flat=True))
    alert_emails_deliver(organization_id=organization.pk, ids=ids)
    return list(AlertEmail.objects.filter(organization=organization))


def test_it_sends_the_alert_without_the_pdf_when_the_pdf_cannot_be_rendered(
    smtp, org_a, alice_client, monkeypatch
):
    renders = []

    def broken_renderer(context):
        renders.append(context["terminal"])
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(emails, "procedure_pdf", broken_renderer)
    email = _alert(org_a, recipients=2, identifier="TRM-PDF-1")

    rows = _deliver(org_a)

    messages = smtp.wait_for(2, timeout=10)
    assert len(messages) == 2
    for message in messages:
        assert list(message.iter_attachments()) == []
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        for body in (text, html):
            assert "could not be prepared this time, so it is not attached" in body
            assert "is attached as a PDF" not in body
        assert "Reinicie o player." in text and "TRM-PDF-1" in message["Subject"]
    # One episode, one attempt at its PDF, whatever the number of recipients.
    assert len(renders) == 1
    assert {row.status for row in rows} == {AlertEmail.Status.SENT}
    assert {row.render_problems for row in rows} == {"PDF: RuntimeError: the renderer broke"}
    page = alice_client.get(reverse("terminals:detail", args=[email.episode.terminal.code]))
    assert "PDF: RuntimeError: the renderer broke" in page.content.decode()


def test_a_line_break_in_the_terminal_name_still_gets_its_alert_with_a_one_line_subject(
    smtp, org_a
):
    _alert(org_a, name="Totem\nda entrada", identifier="TRM-\r\nNL-1")

    [row] = _deliver(org_a)

    [message] = smtp.wait_for(1, timeout=10)
    assert message["Subject"] == "Terminal Totem da entrada (TRM- NL-1) is disconnected"
    [pdf] = list(message.iter_attachments())
    assert pdf.get_filename() == "reconnection-TRM- NL-1.pdf"
    assert row.status == AlertEmail.Status.SENT and row.render_problems == ""


@pytest.mark.parametrize(
    ("sender", "error"),
    [
        ("alertas@example.com\nBcc: espiao@example.com", "BadHeaderError"),
        ("alertas@example.com, espiao@example.com", "ValueError"),
    ],
)
def test_a_header_django_refuses_sends_the_short_form_from_our_sender(smtp, org_a, sender, error):
    # Stored before senders were validated, or written past the form.
    Organization.objects.filter(pk=org_a.pk).update(sender_email=sender)
    org_a.refresh_from_db()
    _alert(org_a, identifier="TRM-HDR-1")

    [row] = _deliver(org_a)

    [message] = smtp.wait_for(1, timeout=10)
    assert message["From"] == "Vigia <vigia@example.com>" and message["Bcc"] is None
    assert "TRM-HDR-1" in message["Subject"]
    assert "could not be prepared, so it is sent in short form" in message.get_content()
    assert row.status == AlertEmail.Status.SENT
    assert row.render_problems.startswith(f"headers: {error}: ")


def test_bodies_that_cannot_be_rendered_leave_the_short_text_and_the_pdf(smtp, org_a, monkeypatch):
    render_to_string = emails.render_to_string

    def without_alert_bodies(name, context=None):
        if name.startswith("terminals/email/alert_"):
            raise KeyError(name)
        return render_to_string(name, context)

    monkeypatch.setattr(emails, "render_to_string", without_alert_bodies)
    _alert(org_a, identifier="TRM-TPL-1")

    [row] = _deliver(org_a)

    [message] = smtp.wait_for(1, timeout=10)
    assert message.get_body(("html",)) is None
    assert "sent in short form" in message.get_body(("plain",)).get_content()
    [pdf] = list(message.iter_attachments())
    assert pdf.get_content().startswith(b"%PDF")
    assert row.status == AlertEmail.Status.SENT
    assert row.render_problems.splitlines() == [
        "text body: KeyError: 'terminals/email/alert_disconnected.txt'",
        "HTML body: KeyError: 'terminals/email/alert_disconnected.html'",
    ]
