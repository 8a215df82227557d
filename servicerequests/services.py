"""Writing requests: sending one with its attachments, the operators' replies and status
changes (each e-mailed to the requester through the outbox), and removing a contact's."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import Client, people_language
from contacts.models import Contact
from servicerequests.models import RequestAttachment, RequestEvent, ServiceRequest
from servicerequests.uploads import (
    REQUEST_MAX_BYTES,
    REQUEST_MAX_FILES,
    empty_file_message,
    too_large_message,
    too_many_message,
)
from tenancy.models import Organization
from tenancy.text import CONTROL_CHARACTERS
from terminals.outbox import outbox_message_queue

if TYPE_CHECKING:
    from portal.models import PortalAccount

Status = ServiceRequest.Status

# Where each status may go. Concluído and Recusado are final: a new need is a new request.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.RECEIVED, Status.PROCESSING, Status.REFUSED),
    Status.RECEIVED: (Status.PROCESSING, Status.REFUSED),
    Status.PROCESSING: (Status.DONE, Status.REFUSED),
    Status.DONE: (),
    Status.REFUSED: (),
}
# The statuses a contact's deletion takes along; one being processed blocks it.
DELETABLE_WITH_CONTACT = (Status.NEW, Status.RECEIVED, Status.DONE, Status.REFUSED)

SUBJECT_MAX = 200
NAME_MAX = 200
BODY_MAX = 10_000
SNIFF_BYTES = 8192

PDF = "application/pdf"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
TEXT = "text/plain"
# Extension → (content type stored and served, what the first bytes must be).
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", PDF),
    ".png": ("image/png", "image/png"),
    ".jpg": ("image/jpeg", "image/jpeg"),
    ".jpeg": ("image/jpeg", "image/jpeg"),
    ".gif": ("image/gif", "image/gif"),
    ".webp": ("image/webp", "image/webp"),
    ".doc": ("application/msword", OLE),
    ".xls": ("application/vnd.ms-excel", OLE),
    ".ppt": ("application/vnd.ms-powerpoint", OLE),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP,
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ZIP,
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", ZIP),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    ".odp": ("application/vnd.oasis.opendocument.presentation", ZIP),
    ".txt": ("text/plain", TEXT),
    ".csv": ("text/csv", TEXT),
    ".zip": ("application/zip", ZIP),
}
ACCEPT = ",".join(ALLOWED_TYPES)

BAD_NAME = gettext_lazy(
    "The file name “%(name)s” is not accepted: it may not contain folders (/ or \\) or "
    "control characters."
)
BAD_TYPE = gettext_lazy(
    "“%(name)s” is not an accepted kind of file (PDF, images, office documents, text, CSV or ZIP)."
)
NOT_ALLOWED = gettext_lazy("A request whose status is %(status)s cannot become %(target)s.")
STATUS_SUBJECT = gettext_lazy("Your request %(reference)s: new status")
REPLY_SUBJECT = gettext_lazy("Your request %(reference)s: a new reply")


def _sniffed(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    # A PDF reader accepts a few bytes of garbage before the header.
    if b"%PDF-" in head[:1024]:
        return PDF
    if b"\x00" not in head:
        return TEXT
    return None


def attachment_name_clean(name: str) -> str:
    """The sender's file name as shown and offered on download; ValidationError for a name
    that tries to be a path or carries control characters. A long one keeps its extension."""
    name = (name or "").strip()
    if not name or "/" in name or "\\" in name or CONTROL_CHARACTERS.search(name):
        raise ValidationError(
            BAD_NAME % {"name": CONTROL_CHARACTERS.sub("?", name)}, code="bad_name"
        )
    if name in {".", ".."}:
        raise ValidationError(BAD_NAME % {"name": name}, code="bad_name")
    if len(name) > NAME_MAX:
        stem, extension = os.path.splitext(name)
        name = stem[: NAME_MAX - len(extension)] + extension
    return name


def attachment_content_type(upload: UploadedFile, name: str) -> str:
    """The content type of an accepted file, by its extension and its first bytes (never by
    what the browser claimed); ValidationError otherwise."""
    extension = os.path.splitext(name)[1].lower()
    content_type, signature = ALLOWED_TYPES.get(extension, ("", ""))
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    sniffed = _sniffed(head)
    if not content_type or sniffed != signature:
        raise ValidationError(BAD_TYPE % {"name": name}, code="bad_type")
    return content_type


def _checked_files(
    files: Sequence[UploadedFile], *, max_bytes: int, max_files: int
) -> list[tuple[UploadedFile, str, str]]:
    if len(files) > max_files:
        raise ValidationError({"files": too_many_message(max_files)}, code="too_many")
    if sum(upload.size or 0 for upload in files) > max_bytes:
        raise ValidationError({"files": too_large_message(max_bytes)}, code="too_large")
    checked, errors = [], []
    for upload in files:
        try:
            name = attachment_name_clean(upload.name)
            if not upload.size:
                raise ValidationError(empty_file_message(name), code="empty")
            checked.append((upload, name, attachment_content_type(upload, name)))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def _stored_delete(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def request_submit(
    *,
    organization: Organization,
    subject: str,
    description: str,
    files: Sequence[UploadedFile],
    requester_name: str,
    requester_email: str,
    client: Client | None = None,
    account: PortalAccount | None = None,
    contact: Contact | None = None,
    client_cnpj: str = "",
    via_link: bool = False,
    max_bytes: int = REQUEST_MAX_BYTES,
    max_files: int = REQUEST_MAX_FILES,
) -> ServiceRequest:
    """A new request (Novo) with its attachments, all or nothing: every file is checked
    (name, kind, size, count) before any is stored, and the files already stored are
    removed again when anything fails. The files are copied to the storage in chunks."""
    subject = (subject or "").strip()
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not subject:
        errors["subject"] = [_("Write the request's subject.")]
    elif len(subject) > SUBJECT_MAX or CONTROL_CHARACTERS.search(subject):
        errors["subject"] = [
            _("Write a subject of at most %(count)d characters, on one line.")
            % {"count": SUBJECT_MAX}
        ]
    if len(description) > BODY_MAX:
        errors["description"] = [
            _("Keep the description under %(count)d characters.") % {"count": BODY_MAX}
        ]
    try:
        checked = _checked_files(files, max_bytes=max_bytes, max_files=max_files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    for owned in (client, account, contact):
        if owned is not None and owned.organization_id != organization.pk:
            raise ValueError("a request's client, account and contact are its organization's")

    stored: list[str] = []
    try:
        with transaction.atomic():
            service_request = ServiceRequest.objects.create(
                organization=organization,
                client=client,
                account=account,
                contact=contact,
                requester_name=requester_name.strip()[:200],
                requester_email=requester_email.strip(),
                client_cnpj=client_cnpj,
                via_link=via_link,
                subject=subject,
                description=description,
            )
            for upload, name, content_type in checked:
                attachment = RequestAttachment(
                    request=service_request,
                    name=name,
                    size=upload.size,
                    content_type=content_type,
                )
                # FileSystemStorage moves a temporary upload or copies it chunk by chunk;
                # a bucket receives it in parts: never the whole file in memory.
                attachment.file.save(name, upload, save=False)
                stored.append(attachment.file.name)
                attachment.save()
    except BaseException:
        _stored_delete(stored)
        raise
    return service_request


def _requester_message(
    service_request: ServiceRequest, *, template: str, subject: Promise, context: dict
) -> None:
    if not service_request.requester_email:
        return
    organization = service_request.organization
    with translation.override(people_language(organization, service_request.client)):
        body = render_to_string(
            template, {"request": service_request, "organization": organization, **context}
        )
        text = str(subject) % {"reference": service_request.reference}
    outbox_message_queue(
        organization_id=organization.pk,
        recipient=service_request.requester_email,
        subject=text,
        body=body,
        contact_id=service_request.contact_id,
    )


def allowed_statuses(service_request: ServiceRequest) -> tuple[str, ...]:
    return TRANSITIONS.get(service_request.status, ())


def _locked(organization: Organization, service_request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().get(
        organization=organization, pk=service_request.pk
    )


@transaction.atomic
def request_status_set(
    *,
    organization: Organization,
    service_request: ServiceRequest,
    status: str,
    actor,
    reason: str = "",
    url: str = "",
) -> ServiceRequest:
    """Moves the request along TRANSITIONS (Recusado needs a reason) and e-mails the
    requester, in their people's language, with `url` (the request in the portal) when
    given."""
    locked = _locked(organization, service_request)
    if status not in allowed_statuses(locked):
        target = Status(status).label if status in Status.values else status
        raise ValidationError(
            NOT_ALLOWED % {"status": locked.get_status_display(), "target": target},
            code="not_allowed",
        )
    reason = (reason or "").strip()
    if status == Status.REFUSED and not reason:
        raise ValidationError({"reason": _("Tell the requester why it is refused.")})
    if len(reason) > BODY_MAX:
        raise ValidationError(
            {"reason": _("Keep the reason under %(count)d characters.") % {"count": BODY_MAX}}
        )
    previous = locked.status
    locked.status = status
    locked.refusal_reason = reason if status == Status.REFUSED else ""
    locked.seen_at = locked.seen_at or timezone.now()
    locked.save(update_fields=["status", "refusal_reason", "seen_at", "updated_at"])
    RequestEvent.objects.create(
        request=locked,
        author=actor if getattr(actor, "pk", None) else None,
        kind=RequestEvent.Kind.STATUS,
        status_from=previous,
        status_to=status,
        body=locked.refusal_reason,
    )
    _requester_message(
        locked,
        template="servicerequests/email/status.txt",
        subject=STATUS_SUBJECT,
        context={"url": url},
    )
    return locked


@transaction.atomic
def request_reply(
    *,
    organization: Organization,
    service_request: ServiceRequest,
    body: str,
    actor=None,
    by_requester: bool = False,
    url: str = "",
) -> RequestEvent:
    """A message on the request's timeline: an operator's (e-mailed to the requester) or
    the requester's own."""
    locked = _locked(organization, service_request)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the message.")})
    if len(body) > BODY_MAX:
        raise ValidationError(
            {"body": _("Keep the message under %(count)d characters.") % {"count": BODY_MAX}}
        )
    event = RequestEvent.objects.create(
        request=locked,
        author=None if by_requester or not getattr(actor, "pk", None) else actor,
        by_requester=by_requester,
        kind=RequestEvent.Kind.REPLY,
        body=body,
    )
    if by_requester:
        # Back among the new ones in the operators' bell.
        locked.seen_at = None
        locked.save(update_fields=["seen_at", "updated_at"])
    else:
        _requester_message(
            locked,
            template="servicerequests/email/reply.txt",
            subject=REPLY_SUBJECT,
            context={"event": event, "url": url},
        )
    return event


