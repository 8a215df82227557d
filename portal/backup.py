"""Backup dos dados do usuário: a person's data as a ZIP (user-profile.json, jobs.json and a
folder per request with its attachments), streamed piece by piece. The operator downloads it
from Contatos; the person from the portal's Meus dados."""

from __future__ import annotations

import itertools
import json
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.db.models import QuerySet
from django.utils.text import slugify

from contacts.models import Contact
from portal.models import PortalAccount
from servicerequests.models import RequestAttachment, ServiceRequest
from servicerequests.selectors import account_requests
from servicerequests.services import contacts_requests
from tenancy.models import Organization
from tenancy.services import ownership_check

Status = PortalAccount.Status


class _Pipe:
    """A write-only file for zipfile that hands what was written to a generator."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self.offset

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        chunks, self.chunks = self.chunks, []
        yield from chunks


def zip_stream(entries: Iterable[tuple[str, Iterable[bytes]]]) -> Iterator[bytes]:
    """A ZIP archive as it is written, entry by entry and piece by piece: memory holds one
    piece at a time, whatever the size of the files."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, pieces in entries:
            with archive.open(name, "w", force_zip64=True) as entry:
                for piece in pieces:
                    entry.write(piece)
                    yield from pipe.drain()
            yield from pipe.drain()
    yield from pipe.drain()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def backup_profile(*, organization: Organization, contact: Contact) -> dict:
    ownership_check(organization, contact)
    account = PortalAccount.objects.filter(contact=contact).first()
    status = account.status if account else Status.NOT_REGISTERED
    client = contact.client
    return {
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "company": (
            {"name": client.razao_social, "cnpj": client.cnpj_formatted} if client else None
        ),
        "status": status,
        "status_label": str(Status(status).label),
        "created_at": _iso(contact.created_at),
        "invited_at": _iso(account.invited_at if account else None),
        "activated_at": _iso(account.activated_at if account else None),
        "terms_accepted_at": _iso(account.terms_accepted_at if account else None),
        "last_login_at": _iso(account.last_login_at if account else None),
    }


def _request_folder(service_request: ServiceRequest) -> str:
    return f"{service_request.reference.lstrip('#')}-{slugify(service_request.subject)[:40]}"


def _request_entry(service_request: ServiceRequest) -> dict:
    folder = _request_folder(service_request)
    return {
        "code": str(service_request.code),
        "reference": service_request.reference,
        "subject": service_request.subject,
        "description": service_request.description,
        "status": service_request.status,
        "status_label": str(service_request.get_status_display()),
        "refusal_reason": service_request.refusal_reason,
        "requester": {
            "name": service_request.requester_name,
            "email": service_request.requester_email,
        },
        "created_at": _iso(service_request.created_at),
        "updated_at": _iso(service_request.updated_at),
        "attachments": [
            {
                "name": attachment.name,
                "size": attachment.size,
                "content_type": attachment.content_type,
                "file": f"{folder}/{_attachment_file_name(index, attachment)}",
            }
            for index, attachment in enumerate(service_request.attachments.all(), 1)
        ],
        "events": [
            {
                "kind": event.kind,
                "by_requester": event.by_requester,
                "status_from": event.status_from,
                "status_to": event.status_to,
                "body": event.body,
                "created_at": _iso(event.created_at),
            }
            for event in service_request.events.all()
        ],
    }


def _attachment_file_name(index: int, attachment: RequestAttachment) -> str:
    # Numbered: two attachments may carry the same name. The name was sanitized when it was
    # sent (no folder, no control character), so it stays inside the request's folder.
    return f"{index:02d}-{attachment.name}"


def _contact_requests(organization: Organization, contact: Contact) -> QuerySet[ServiceRequest]:
    return contacts_requests(Contact.objects.filter(pk=contact.pk)).filter(
        organization=organization
    )


def _backup_requests(requests: QuerySet[ServiceRequest]) -> list[dict]:
    return [
        _request_entry(service_request)
        for service_request in requests.order_by("created_at", "id").prefetch_related(
            "attachments", "events"
        )
    ]


def backup_requests(*, organization: Organization, contact: Contact) -> list[dict]:
    """The person's portal requests for jobs.json, each with its attachments (and where
    the ZIP holds them) and its replies and status changes."""
    ownership_check(organization, contact)
    return _backup_requests(_contact_requests(organization, contact))


def _stored_pieces(attachment: RequestAttachment) -> Iterator[bytes]:
    # Opened only when the ZIP reaches this entry, read a piece at a time.
    with attachment.file.storage.open(attachment.file.name, "rb") as handle:
        while piece := handle.read(64 * 1024):
            yield piece


def _attachment_entries(
    requests: QuerySet[ServiceRequest],
) -> Iterator[tuple[str, Iterable[bytes]]]:
    for service_request in requests.order_by("created_at", "id").prefetch_related("attachments"):
        folder = _request_folder(service_request)
        for index, attachment in enumerate(service_request.attachments.all(), 1):
            yield f"{folder}/{_attachment_file_name(index, attachment)}", _stored_pieces(attachment)


def backup_filename(contact: Contact) -> str:
    return f"{slugify(contact.name) or 'contato'}.zip"


def _as_json(value) -> Iterator[bytes]:
    yield json.dumps(value, ensure_ascii=False, indent=2).encode()


def _backup_stream(profile: dict, requests: QuerySet[ServiceRequest]) -> Iterator[bytes]:
    entries = [
        ("user-profile.json", _as_json(profile)),
        ("jobs.json", _as_json(_backup_requests(requests))),
    ]
    return zip_stream(itertools.chain(entries, _attachment_entries(requests)))


def backup_zip(*, organization: Organization, contact: Contact) -> Iterator[bytes]:
    """Backup dos dados do usuário: user-profile.json, jobs.json and a folder per request
    with its attachments, streamed."""
    profile = backup_profile(organization=organization, contact=contact)
    return _backup_stream(profile, _contact_requests(organization, contact))


def backup_zip_for_account(*, account: PortalAccount) -> Iterator[bytes]:
    """The backup a portal person downloads from Meus dados: a contact's as the back office
    gives it; a B2B user's with its own profile and its client's requests."""
    if account.kind == PortalAccount.Kind.CONTACT and account.contact_id:
        return backup_zip(organization=account.organization, contact=account.contact)
    client = account.client
    profile = {
        "username": account.username,
        "email": account.email,
        "company": (
            {"name": client.razao_social, "cnpj": client.cnpj_formatted} if client else None
        ),
        "status": account.status,
        "status_label": str(account.get_status_display()),
        "activated_at": _iso(account.activated_at),
        "terms_accepted_at": _iso(account.terms_accepted_at),
        "last_login_at": _iso(account.last_login_at),
    }
    return _backup_stream(profile, account_requests(account=account))
