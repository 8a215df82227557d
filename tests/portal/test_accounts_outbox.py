"""The activation e-mail through the alert outbox's delivery, over a real SMTP conversation
(aiosmtpd): sent as written, in the person's language, retried when the server refuses."""

from __future__ import annotations

import pytest

from portal import accounts
from terminals.models import SECRET_MARK, AlertEmail
from terminals.outbox import alert_emails_deliver
from tests.factories import ClientFactory, ContactFactory
from tests.terminals.conftest import mailbox, smtp_server  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings, smtp_server, mailbox):  # noqa: F811
    controller, _ = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return mailbox


def _invite(organization, contact, note=""):
    invitation = accounts.account_invitation_prepare(
        organization=organization,
        contact=contact,
        actor=None,
        url_for=lambda token: f"https://vigia.example/portal/{organization.slug}/ativar/{token}/",
    )
    return accounts.account_invitation_send(
        organization=organization,
        contact=contact,
        token=invitation.token,
        url=invitation.url,
        note=note,
    )


def _deliver(email: AlertEmail):
    return alert_emails_deliver(organization_id=email.organization_id, ids=[email.pk])


def test_the_invitation_goes_out_as_written_with_a_stable_message_id(smtp, org_a):
    contact = ContactFactory(client=ClientFactory(organization=org_a), email="maria@example.com")
    email = _invite(org_a, contact, note="Qualquer dúvida, ligue.")
    assert _deliver(email).sent == [email.pk]
    (message,) = smtp.wait_for(1)
    assert message["To"] == "maria@example.com"
    assert message["From"] == org_a.sender_email
    assert message["Subject"].strip() == email.subject
    assert message["Message-ID"] == email.message_id
    url = email.secret
    assert "/ativar/" in url and url not in email.body
    sent = message.get_content().replace("\r\n", "\n").strip()
    assert sent == email.body.replace(SECRET_MARK, url).strip()
    email.refresh_from_db()
    assert email.status == AlertEmail.Status.SENT and email.sent_at
    # The outbox's history keeps the message, never the working link.
    assert email.secret == "" and url not in email.body and SECRET_MARK in email.body


def test_a_message_given_up_erases_its_link(smtp, org_a, settings):
    settings.ALERT_EMAIL_MAX_ATTEMPTS = 1
    contact = ContactFactory(client=ClientFactory(organization=org_a))
    email = _invite(org_a, contact)
    smtp.refusing = True
    assert _deliver(email).failed == [email.pk]
    email.refresh_from_db()
    assert email.status == AlertEmail.Status.FAILED and email.secret == ""


def test_a_refusing_server_leaves_it_pending_for_a_retry(smtp, org_a):
    contact = ContactFactory(client=ClientFactory(organization=org_a))
    email = _invite(org_a, contact)
    smtp.refusing = True
    result = _deliver(email)
    assert result.retry_ids == [email.pk]
    email.refresh_from_db()
    assert email.status == AlertEmail.Status.PENDING and email.attempts == 1 and email.last_error
    smtp.refusing = False
    assert _deliver(email).sent == [email.pk]


def test_the_client_culture_chooses_the_language(org_a):
    org_a.language = "pt-br"
    org_a.save()
    client = ClientFactory(organization=org_a, culture="es")
    contact = ContactFactory(client=client)
    assert accounts.message_language(org_a, contact) == "es"
    # The date is written the Spanish way whatever the catalogs hold.
    assert " de 20" in _invite(org_a, contact).body


def test_a_contact_without_a_client_gets_the_organization_language(org_a):
    org_a.language = "en"
    org_a.save()
    contact = ContactFactory(organization=org_a, client=None)
    assert accounts.message_language(org_a, contact) == "en"
    assert "To activate your access" in _invite(org_a, contact).body
