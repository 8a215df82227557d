"""The audit trail: who changed what, and when (django-auditlog's one LogEntry table).

Record changes are written by auditlog's signals for the models registered here. Events
that belong to the organization as a whole (an import job, a login, a failed login, a
lockout, a token issued or revoked) are entries on the Organization row, with the event's
kind and figures in `additional_data`, so one selector reads a record's history and the
organization's alike. Bulk writes (the job import's COPY, the sweeps' UPDATEs) send no
signal: an import is one entry for the whole job, never one per row.

Models are named by label so that tenancy imports no app above it."""

from __future__ import annotations

from typing import Any

from auditlog.context import auditlog_disabled
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenancy.models import Membership, Organization, User

# Never in a history: keys, the row's organization (it never changes) and derived columns
# (a search column, a photo's thumbnail) that follow the fields a person typed.
ALWAYS_EXCLUDED = ["id", "code", "organization", "search_text", "photo_thumbnail"]
# label → how auditlog records it. Derived or machine-written columns are left out: they
# change with every save or heartbeat and say nothing a person did; secrets never enter.
TRACKED: dict[str, dict[str, Any]] = {
    "clients.Client": {
        "exclude_fields": ["created_at", "updated_at", "created_by", "updated_by"],
        "m2m_fields": {"projects", "groups", "companies", "services"},
    },
    # The client is kept with each entry, so the client's history lists its contacts' changes,
    # deleted ones included.
    "contacts.Contact": {
        "exclude_fields": ["created_at", "updated_at"],
        "serialize_data": True,
        "serialize_kwargs": {"fields": ["client"]},
    },
    "terminals.Terminal": {
        "exclude_fields": [
            "status",
            "last_heartbeat_at",
            "alert_after",
            "created_at",
            "updated_at",
        ],
    },
    "terminals.DeviceType": {"exclude_fields": ["created_at", "updated_at"]},
    "specialists.Specialist": {
        "exclude_fields": ["created_at", "updated_at"],
        "m2m_fields": {"projects", "groups", "roles"},
    },
    # Likewise the specialist with each token entry; the hash never enters the history.
    "tokens.IntegrationToken": {
        "exclude_fields": ["token_hash", "last_used_at", "created_at"],
        "serialize_data": True,
        "serialize_kwargs": {"fields": ["specialist"]},
    },
    # Memberships and projects are kept with their organization, whose history lists them.
    "tenancy.Membership": {
        "exclude_fields": ["created_at"],
        "serialize_data": True,
        "serialize_kwargs": {"fields": ["organization"]},
    },
    "tenancy.Organization": {"exclude_fields": ["created_at"]},
    "tenancy.Project": {
        "exclude_fields": ["created_at"],
        "serialize_data": True,
        "serialize_kwargs": {"fields": ["organization"]},
    },
}

# The kinds of organization events (additional_data["event"]) and how the history names them.
EVENTS = {
    "import": pgettext_lazy("history", "Import"),
    "login": pgettext_lazy("history", "Login"),
    "login_failed": pgettext_lazy("history", "Failed login"),
    "locked_out": pgettext_lazy("history", "Locked out"),
    "token_created": pgettext_lazy("history", "Token created"),
    "token_revoked": pgettext_lazy("history", "Token revoked"),
}
# What each event's figures are called.
EVENT_FIELDS = {
    "file": pgettext_lazy("history", "file"),
    "format": pgettext_lazy("history", "format"),
    "created": pgettext_lazy("history", "created"),
    "updated": pgettext_lazy("history", "updated"),
    "failed": pgettext_lazy("history", "failed"),
    "user": pgettext_lazy("history", "user"),
    "ip": pgettext_lazy("history", "address"),
    "token": pgettext_lazy("history", "token"),
    "specialist": pgettext_lazy("history", "specialist"),
    "via": pgettext_lazy("history", "via"),
}
# A record whose history lists its children's entries too: label → [(child label, the
# child's reference to it, kept in the entries' serialized_data)].
CHILDREN = {
    "clients.Client": [("contacts.Contact", "client")],
    "specialists.Specialist": [("tokens.IntegrationToken", "specialist")],
    "tenancy.Organization": [
        ("tenancy.Membership", "organization"),
        ("tenancy.Project", "organization"),
    ],
}
PAGE_SIZE = 20
EMPTY = "—"