def request_seen(*, organization: Organization, service_request: ServiceRequest) -> None:
    """An operator opened the request: it leaves the bell."""
    if service_request.seen_at is None:
        ServiceRequest.objects.for_org(organization).filter(
            pk=service_request.pk, seen_at__isnull=True
        ).update(seen_at=timezone.now())


def contacts_requests(contacts: QuerySet[Contact]) -> QuerySet[ServiceRequest]:
    """The requests that belong to `contacts`: sent by them, or through their accounts."""
    return ServiceRequest.objects.filter(
        Q(contact__in=contacts.values("pk")) | Q(account__contact__in=contacts.values("pk"))
    )


def requests_for_contacts_delete(*, contacts: QuerySet[Contact]) -> None:
    """Deletes the requests of `contacts`, set-based, their files once the deletion has
    committed. The caller has checked that none is being processed."""
    requests = contacts_requests(contacts)
    names = list(
        RequestAttachment.objects.filter(request__in=requests).values_list("file", flat=True)
    )
    RequestEvent.objects.filter(request__in=requests)._raw_delete(RequestEvent.objects.db)
    RequestAttachment.objects.filter(request__in=requests)._raw_delete(RequestAttachment.objects.db)
    ServiceRequest.objects.filter(pk__in=requests.values("pk"))._raw_delete(
        ServiceRequest.objects.db
    )
    if names:
        transaction.on_commit(lambda: _stored_delete(names))
