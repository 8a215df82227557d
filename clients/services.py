from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients import cnpj as cnpj_rules
from clients.models import (
    ADDRESS_FIELDS,
    Client,
    ClientAdditionalValue,
    ClientFeedback,
    ClientGroup,
    Company,
    Location,
    Service,
)
from clients.search import client_search_text
from specialists.models import AdditionalField
from tenancy import additional_fields, audit
from tenancy.group_projects import group_join
from tenancy.images import photo_save
from tenancy.models import Language, Organization, Project, User
from tenancy.services import ownership_check

__all__ = [
    "client_associate",
    "client_create",
    "client_dissociate",
    "client_feedback_create",
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
# The profile's other fields (Detalhes, Endereço, Geolocalização). Apart from the above,
# which the COPY loaders write: these have database defaults.
PROFILE_FIELDS = ("culture", *ADDRESS_FIELDS, "location", "latitude", "longitude")
DUPLICATE_CNPJ = _("A client with this CNPJ already exists in this organization.")


def _apply(client: Client, fields: dict[str, Any]) -> None:
    unknown = set(fields) - {*EDITABLE_FIELDS, *PROFILE_FIELDS}
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    if "location" in fields:
        location = fields["location"]
        ownership_check(client.organization, location=location)
        # A newly chosen location fills an empty address (the screen fills it as soon as the
        # location is picked; this serves a browser without JavaScript and the API).
        address_empty = not any(fields.get(name) for name in ADDRESS_FIELDS)
        if location is not None and location.pk != client.location_id and address_empty:
            fields = {**fields, **location.address_values()}
    given = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    prepared = client_prepare(given)
    for name in given:
        setattr(client, name, prepared[name])
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
    _prepare_profile(prepared)
    return prepared


# The 27 federative units, the only UFs a Brazilian address may have.
UFS = frozenset(
    [
        "AC",
        "AL",
        "AM",
        "AP",
        "BA",
        "CE",
        "DF",
        "ES",
        "GO",
        "MA",
        "MG",
        "MS",
        "MT",
        "PA",
        "PB",
        "PE",
        "PI",
        "PR",
        "RJ",
        "RN",
        "RO",
        "RR",
        "RS",
        "SC",
        "SE",
        "SP",
        "TO",
    ]
)
BRAZIL = frozenset({"", "brasil", "brazil", "br"})
_CEP = re.compile(r"^\d{5}-?\d{3}$")
COORDINATE_LIMITS = {"latitude": 90, "longitude": 180}


def _prepare_profile(prepared: dict[str, Any]) -> None:
    """The profile fields of client_prepare, each only when present (a partial record, e.g.
    a key lookup, stays partial). Raises ValidationError naming the fields it refuses."""
    errors: dict[str, str] = {}
    for name in ("culture", *ADDRESS_FIELDS):
        if isinstance(prepared.get(name), str):
            prepared[name] = prepared[name].strip()
    if isinstance(prepared.get("culture"), str):
        prepared["culture"] = prepared["culture"].lower()
        if prepared["culture"] not in ("", *Language.values):
            errors["culture"] = _("Choose pt-br, en or es (or leave it empty).")
    # A Brazilian address (the country empty counts as one) has a CEP and a UF we check.
    brazilian = str(prepared.get("country") or "").lower() in BRAZIL
    if brazilian and prepared.get("postal_code"):
        cep = prepared["postal_code"].replace(".", "").replace(" ", "")
        if _CEP.match(cep):
            digits = cep.replace("-", "")
            prepared["postal_code"] = f"{digits[:5]}-{digits[5:]}"
        else:
            errors["postal_code"] = _("A CEP has 8 digits, e.g. 01310-100.")
    if brazilian and prepared.get("state"):
        prepared["state"] = prepared["state"].upper()
        if prepared["state"] not in UFS:
            errors["state"] = _("Not a Brazilian UF; use its two letters, e.g. SP.")
    for name, limit in COORDINATE_LIMITS.items():
        if name not in prepared:
            continue
        try:
            prepared[name] = _coordinate(prepared[name], limit)
        except ValueError:
            errors[name] = _("Must be a number from -%(limit)d to %(limit)d.") % {"limit": limit}
    pair = [prepared.get(name, ...) for name in COORDINATE_LIMITS]
    if ... not in pair and not errors and (pair[0] is None) != (pair[1] is None):
        errors["longitude"] = _("Give both the latitude and the longitude, or neither.")
    if errors:
        raise ValidationError(errors)


def _coordinate(value: Any, limit: int) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not number.is_finite() or abs(number) > limit:
        raise ValueError(value)
    return number.quantize(Decimal("0.000001"))


def client_fill_derived(*, client: Client) -> None:
    """client_prepare applied to an instance, in memory (no write)."""
    prepared = client_prepare({name: getattr(client, name) for name in SEARCHED_FIELDS})
    for name in (*SEARCHED_FIELDS, "search_text"):
        setattr(client, name, prepared[name])


def _validate(client: Client) -> None:
    # The (organization, cnpj) constraint is checked by hand so the error lands on the field.
    client.full_clean(
        exclude=["photo", "photo_thumbnail"], validate_unique=False, validate_constraints=False
    )
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
    photo: UploadedFile | None = None,
    additional: dict[int, Any] | None = None,
    **fields: Any,
) -> Client:
    """Creates a client after validating it (ValidationError on bad input); adds it to
    `project`, the operator's current one, when given. `photo` gets a thumbnail;
    `additional` holds values of the organization's additional fields for clients, by id."""
    client = Client(organization=organization, created_by=actor, updated_by=actor)
    _apply(client, fields)
    _validate(client)
    if photo is not None:
        photo_save(client, photo)
    try:
        # A savepoint, so a concurrent duplicate leaves the outer transaction usable.
        with transaction.atomic():
            client.save()
    except IntegrityError as exc:
        raise ValidationError({"cnpj": DUPLICATE_CNPJ}, code="duplicate_cnpj") from exc
    if project is not None:
        client.projects.add(project)
    if additional is not None:
        client_additional_values_save(organization=organization, client=client, values=additional)
    return client


