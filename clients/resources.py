"""The clients' spreadsheet columns (import/export jobs and the admin)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clients import cnpj as cnpj_rules
from clients.models import Client, ClientAdditionalValue, ClientGroup, Company, Location, Service
from clients.services import client_prepare
from importexport import columns as c
from importexport.admin_resources import tenant_resource
from specialists.models import AdditionalField
from tenancy.models import Language, Project


def _text(header: str, field: str, description, max_length: int, example: str = "") -> c.Column:
    return c.Column(header, field, description=description, max_length=max_length, example=example)


# The CNPJ as the formats read it: in a client's key column and in the columns of other
# entities that refer to a client (contacts, terminals).
CNPJ = c.Identifier(
    type_label=_("CNPJ"),
    allowed=_("14 characters, with or without punctuation; numeric or alphanumeric"),
    normalize=cnpj_rules.normalize,
    is_valid=cnpj_rules.is_valid_normalized,
    invalid=_("“%(column)s”: “%(value)s” is not a valid CNPJ."),
    width=14,
)


def _additional_columns(organization_id: int) -> tuple[c.Column, ...]:
    fields = AdditionalField.objects.filter(
        organization_id=organization_id, entity=AdditionalField.Entity.CLIENT
    )
    return c.additional_columns(fields, value_model=ClientAdditionalValue, owner="client")


CLIENT_FORMAT = c.EntityFormat(
    name="clients",
    label=_("Clients"),
    model=Client,
    key=("cnpj",),
    prepare=client_prepare,
    extra_columns=_additional_columns,
    columns=(
        c.Column(
            "CNPJ",
            "cnpj",
            c.CODE,
            _("The client's CNPJ; it identifies the client: an existing CNPJ updates that client."),
            required=True,
            example="12.ABC.345/01DE-35",
            identifier=CNPJ,
        ),
        c.Column(
            "Razão social",
            "razao_social",
            description=_("Registered company name."),
            required=True,
            max_length=200,
            example="Comércio São João Ltda",
        ),
        c.Column(
            "Nome fantasia",
            "nome_fantasia",
            description=_("Trade name."),
            max_length=200,
            example="São João",
        ),
        c.Column("Conta", "conta", description=_("Account."), max_length=200, example="SJ-0001"),
        c.Column(
            "E-mail WVDS",
            "email_wvds",
            c.EMAIL,
            _("E-mail of the WVDS account; terminals with this e-mail can be linked."),
            max_length=254,
            example="loja@saojoao.com.br",
        ),
        c.Column("Anotações", "anotacoes", description=_("Free notes."), example=""),
        c.Column(
            "Status",
            "status",
            c.CHOICE,
            _("active or inactive; a new client without status is active."),
            choices=tuple(Client.Status.values),
            example="active",
            default=Client.Status.ACTIVE,
        ),
        c.Column(
            "Projetos",
            "projects",
            c.M2M,
            _(
                "Projects the client belongs to, by name; a new client without projects joins the project you import into."
            ),
            relation=True,
            related_model=Project,
            keep_when_empty=True,
            example="Varejo; Atacado",
        ),
        c.Column(
            "Grupos",
            "groups",
            c.M2M,
            _("Client groups, by name."),
            relation=True,
            related_model=ClientGroup,
            example="Shoppings",
        ),
        c.Column(
            "Empresas",
            "companies",
            c.M2M,
            _("The organization's companies serving the client, by name."),
            relation=True,
            related_model=Company,
            example="B2 Mídia Ltda",
        ),
        c.Column(
            "Serviços",
            "services",
            c.M2M,
            _("Services provided to the client, by name."),
            relation=True,
            related_model=Service,
            example="Monitoramento",
        ),
        c.Column(
            "Cultura",
            "culture",
            c.CHOICE,
            _(
                "Language of what is sent to the client's people: pt-br, en or es; empty keeps "
                "the current one (a new client follows the organization's language)."
            ),
            choices=tuple(Language.values),
            example="pt-br",
        ),
        c.Column(
            "Localização",
            "location",
            c.FK,
            _("One of the organization's locations, by name; it must already exist."),
            related_model=Location,
            example="Shopping Center Norte",
        ),
        _text("CEP", "postal_code", _("Postal code (CEP: 8 digits)."), 16, "01310-100"),
        _text("Logradouro", "street", _("Street."), 200, "Av. Paulista"),
        _text("Número", "number", _("Number."), 20, "1000"),
        _text("Complemento", "complement", _("Complement."), 120),
        _text("Bairro", "district", _("District."), 120, "Bela Vista"),
        _text("Cidade", "city", _("City."), 120, "São Paulo"),
        _text("UF", "state", _("State: the UF's two letters for a Brazilian address."), 60, "SP"),
        _text("País", "country", _("Country."), 60, "Brasil"),
        _text(
            "Latitude",
            "latitude",
            _("Latitude in degrees, -90 to 90; with the longitude."),
            20,
            "-23.561414",
        ),
        _text(
            "Longitude",
            "longitude",
            _("Longitude in degrees, -180 to 180; with the latitude."),
            20,
            "-46.655881",
        ),
    ),
)

ClientResource = tenant_resource(CLIENT_FORMAT)
