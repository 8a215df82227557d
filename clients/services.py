from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients import cnpj as cnpj_rules
from clients.models import Client
from clients.search import client_search_text
from tenancy.models import Organization, Project, User

__all__ = [
    "client_create",
    "client_delete",
    "client_fill_derived",
    "client_prepare",
    "client_search_text",
    "client_update",
]

EDITABLE_FIELDS = (
    "cnpj",
    "razao_social",
    "nome_fantasia",
    "conta",
    "email_wvds",
    "anotacoes",
    "status",
)
DUPLICATE_CNPJ = _("A client with this CNPJ already exists in this organization.")


def _apply(client: Client, fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(client, name, value.strip() if isinstance(value, str) else value)
    client_fill_derived(client=client)


SEARCHED_FIELDS = ("cnpj", "razao_social", "nome_fantasia", "conta", "email_wvds")


def client_prepare(values: dict[str, Any]) -> dict[str, Any]:
    """The clients' row rule, the one every writer applies (services, job import, admin
    import, seed, bench loaders): normalizes the CNPJ and the WVDS e-mail and derives the
    search column. `values` holds the record's fields (missing ones count as empty);
    returns them with the normalized and derived ones replaced."""
    prepared = dict(values)
    if prepared.get("cnpj"):
        prepared["cnpj"] = cnpj_rules.normalize(prepared["cnpj"])
    # E-mail addresses are compared case-insensitively in practice; one spelling is stored.
    prepared["email_wvds"] = (prepared.get("email_wvds") or "").strip().lower()
    prepared["search_text"] = client_search_text(
        **{name: prepared.get(name) or "" for name in SEARCHED_FIELDS}
    )
    return prepared


def client_fill_derived(*, client: Client) -> None:
    """client_prepare applied to an instance, in memory (no write)."""
    prepared = client_prepare({name: getattr(client, name) for name in SEARCHED_FIELDS})
    for name in (*SEARCHED_FIELDS, "search_text"):
        setattr(client, name, prepared[name])


def _validate(client: Client) -> None:
    # The (organization, cnpj) constraint is checked by hand so the error lands on the field.
    client.full_clean(validate_unique=False, validate_constraints=False)
    duplicate = Client.objects.for_org(client.organization).filter(cnpj=client.cnpj)
    if client.pk:
        duplicate = duplicate.exclude(pk=client.pk)
    if duplicate.exists():
        raise ValidationError({"cnpj": DUPLICATE_CNPJ}, code="duplicate_cnpj")


@transaction.atomic
def client_create(
    *,
    organization: Organization,
    actor: User | None,
    project: Project | None = None,
    **fields: Any,
) -> Client:
    """Creates a client after validating it (ValidationError on bad input); adds it to
    `project`, the operator's current one, when given."""
    client = Client(organization=organization, created_by=actor, updated_by=actor)
    _apply(client, fields)
    _validate(client)
    try:
        # A savepoint, so a concurrent duplicate leaves the outer transaction usable.
        with transaction.atomic():
            client.save()
    except IntegrityError as exc:
        raise ValidationError({"cnpj": DUPLICATE_CNPJ}, code="duplicate_cnpj") from exc
    if project is not None:
        client.projects.add(project)
    return client


@transaction.atomic
def client_update(
    *, organization: Organization, client: Client, actor: User | None, **fields: Any
) -> Client:
    """Updates `client` (ValidationError on bad input). Raises Client.DoesNotExist when the
    row is gone, e.g. another operator deleted it meanwhile: a plain save() would insert
    it again."""
    _apply(client, fields)
    client.updated_by = actor
    client.updated_at = timezone.now()
    _validate(client)
    changes = {name: getattr(client, name) for name in EDITABLE_FIELDS}
    try:
        with transaction.atomic():
            updated = (
                Client.objects.for_org(organization)
                .filter(pk=client.pk)
                .update(
                    **changes,
                    search_text=client.search_text,
                    updated_by=actor,
                    updated_at=client.updated_at,
                )
            )
    except IntegrityError as exc:
        raise ValidationError({"cnpj": DUPLICATE_CNPJ}, code="duplicate_cnpj") from exc
    if not updated:
        raise Client.DoesNotExist
    return client


@transaction.atomic
def client_delete(*, organization: Organization, client: Client) -> None:
    """Deletes `client` with its contacts (its terminals stay, unlinked). Raises
    Client.DoesNotExist when someone else deleted it first."""
    deleted, _counts = Client.objects.for_org(organization).filter(pk=client.pk).delete()
    if not deleted:
        raise Client.DoesNotExist