def register_models() -> None:
    """Registers TRACKED with auditlog (from TenancyConfig.ready, once every model exists)."""
    for label, options in TRACKED.items():
        model = apps.get_model(label)
        if auditlog.contains(model):
            continue
        # Other tables' references to the row (its contacts, its terminals) are not its fields;
        # the keys say nothing a person changed.
        reverse = [f.name for f in model._meta.get_fields() if f.auto_created and not f.concrete]
        auditlog.register(
            model,
            **{
                **options,
                "exclude_fields": [*ALWAYS_EXCLUDED, *options["exclude_fields"], *reverse],
            },
        )


def record_update(instance: models.Model) -> None:
    """The entry a save() of `instance`'s unsaved changes would write, for a service that
    writes with a queryset update() (no signal): call it just before, in the same transaction."""
    from auditlog.receivers import log_update

    if auditlog.contains(type(instance)):
        log_update(sender=type(instance), instance=instance)


# Organization events


def record_event(
    *,
    organizations,
    event: str,
    actor: User | None = None,
    remote_addr: str | None = None,
    **data,
) -> None:
    """One entry `event` on each of `organizations` (Organization rows or ids), with `data`."""
    organization_ids = [getattr(o, "pk", o) for o in organizations]
    if not organization_ids or auditlog_disabled.get():
        return
    content_type = ContentType.objects.get_for_model(Organization)
    names = dict(Organization.objects.filter(pk__in=organization_ids).values_list("pk", "name"))
    # One save each (a user belongs to few organizations): auditlog's middleware fills in
    # the request's user on save, as it does for record changes.
    for pk in organization_ids:
        LogEntry.objects.create(
            content_type=content_type,
            object_pk=str(pk),
            object_id=pk,
            object_repr=names.get(pk, ""),
            action=LogEntry.Action.ACCESS,
            changes={},
            actor=actor if actor is not None and actor.pk else None,
            actor_email=getattr(actor, "email", None) or None,
            remote_addr=remote_addr,
            additional_data={"event": event, **data},
        )


def _address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _member_organizations(user: User) -> list[int]:
    return list(Membership.objects.filter(user=user).values_list("organization_id", flat=True))


def _user_named(name: str) -> User | None:
    """The user a login form's name means (user name or e-mail), as tenancy.auth reads it."""
    if not name:
        return None
    return User.objects.filter(Q(username=name) | Q(email__iexact=name)).first()


def on_login(sender, request, user, **kwargs) -> None:
    record_event(
        organizations=_member_organizations(user),
        event="login",
        actor=user,
        remote_addr=_address(request),
    )


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The name typed is kept only when it names a user: a mistyped password of someone
    # else is not written down.
    user = _user_named(str(credentials.get("username") or ""))
    if user is not None:
        record_event(
            organizations=_member_organizations(user),
            event="login_failed",
            remote_addr=_address(request),
            user=user.username,
        )


def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    user = _user_named(username or "")
    if user is not None:
        record_event(
            organizations=_member_organizations(user),
            event="locked_out",
            remote_addr=ip_address,
            user=user.username,
            ip=ip_address,
        )


def record_token(*, token, event: str) -> None:
    """A token issued or revoked, on its organization's history (token_created/revoked)."""
    record_event(
        organizations=[token.organization_id],
        event=event,
        token=f"{token.prefix} {token.description}".strip(),
        specialist=str(token.specialist),
    )


def record_import_job(*, job, format_label: str) -> None:
    """One entry for a finished import job: its file, its format (as the import screen names
    it) and what became of its rows."""
    counts = job.counts or {}
    record_event(
        organizations=[job.organization_id],
        event="import",
        actor=job.user,
        file=job.source_name,
        format=format_label,
        created=counts.get("created", 0),
        updated=counts.get("updated", 0),
        failed=counts.get("failed", 0),
    )


def record_admin_import(*, result, model: type[models.Model], file_name: str, actor) -> None:
    """One entry per organization the Django admin's import wrote to, with its figures."""
    per_organization: dict[int, dict[str, int]] = {}
    for row in result.valid_rows():
        instance = getattr(row, "instance", None)
        organization_id = getattr(instance, "organization_id", None)
        if organization_id is None:
            continue
        counts = per_organization.setdefault(organization_id, {"created": 0, "updated": 0})
        if row.import_type == row.IMPORT_TYPE_NEW:
            counts["created"] += 1
        elif row.import_type == row.IMPORT_TYPE_UPDATE:
            counts["updated"] += 1
    for organization_id, counts in per_organization.items():
        record_event(
            organizations=[organization_id],
            event="import",
            actor=actor,
            file=file_name,
            format=str(model._meta.verbose_name_plural),
            failed=0,
            via="admin",
            **counts,
        )


