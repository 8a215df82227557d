"""The alert e-mails: HTML and text bodies plus the reconnection procedure as a PDF."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from terminals.models import AlertEmail


def _only_data_urls(url: str, timeout: int = 10, ssl_context=None):
    # The PDF is rendered by a worker: it must not fetch whatever URL an admin pasted.
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    raise ValueError("only inline (data:) images are embedded in the PDF")


def procedure_pdf(context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("terminals/email/procedure_pdf.html", context)
    return HTML(string=html, url_fetcher=_only_data_urls).write_pdf()


def alert_context(email: AlertEmail) -> dict:
    episode = email.episode
    terminal = episode.terminal
    return {
        "email": email,
        "organization": email.organization,
        "episode": episode,
        "terminal": terminal,
        "client": episode.client,
        "device_type": terminal.device_type,
        "contact": email.contact,
    }


def alert_message(
    email: AlertEmail, *, connection, pdf_cache: dict[int, bytes] | None = None
) -> EmailMultiAlternatives:
    """The message for one outbox row, in the organization's language, with a Message-ID
    that stays the same on every attempt."""
    organization = email.organization
    context = alert_context(email)
    terminal = context["terminal"]
    kind = "disconnected" if email.kind == AlertEmail.Kind.DISCONNECTED else "reconnected"
    with translation.override(organization.language):
        if kind == "disconnected":
            subject = _("Terminal %(name)s (%(identifier)s) is disconnected")
        else:
            subject = _("Terminal %(name)s (%(identifier)s) is connected again")
        subject = subject % {
            "name": terminal.name or terminal.identifier,
            "identifier": terminal.identifier,
        }
        text = render_to_string(f"terminals/email/alert_{kind}.txt", context)
        html = render_to_string(f"terminals/email/alert_{kind}.html", context)
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            from_email=organization.sender_email or settings.DEFAULT_FROM_EMAIL,
            to=[email.recipient],
            connection=connection,
            headers={"Message-ID": email.message_id},
        )
        message.attach_alternative(html, "text/html")
        if kind == "disconnected":
            cache = pdf_cache if pdf_cache is not None else {}
            if email.episode_id not in cache:
                cache[email.episode_id] = procedure_pdf(context)
            filename = _("reconnection-%(identifier)s.pdf") % {"identifier": terminal.identifier}
            message.attach(filename, cache[email.episode_id], "application/pdf")
    return message