@transaction.atomic
def client_update(
    *,
    organization: Organization,
    client: Client,
    actor: User | None,
    photo: UploadedFile | None = None,
    additional: dict[int, Any] | None = None,
    **fields: Any,
) -> Client:
    """Updates `client` (ValidationError on bad input); `photo` and `additional` as for
    client_create. Raises Client.DoesNotExist when the row is gone, e.g. another operator
    deleted it meanwhile: a plain save() would insert it again."""
    ownership_check(organization, client)
    _apply(client, fields)
    client.updated_by = actor
    client.updated_at = timezone.now()
    _validate(client)
    changes = {name: getattr(client, name) for name in (*EDITABLE_FIELDS, *PROFILE_FIELDS)}
    if photo is not None:
        photo_save(client, photo)
        changes.update(photo=client.photo.name, photo_thumbnail=client.photo_thumbnail.name)
    try:
        with transaction.atomic():
            # The update() below sends no signal: the history entry is written here.
            audit.record_update(client)
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
    if additional is not None:
        client_additional_values_save(organization=organization, client=client, values=additional)
    return client


@transaction.atomic
def client_delete(*, organization: Organization, client: Client) -> None:
    """Deletes `client` with its contacts (its terminals stay, unlinked). Raises
    Client.DoesNotExist when someone else deleted it first."""
    deleted, _counts = Client.objects.for_org(organization).filter(pk=client.pk).delete()
    if not deleted:
        raise Client.DoesNotExist


def client_additional_fields(*, organization: Organization):
    return AdditionalField.objects.for_org(organization).filter(
        entity=AdditionalField.Entity.CLIENT
    )


@transaction.atomic
def client_additional_values_save(
    *, organization: Organization, client: Client, values: dict[int, Any]
) -> None:
    """Stores the client's values of the organization's additional fields for clients (by
    field id; others are ignored); fields left out are untouched, empty values removed."""
    ownership_check(organization, client)
    fields = client_additional_fields(organization=organization).filter(pk__in=values)
    additional_fields.values_store(
        fields={f.pk: f for f in fields},
        values=values,
        value_model=ClientAdditionalValue,
        owner_name="client",
        owner=client,
    )


Associable = Company | ClientGroup | Service


# The tabs where a client is associated with entries of the organization's lists.
RELATIONS = {Company: "companies", ClientGroup: "groups", Service: "services"}


def _relation(client: Client, item: Associable):
    try:
        return getattr(client, RELATIONS[type(item)])
    except KeyError as exc:
        raise TypeError(f"A client is not associated with {type(item).__name__}.") from exc


@transaction.atomic
def client_associate(
    *, organization: Organization, client: Client, item: Associable, with_projects: bool = False
) -> list[Project]:
    """Associates the client with a company, a group or a service (nothing when it already
    is). For a group, `with_projects` also puts the client in the group's projects; returns
    the projects it joined."""
    ownership_check(organization, client, item)
    if isinstance(item, ClientGroup):
        return group_join(member=client, group=item, with_projects=with_projects)
    _relation(client, item).add(item)
    return []


def client_dissociate(*, organization: Organization, client: Client, item: Associable) -> None:
    ownership_check(organization, client, item)
    _relation(client, item).remove(item)


def client_feedback_create(
    *, organization: Organization, client: Client, author: User, text: str
) -> ClientFeedback:
    ownership_check(organization, client)
    feedback = ClientFeedback(organization=organization, client=client, author=author, text=text)
    feedback.text = feedback.text.strip()
    feedback.full_clean()
    feedback.save()
    return feedback


def address_prepare(values: dict[str, Any]) -> dict[str, Any]:
    """The address part of client_prepare (CEP, UF, point), for a location's address."""
    prepared = dict(values)
    _prepare_profile(prepared)
    return prepared


@transaction.atomic
def catalog_save(*, organization: Organization, instance: Any, **fields: Any):
    """Creates or changes a location, company, service or client group of the organization
    (a group's `projects` are the ones offered to the clients who join it)."""
    if instance.pk is None:
        instance.organization = organization
    projects = fields.pop("projects", None)
    ownership_check(organization, instance, *(projects or ()))
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    if isinstance(instance, Location):
        fields = address_prepare(fields)
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean(exclude=["organization"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError({"name": _("There is already one with this name.")}) from exc
    if projects is not None:
        instance.projects.set(projects)
    return instance


def catalog_delete(*, organization: Organization, instance: Any) -> None:
    """Deletes the entry; clients lose the association (a location: their address stays)."""
    ownership_check(organization, instance)
    instance.delete()