def connect() -> None:
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_login_failed

    register_models()
    user_logged_in.connect(on_login, dispatch_uid="tenancy.audit.login")
    user_login_failed.connect(on_login_failed, dispatch_uid="tenancy.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="tenancy.audit.locked_out")


# Reading


def _entries_of(model: type[models.Model], q: Q) -> Q:
    return Q(content_type=ContentType.objects.get_for_model(model)) & q


def history_entries(*, obj: models.Model) -> models.QuerySet[LogEntry]:
    """The entries of `obj`, newest first, with its children's (CHILDREN: a client's contacts,
    a specialist's tokens, an organization's memberships and projects). The caller has
    fetched `obj` inside the organization."""
    condition = _entries_of(type(obj), Q(object_id=obj.pk))
    for label, field in CHILDREN.get(obj._meta.label, []):
        condition |= _entries_of(
            apps.get_model(label), Q(**{f"serialized_data__fields__{field}": obj.pk})
        )
    return (
        LogEntry.objects.filter(condition)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def _field(model, name: str) -> models.Field | None:
    """The model's own field `name` (None for a reverse relation or a field since removed)."""
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _fk_display(field, value: str) -> str:
    if value in ("None", "", None):
        return EMPTY
    related = field.remote_field.model
    found = related._default_manager.filter(pk=value).first() if str(value).isdigit() else None
    return str(found) if found is not None else str(value)


def _value(field, value) -> str:
    if value in (None, "None", ""):
        return EMPTY
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.many_to_one:
        return _fk_display(field, value)
    if field is not None and isinstance(field, models.BooleanField):
        return str(_("Yes") if value in (True, "True") else _("No"))
    return str(value)


def entry_lines(entry: LogEntry) -> list[tuple[str, str, str]]:
    """What an entry says, as (what, old, new) lines: a field's old and new values, an m2m
    field's added or removed items, or an event's figures (old left empty)."""
    data = entry.additional_data or {}
    if entry.action == LogEntry.Action.ACCESS and "event" in data:
        # In EVENT_FIELDS' order: PostgreSQL's jsonb keeps the keys sorted, not as written.
        return [
            (str(label), "", str(data[key]))
            for key, label in EVENT_FIELDS.items()
            if data.get(key) not in ("", None)
        ]
    model = entry.content_type.model_class()
    lines = []
    for name, values in (entry.changes_dict or {}).items():
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else name
        if isinstance(values, dict) and values.get("type") == "m2m":
            objects = ", ".join(values.get("objects", []))
            if values.get("operation") == "add":
                lines.append((label, "", f"+ {objects}"))
            else:
                lines.append((label, f"− {objects}", ""))
        elif isinstance(values, list | tuple) and len(values) == 2:
            old, new = _value(field, values[0]), _value(field, values[1])
            # A created row has no old values, a deleted one no new: its values, plainly, the
            # empty ones left out.
            if entry.action == LogEntry.Action.CREATE:
                if new != EMPTY:
                    lines.append((label, "", new))
            elif entry.action == LogEntry.Action.DELETE:
                if old != EMPTY:
                    lines.append((label, "", old))
            else:
                lines.append((label, old, new))
    return lines


def entry_title(entry: LogEntry, obj: models.Model) -> str:
    """The entry's heading: the event, or what was done (and to which child of `obj`)."""
    data = entry.additional_data or {}
    if entry.action == LogEntry.Action.ACCESS and "event" in data:
        return str(EVENTS.get(data["event"], data["event"]))
    verbs = {
        LogEntry.Action.CREATE: pgettext_lazy("history", "Created"),
        LogEntry.Action.UPDATE: pgettext_lazy("history", "Changed"),
        LogEntry.Action.DELETE: pgettext_lazy("history", "Deleted"),
    }
    verb = str(verbs.get(entry.action, ""))
    model = entry.content_type.model_class()
    if model is type(obj) and entry.object_id == obj.pk:
        return verb
    kind = str(model._meta.verbose_name).capitalize() if model else ""
    return f"{verb} · {kind} {entry.object_repr}"


def history_page(*, obj: models.Model, number) -> Page:
    """One page of `obj`'s history, each entry with `title` and `lines` for the template."""
    page = Paginator(history_entries(obj=obj), PAGE_SIZE).get_page(number)
    for entry in page.object_list:
        entry.title = entry_title(entry, obj)
        entry.lines = entry_lines(entry)
    return page
