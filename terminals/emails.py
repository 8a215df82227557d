"""The alert e-mails: HTML and text bodies plus the reconnection procedure as a PDF."""

from __future__ import annotations

import logging
import mimetypes
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from clients.models import people_language
from terminals.models import SECRET_MARK, AlertEmail

logger = logging.getLogger(__name__)

# Relative URLs in our PDF templates ({% static %}) resolve against this base, so that the
# fetcher can tell our own static files from anything else.
PDF_BASE_URL = "file:///"


class PdfResourceFetcher(URLFetcher):
    """What WeasyPrint may load while rendering a PDF in a worker: inline (data:) images and
    our own static files. Anything else, such as a remote src stored before the sanitizer
    dropped them or a URL inside an SVG, is refused without being fetched."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"})

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        static_base = urljoin(PDF_BASE_URL, settings.STATIC_URL)
        if url.startswith(static_base):
            # The finders refuse paths that climb out of the static folders.
            path = finders.find(unquote(url.removeprefix(static_base).split("?")[0]))
            if path:
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, Path(path).read_bytes(), {"Content-Type": content_type}
                )
        return super().fetch(url, headers)


def procedure_pdf(context: dict) -> bytes:
    html = render_to_string("terminals/email/procedure_pdf.html", context)
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=PdfResourceFetcher()).write_pdf()


def header_text(value: str) -> str:
    """`value` on one line, fit for a header: line breaks and other control characters
    (which would end the header, or make Django refuse it) become single spaces."""
    kept = (" " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c for c in value)
    return " ".join("".join(kept).split())


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


def alert_subject(email: AlertEmail) -> str:
    terminal = email.episode.terminal
    if email.kind == AlertEmail.Kind.DISCONNECTED:
        subject = _("Terminal %(name)s (%(identifier)s) is disconnected")
    else:
        subject = _("Terminal %(name)s (%(identifier)s) is connected again")
    return header_text(
        subject % {"name": terminal.name or terminal.identifier, "identifier": terminal.identifier}
    )


@dataclass
class AlertMessage:
    message: EmailMultiAlternatives
    # What could not be rendered and was left out, one line per part, in the
    # organization's language; empty when the e-mail went out whole.
    problems: list[str] = field(default_factory=list)


def _problem(part: str, exc: BaseException) -> str:
    return f"{part}: {type(exc).__name__}: {exc}"


def alert_message(
    email: AlertEmail, *, connection, pdf_cache: dict[int, bytes | Exception] | None = None
) -> AlertMessage:
    """The message for one outbox row, in its client's culture (else the organization's
    language), with a Message-ID that stays the same on every attempt. A part that cannot be
    rendered (the PDF, a body, a header) is left out and named in `problems`, and the e-mail
    says so: an alert is never held back by the data it carries."""
    if email.kind == AlertEmail.Kind.MESSAGE:
        return stored_message(email, connection=connection)
    organization = email.organization
    disconnected = email.kind == AlertEmail.Kind.DISCONNECTED
    kind = "disconnected" if disconnected else "reconnected"
    with translation.override(people_language(organization, email.episode.client)):
        problems: list[str] = []
        context = alert_context(email)
        subject = alert_subject(email)
        pdf = None
        if disconnected:
            # One PDF per episode, shared by its recipients; a failure is kept too, so a
            # broken procedure is not rendered again for every address.
            cache = pdf_cache if pdf_cache is not None else {}
            if email.episode_id not in cache:
                try:
                    cache[email.episode_id] = procedure_pdf(context)
                # WeasyPrint and the template can raise anything; the e-mail goes without it.
                except Exception as exc:
                    logger.exception("The procedure PDF of episode %s failed", email.episode_id)
                    cache[email.episode_id] = exc
            pdf = cache[email.episode_id]
            if isinstance(pdf, Exception):
                problems.append(_problem("PDF", pdf))
                context["pdf_missing"] = True
                pdf = None
        try:
            text = render_to_string(f"terminals/email/alert_{kind}.txt", context)
        except Exception as exc:
            logger.exception("The text of alert e-mail %s failed", email.pk)
            problems.append(_problem(_("text body"), exc))
            text = _short_text(subject)
        try:
            html = render_to_string(f"terminals/email/alert_{kind}.html", context)
        except Exception as exc:
            logger.exception("The HTML of alert e-mail %s failed", email.pk)
            problems.append(_problem(_("HTML body"), exc))
            html = None

        def message_from(sender: str, body: str) -> EmailMultiAlternatives:
            return EmailMultiAlternatives(
                subject=subject,
                body=body,
                from_email=sender,
                to=[email.recipient],
                connection=connection,
                headers={"Message-ID": email.message_id},
            )

        message = message_from(organization.sender_email or settings.DEFAULT_FROM_EMAIL, text)
        if html is not None:
            message.attach_alternative(html, "text/html")
        if pdf is not None:
            filename = _("reconnection-%(identifier)s.pdf") % {
                "identifier": header_text(email.episode.terminal.identifier)
            }
            message.attach(filename, pdf, "application/pdf")
        try:
            # Builds the MIME message and the envelope sender as the backend will, so that a
            # header Django refuses (a line break or a malformed address in the
            # organization's sender, say) shows up here, not at send.
            message.message()
            sanitize_address(message.from_email, message.encoding or settings.DEFAULT_CHARSET)
        except ValueError as exc:
            logger.exception("The headers of alert e-mail %s failed", email.pk)
            problems.append(_problem(_("headers"), exc))
            # The short form, from our own sender; if even this fails, the outbox retries
            # and in the end marks the row failed.
            message = message_from(settings.DEFAULT_FROM_EMAIL, _short_text(subject))
    return AlertMessage(message, problems)


def stored_message(email: AlertEmail, *, connection) -> AlertMessage:
    """A Kind.MESSAGE row as it was written when queued: its subject and plain-text body,
    from the organization's sender (ours when Django refuses that one)."""
    problems: list[str] = []

    def message_from(sender: str) -> EmailMultiAlternatives:
        return EmailMultiAlternatives(
            subject=header_text(email.subject),
            body=email.body.replace(SECRET_MARK, email.secret) if email.secret else email.body,
            from_email=sender,
            to=[email.recipient],
            connection=connection,
            headers={"Message-ID": email.message_id},
        )

    message = message_from(email.organization.sender_email or settings.DEFAULT_FROM_EMAIL)
    try:
        message.message()
        sanitize_address(message.from_email, message.encoding or settings.DEFAULT_CHARSET)
    except ValueError as exc:
        problems.append(_problem("headers", exc))
        message = message_from(settings.DEFAULT_FROM_EMAIL)
    return AlertMessage(message, problems)


def _short_text(subject: str) -> str:
    note = _("Part of this alert could not be prepared, so it is sent in short form.")
    return f"{subject}\n\n{note}\n"
