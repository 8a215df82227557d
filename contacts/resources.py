"""The contacts' spreadsheet columns (import/export jobs and the admin)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clients.models import Client
from clients.resources import CNPJ
from contacts.models import Contact
from contacts.services import contact_prepare
from importexport import columns as c
from importexport.admin_resources import tenant_resource

CONTACT_FORMAT = c.EntityFormat(
    name="contacts",
    label=_("Contacts"),
    model=Contact,
    # A contact is identified by its client and its e-mail.
    key=("client", "email"),
    prepare=contact_prepare,
    columns=(
        c.Column(
            "CNPJ do cliente",
            "client",
            c.FK,
            _("CNPJ of the contact's client, which must already exist."),
            required=True,
            related_model=Client,
            lookup="cnpj",
            identifier=CNPJ,
            example="12.ABC.345/01DE-35",
        ),
        c.Column(
            "E-mail",
            "email",
            c.EMAIL,
            _("The contact's e-mail; with the client's CNPJ it identifies the contact."),
            required=True,
            max_length=254,
            example="maria@saojoao.com.br",
        ),
        c.Column(
            "Nome",
            "name",
            description=_("The contact's name."),
            required=True,
            max_length=200,
            example="Maria Souza",
        ),
        c.Column(
            "Telefone", "phone", description=_("Phone."), max_length=20, example="+5511912345678"
        ),
        c.Column("Observações", "notes", description=_("Free notes."), example=""),
        c.Column(
            "Disparo Automático",
            "auto_dispatch",
            c.BOOL,
            _("yes: this address receives the disconnected-terminal alerts."),
            example="yes",
            default=False,
        ),
    ),
)

# The Contatos screen's .csv (users_template.csv): the people who may get portal access. A
# person is identified by their e-mail in the organization; the company is optional.
CONTACT_CSV_FORMAT = c.EntityFormat(
    name="contacts_csv",
    label=_("Contacts (.csv)"),
    model=Contact,
    key=("email",),
    prepare=contact_prepare,
    columns=(
        c.Column(
            "Nome",
            "name",
            description=_("The contact's name."),
            required=True,
            max_length=200,
            example="Maria Souza",
        ),
        c.Column(
            "E-mail",
            "email",
            c.EMAIL,
            _("The contact's e-mail; it identifies the contact in the organization."),
            required=True,
            max_length=254,
            example="maria@saojoao.com.br",
        ),
        c.Column(
            "Empresa (CNPJ)",
            "client",
            c.FK,
            _("CNPJ of the contact's company (a client that already exists); optional."),
            related_model=Client,
            lookup="cnpj",
            identifier=CNPJ,
            keep_when_empty=True,
            example="12.ABC.345/01DE-35",
        ),
        c.Column(
            "Telefone", "phone", description=_("Phone."), max_length=20, example="+5511912345678"
        ),
    ),
)

ContactResource = tenant_resource(CONTACT_FORMAT)
