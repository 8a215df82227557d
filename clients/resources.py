"""The clients' spreadsheet columns (import/export jobs and the admin)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clients import cnpj as cnpj_rules
from clients.models import Client, ClientGroup
from clients.services import client_prepare
from importexport import columns as c
from importexport.admin_resources import tenant_resource
from tenancy.models import Project

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

CLIENT_FORMAT = c.EntityFormat(
    name="clients",
    label=_("Clients"),
    model=Client,
    key=("cnpj",),
    prepare=client_prepare,
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
    ),
)

ClientResource = tenant_resource(CLIENT_FORMAT)
