"""Writes of the catalogs: every screen, the admin and the B2B user dialog go through here."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from catalogs.models import Catalog, CatalogDocument
from clients.models import Client
from tenancy.models import Organization
from tenancy.services import ownership_check

Direction = Literal["up", "down"]

# What a document may be, told by its first bytes (never by the name or the browser's
# content type alone), with the extension and content type it is stored and served as.
DOCUMENT_TYPES = {
    b"%PDF-": (".pdf", "application/pdf"),
    b"\x89PNG\r\n\x1a\n": (".png", "image/png"),
    b"\xff\xd8\xff": (".jpg", "image/jpeg"),
}
CONTENT_TYPES = dict(DOCUMENT_TYPES.values())
BAD_TYPE = _("Upload a PDF, PNG or JPEG file.")
BAD_URL = _("Enter a link that starts with http:// or https://.")
FILE_OR_URL = _("Upload a file or enter a link (one of them, not both).")
DUPLICATE_NAME = _("A catalog with this name already exists.")
FOREIGN_CATALOGS = _("Some of the chosen catalogs do not exist (any more); reload and try again.")


def _next_order(rows) -> int:
    return (rows.aggregate(top=Max("order"))["top"] or 0) + 1


def _save_catalog(catalog: Catalog) -> Catalog:
    catalog.full_clean(exclude=["organization", "clients"], validate_constraints=False)
    # Compared here as well as by the database's constraint: SQLite's lower() folds ASCII
    # only, and "VERÃO" must clash with "Verão" on both databases. An organization has a
    # handful of catalogs.
    names = Catalog.objects.for_org(catalog.organization).exclude(pk=catalog.pk)
    if catalog.name.casefold() in {
        name.casefold() for name in names.values_list("name", flat=True)
    }:
        raise ValidationError({"name": DUPLICATE_NAME})
    try:
        with transaction.atomic():
            catalog.save()
    except IntegrityError as exc:
        raise ValidationError({"name": DUPLICATE_NAME}) from exc
    return catalog


def catalog_create(*, organization: Organization, name: str, description: str = "") -> Catalog:
    """A new catalog of the organization, placed last."""
    catalog = Catalog(
        organization=organization,
        name=name.strip(),
        description=description.strip(),
        order=_next_order(Catalog.objects.for_org(organization)),
    )
    return _save_catalog(catalog)


def catalog_update(
    *, organization: Organization, catalog: Catalog, name: str, description: str = ""
) -> Catalog:
    ownership_check(organization, catalog)
    catalog.name = name.strip()
    catalog.description = description.strip()
    return _save_catalog(catalog)


def catalog_delete(*, organization: Organization, catalog: Catalog) -> None:
    """Deletes the catalog, its documents and, once that is committed, their files."""
    ownership_check(organization, catalog)
    files = [doc.file for doc in catalog.documents.exclude(file="")]
    with transaction.atomic():
        catalog.delete()
        transaction.on_commit(lambda: _delete_files(files))


def _delete_files(files) -> None:
    for stored in files:
        stored.storage.delete(stored.name)


def _move(rows: list, row, direction: Direction) -> None:
    """Swaps `row` with its neighbour in `rows` (already in display order) and renumbers
    them all 1..n, so that equal or sparse orders left by older data settle too."""
    index = next(i for i, other in enumerate(rows) if other.pk == row.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
    for position, other in enumerate(rows, start=1):
        other.order = position
    type(row).objects.bulk_update(rows, ["order"])


@transaction.atomic
def catalog_move(*, organization: Organization, catalog: Catalog, direction: Direction) -> None:
    ownership_check(organization, catalog)
    rows = list(
        Catalog.objects.for_org(organization).select_for_update().order_by("order", "name", "id")
    )
    _move(rows, catalog, direction)


def catalog_release(
    *, organization: Organization, catalog: Catalog, clients: Iterable[Client]
) -> None:
    """Releases the catalog to these clients (their portal users see it)."""
    clients = list(clients)
    ownership_check(organization, catalog, *clients)
    catalog.clients.add(*clients)


def catalog_withdraw(
    *, organization: Organization, catalog: Catalog, clients: Iterable[Client]
) -> None:
    clients = list(clients)
    ownership_check(organization, catalog, *clients)
    catalog.clients.remove(*clients)


def client_catalogs_set(
    *, organization: Organization, client: Client, catalogs: Iterable[Catalog]
) -> None:
    """Exactly these catalogs are released to the client (the B2B user dialog's choice)."""
    catalogs = list(catalogs)
    try:
        ownership_check(organization, client, *catalogs)
    except ValidationError as exc:
        raise ValidationError({"catalogs": FOREIGN_CATALOGS}) from exc
    client.catalogs.set(catalogs)


def catalogs_by_codes(*, organization: Organization, codes: Iterable[str]) -> list[Catalog]:
    """The organization's catalogs with these codes; a code that is foreign, unknown or not a
    UUID is refused as a whole (ValidationError on "catalogs"), never silently dropped."""
    wanted = {str(code).strip() for code in codes if str(code).strip()}
    if not wanted:
        return []
    valid = Catalog._meta.get_field("code")
    try:
        uuids = {valid.to_python(code) for code in wanted}
    except ValidationError as exc:
        raise ValidationError({"catalogs": FOREIGN_CATALOGS}) from exc
    found = list(Catalog.objects.for_org(organization).filter(code__in=uuids))
    if len(found) != len(uuids):
        raise ValidationError({"catalogs": FOREIGN_CATALOGS})
    return found


# Documents


def document_file_check(upload: UploadedFile) -> tuple[str, str]:
    """Refuses (ValidationError on "file") an upload that is too large or not a PDF, PNG or
    JPEG by its content; returns the extension and content type it is stored as."""
    limit = settings.CATALOG_DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("The file is too large (%(size)s); the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, kind in DOCUMENT_TYPES.items():
        if head.startswith(magic):
            return kind
    raise ValidationError({"file": BAD_TYPE})


def document_url_check(url: str) -> str:
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError({"url": BAD_URL}) from exc
    return url


def document_add(
    *,
    organization: Organization,
    catalog: Catalog,
    title: str,
    file: UploadedFile | None = None,
    url: str = "",
) -> CatalogDocument:
    """Adds a document at the end of the catalog: an uploaded file (stored through the
    default storage under a random name) or an http(s) link."""
    ownership_check(organization, catalog)
    url = (url or "").strip()
    if bool(file) == bool(url):
        raise ValidationError(FILE_OR_URL)
    document = CatalogDocument(
        organization=organization,
        catalog=catalog,
        title=title.strip(),
        order=_next_order(catalog.documents.all()),
    )
    if url:
        document.url = document_url_check(url)
    document.full_clean(exclude=["organization", "catalog", "file", "url"])
    if file:
        suffix, _content_type = document_file_check(file)
        original = PurePosixPath(file.name or "").name
        document.file_name = (PurePosixPath(original).stem[:150] or "document") + suffix
        document.file.save(f"upload{suffix}", file, save=False)
    try:
        document.save()
    except Exception:
        # The row did not make it: its file must not stay behind, unreferenced.
        if document.file:
            document.file.storage.delete(document.file.name)
        raise
    return document


def document_delete(*, organization: Organization, document: CatalogDocument) -> None:
    ownership_check(organization, document)
    files = [document.file] if document.file else []
    with transaction.atomic():
        document.delete()
        transaction.on_commit(lambda: _delete_files(files))


@transaction.atomic
def document_move(
    *, organization: Organization, document: CatalogDocument, direction: Direction
) -> None:
    ownership_check(organization, document)
    rows = list(
        CatalogDocument.objects.filter(catalog_id=document.catalog_id)
        .select_for_update()
        .order_by("order", "id")
    )
    _move(rows, document, direction)
