"""The terminals' spreadsheet columns (import/export jobs and the admin)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clients.models import Client
from clients.resources import CNPJ
from importexport import columns as c
from importexport.admin_resources import tenant_resource
from terminals.models import DeviceType, Terminal
from terminals.services import terminal_link_errors, terminal_prepare

TERMINAL_FORMAT = c.EntityFormat(
    name="terminals",
    label=_("Terminals"),
    model=Terminal,
    key=("identifier",),
    prepare=terminal_prepare,
    check=terminal_link_errors,
    columns=(
        c.Column(
            "Identificador",
            "identifier",
            description=_("The terminal's identifier; an existing identifier updates it."),
            required=True,
            max_length=120,
            example="TRM-00001",
        ),
        c.Column("Nome", "name", description=_("Name."), max_length=200, example="Tela da vitrine"),
        c.Column(
            "Tipo de dispositivo",
            "device_type",
            c.FK,
            _("Device type, by name; it must already exist."),
            relation=True,
            related_model=DeviceType,
            example="Android",
        ),
        c.Column(
            "E-mail WVDS",
            "email_wvds",
            c.EMAIL,
            _("E-mail of the WVDS account the terminal uses."),
            max_length=254,
            example="loja@saojoao.com.br",
        ),
        c.Column(
            "CNPJ do cliente",
            "client",
            c.FK,
            _("CNPJ of the client the terminal belongs to; it must already exist."),
            relation=True,
            related_model=Client,
            lookup="cnpj",
            identifier=CNPJ,
            example="12.ABC.345/01DE-35",
        ),
    ),
)

TerminalResource = tenant_resource(TERMINAL_FORMAT)
