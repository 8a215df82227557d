"""The specialists' spreadsheet columns (import/export jobs and the admin)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets

from importexport import columns as c
from importexport.admin_resources import tenant_resource
from specialists.models import (
    AdditionalField,
    AdditionalFieldValue,
    Calendar,
    Role,
    Specialist,
    SpecialistGroup,
)
from specialists.services import (
    specialist_logins_sync,
    specialist_password_seal,
    specialist_passwords_store,
    specialist_prepare,
)
from tenancy.models import Language, Project


def _text(header: str, field: str, description, max_length: int, example: str = "") -> c.Column:
    return c.Column(header, field, description=description, max_length=max_length, example=example)


PASSWORD = c.Column(
    "Senha",
    "password",
    c.WRITE_ONLY,
    _(
        "Login password: sets or replaces the specialist's password (the login is created "
        "when there is none), following the password policy; a row whose password the policy "
        "refuses fails. Never exported."
    ),
    max_length=128,
    write_only=c.WriteOnly(seal=specialist_password_seal, store=specialist_passwords_store),
)


def _organization_columns(organization_id: int) -> tuple[c.Column, ...]:
    """The columns a job adds to the declared ones: "Senha" (exported empty), then the
    organization's additional fields."""
    fields = AdditionalField.objects.filter(
        organization_id=organization_id, entity=AdditionalField.Entity.SPECIALIST
    )
    return (
        PASSWORD,
        *c.additional_columns(fields, value_model=AdditionalFieldValue, owner="specialist"),
    )


SPECIALIST_FORMAT = c.EntityFormat(
    name="specialists",
    label=_("Specialists"),
    model=Specialist,
    key=("email",),
    prepare=specialist_prepare,
    written=specialist_logins_sync,
    extra_columns=_organization_columns,
    columns=(
        c.Column(
            "E-mail",
            "email",
            c.EMAIL,
            _("The specialist's e-mail; it identifies the specialist."),
            required=True,
            max_length=254,
            example="ana@empresa.com.br",
        ),
        c.Column(
            "Nome",
            "name",
            description=_("Full name."),
            required=True,
            max_length=200,
            example="Ana Lima",
        ),
        c.Column(
            "Status",
            "status",
            c.CHOICE,
            _("active or inactive; a new specialist without status is active."),
            choices=tuple(Specialist.Status.values),
            example="active",
            default=Specialist.Status.ACTIVE,
        ),
        c.Column(
            "Cultura",
            "culture",
            c.CHOICE,
            _("Language of the specialist: pt-br, en or es."),
            choices=tuple(Language.values),
            example="pt-br",
            default=Language.PT_BR,
        ),
        _text("CEP", "postal_code", _("Postal code."), 16, "01310-100"),
        _text("Logradouro", "street", _("Street."), 200, "Av. Paulista"),
        _text("Número", "number", _("Number."), 20, "1000"),
        _text("Complemento", "complement", _("Complement."), 120),
        _text("Bairro", "district", _("District."), 120, "Bela Vista"),
        _text("Cidade", "city", _("City."), 120, "São Paulo"),
        _text("Estado", "state", _("State."), 60, "SP"),
        _text("País", "country", _("Country."), 60, "Brasil"),
        c.Column(
            "Projetos",
            "projects",
            c.M2M,
            _(
                "Projects the specialist belongs to, by name; a new specialist without projects joins the project you import into."
            ),
            relation=True,
            related_model=Project,
            keep_when_empty=True,
            example="Varejo",
        ),
        c.Column(
            "Grupos",
            "groups",
            c.M2M,
            _("Specialist groups, by name."),
            relation=True,
            related_model=SpecialistGroup,
            example="Suporte N1",
        ),
        c.Column(
            "Papéis",
            "roles",
            c.M2M,
            _("Roles, by name."),
            relation=True,
            related_model=Role,
            example="Técnico; Supervisor",
        ),
        c.Column(
            "Turnos",
            "shifts",
            c.SHIFTS,
            _("Shifts as “from | until | calendar”, separated by “;”; the calendar must exist."),
            relation=True,
            related_model=Calendar,
            children=c.ChildRows(owner="specialist", fields=("starts_on", "ends_on", "calendar")),
            example="01/07/2026 | 31/12/2026 | Comercial",
        ),
    ),
)

_Resource = tenant_resource(SPECIALIST_FORMAT)


class SpecialistResource(_Resource):
    """The admin's resource: the format's columns, and "Senha" through the same rule as the
    job import (PASSWORD.write_only), as the admin's resources have no field for a column
    that is not a field of the model."""

    # No attribute: exported empty, and nothing of the row sets it on the instance.
    password = fields.Field(column_name=PASSWORD.header, widget=widgets.CharWidget())

    class Meta(_Resource.Meta):
        fields = (*_Resource.Meta.fields, "password")

    def import_instance(self, instance, row, **kwargs):
        # Taken out of the row: the admin shows a refused row's cells back.
        password = PASSWORD.parse(row.pop(PASSWORD.header, None))
        super().import_instance(instance, row, **kwargs)
        record = {"id": instance.pk, "email": instance.email, "name": instance.name}
        try:
            instance._imported_password = PASSWORD.seal(password, record)
        except c.CellError as exc:
            raise ValidationError({"password": str(exc)}) from exc

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # A new password is a change the row's fields do not show.
        if getattr(instance, "_imported_password", None) is not None:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        sealed = getattr(instance, "_imported_password", None)
        if sealed is not None and not kwargs.get("dry_run"):
            PASSWORD.write_only.store(
                organization_id=instance.organization_id, values={instance.pk: sealed}
            )
        super().after_save_instance(instance, row, **kwargs)
