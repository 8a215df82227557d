"""Writes of device types and terminals, and the link between a terminal and a client. The
heartbeats, the sweep and the alert outbox live in heartbeats.py, sweep.py and outbox.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from tenancy.models import Organization, User
from tenancy.services import ownership_check
from tenancy.text import CONTROL_CHARACTERS
from terminals.figures import fleet_history_forget
from terminals.models import DeviceType, Episode, MaintenanceWindow, Terminal
from terminals.sanitize import sanitize_procedure

DUPLICATE_DEVICE_TYPE = _("A device type with this name already exists.")
DUPLICATE_IDENTIFIER = _("Another terminal already uses this identifier.")
# Longer than this is not maintenance but a terminal that should be removed or unlinked.
MAINTENANCE_MAX = timedelta(days=90)
NO_CONTROL_CHARACTERS = _("Line breaks, tabs and other control characters are not allowed here.")


def _device_type_save(*, organization: Organization, device_type: DeviceType) -> DeviceType:
    # The database compares the names (Lower on both sides), exactly as the
    # devicetype_unique_name_ci constraint will; the error then lands on the field.
    taken = (
        DeviceType.objects.for_org(organization)
        .alias(lower_name=Lower("name"))
        .filter(lower_name=Lower(Value(device_type.name)))
    )
    if device_type.pk:
        taken = taken.exclude(pk=device_type.pk)
    if taken.exists():
        raise ValidationError({"name": DUPLICATE_DEVICE_TYPE}, code="duplicate_name")
    device_type.full_clean(validate_constraints=False)
    device_type.save()
    return device_type


def device_type_create(
    *, organization: Organization, name: str, reconnection_procedure: str
) -> DeviceType:
    device_type = DeviceType(
        organization=organization,
        name=name.strip(),
        reconnection_procedure=sanitize_procedure(reconnection_procedure),
    )
    return _device_type_save(organization=organization, device_type=device_type)


def device_type_update(
    *, organization: Organization, device_type: DeviceType, name: str, reconnection_procedure: str
) -> DeviceType:
    ownership_check(organization, device_type)
    device_type.name = name.strip()
    device_type.reconnection_procedure = sanitize_procedure(reconnection_procedure)
    return _device_type_save(organization=organization, device_type=device_type)


def device_type_delete(*, organization: Organization, device_type: DeviceType) -> None:
    """Raises ProtectedError while terminals still use the type."""
    ownership_check(organization, device_type)
    device_type.delete()


def terminal_prepare(values: dict[str, Any]) -> dict[str, Any]:
    """The terminals' row rule, the one every writer applies (services, job import, admin
    import, seed, bench loaders): a trimmed identifier and name, one spelling (lower case)
    of the WVDS e-mail, the one a client's page compares with the client's; ValidationError
    for control characters in the identifier or the name."""
    prepared = dict(values)
    if "identifier" in prepared:
        prepared["identifier"] = (prepared["identifier"] or "").strip()
    if "name" in prepared:
        prepared["name"] = (prepared["name"] or "").strip()
    if "email_wvds" in prepared:
        prepared["email_wvds"] = (prepared["email_wvds"] or "").strip().lower()
    # The name and the identifier go into the alert e-mail's subject: a line break there
    # would end the header.
    errors = {
        name: NO_CONTROL_CHARACTERS
        for name in ("identifier", "name")
        if CONTROL_CHARACTERS.search(prepared.get(name) or "")
    }
    if errors:
        raise ValidationError(errors, code="control_characters")
    return prepared


def _wvds_matches(terminal_email: str | None, client_email: str | None) -> bool:
    # Both spellings are stored lower-cased by their row rules; old rows may not be.
    return (terminal_email or "").strip().lower() == (client_email or "").strip().lower()


def terminal_link_errors(
    *, organization_id: int, records: Sequence[Mapping[str, Any]]
) -> dict[int, ValidationError]:
    """The terminals' rule across tables, the one every writer applies after
    terminal_prepare: a terminal linked to a client carries the client's WVDS e-mail.
    `records` are terminals about to be stored, as column → value (`client_id`,
    `email_wvds`); returns the refused ones' errors by their index, reading every client's
    e-mail in one query."""
    linked = {
        index: record["client_id"]
        for index, record in enumerate(records)
        if record.get("client_id") is not None
    }
    if not linked:
        return {}
    emails = dict(
        Client.objects.filter(
            organization_id=organization_id, pk__in=set(linked.values())
        ).values_list("pk", "email_wvds")
    )
    errors = {}
    for index, client_id in linked.items():
        client_email = emails.get(client_id)
        if not _wvds_matches(records[index].get("email_wvds"), client_email):
            message = _("The client's WVDS e-mail (%(email)s) differs from the terminal's.")
            errors[index] = ValidationError(
                {"client": ValidationError(message % {"email": client_email or "—"})},
            )
    return errors


def _terminal_save(*, organization: Organization, terminal: Terminal) -> Terminal:
    ownership_check(organization, device_type=terminal.device_type, client=terminal.client)
    errors: dict[str, Any] = {}
    taken = Terminal.objects.for_org(organization).filter(identifier=terminal.identifier)
    if terminal.pk:
        taken = taken.exclude(pk=terminal.pk)
    if terminal.identifier and taken.exists():
        errors["identifier"] = DUPLICATE_IDENTIFIER
    refused = terminal_link_errors(
        organization_id=organization.id,
        records=[{"client_id": terminal.client_id, "email_wvds": terminal.email_wvds}],
    )
    if refused:
        errors = refused[0].update_error_dict(errors)
    if errors:
        raise ValidationError(errors, code="invalid")
    # The identifier's uniqueness is checked above, with its message on the field.
    terminal.full_clean(validate_constraints=False)
    terminal.save()
    return terminal


def terminal_create(*, organization: Organization, **fields: Any) -> Terminal:
    terminal = Terminal(organization=organization, **terminal_prepare(fields))
    return _terminal_save(organization=organization, terminal=terminal)


def terminal_update(*, organization: Organization, terminal: Terminal, **fields: Any) -> Terminal:
    ownership_check(organization, terminal)
    for key, value in terminal_prepare(fields).items():
        setattr(terminal, key, value)
    return _terminal_save(organization=organization, terminal=terminal)


def terminal_delete(*, organization: Organization, terminal: Terminal) -> None:
    ownership_check(organization, terminal)
    terminal.delete()
    # Its episodes went with it: the fleet's kept hours and days would go on counting them.
    fleet_history_forget(organization=organization)


def terminal_set_link(
    *,
    organization: Organization,
    terminal: Terminal,
    client: Client,
    linked: bool,
    move: bool = False,
) -> Terminal:
    """Links the terminal to `client` or unlinks it. Only a terminal sharing the client's
    WVDS e-mail may be linked; a terminal linked to another client moves only with `move`
    (the operator's consent); unlinking only touches a terminal linked to this client."""
    ownership_check(organization, terminal, client)
    if linked:
        if not _wvds_matches(terminal.email_wvds, client.email_wvds):
            raise ValidationError(
                _("This terminal's WVDS e-mail differs from the client's."), code="wvds_differs"
            )
        if terminal.client_id not in (None, client.pk) and not move:
            raise ValidationError(
                _("Terminal %(terminal)s is linked to %(other)s. Move it to %(client)s?")
                % {"terminal": terminal, "other": terminal.client, "client": client},
                code="move_unconfirmed",
            )
        terminal.client = client
    elif terminal.client_id == client.pk:
        terminal.client = None
    terminal.save(update_fields=["client", "updated_at"])
    return terminal


def episodes_record_past(*, organization: Organization, episodes: list[Episode]) -> list[Episode]:
    """Stores disconnections that are over and lie in the past (a history brought in, the
    demo's month), which the sweep never writes: the hours and days the dashboard kept
    before them are dropped, or its chart and availability would never count them."""
    ownership_check(organization, *(episode.terminal for episode in episodes))
    for episode in episodes:
        episode.organization = organization
    created = Episode.objects.bulk_create(episodes)
    fleet_history_forget(organization=organization)
    return created


NOTE_MAX_LENGTH = 1000


def episode_acknowledge(
    *, organization: Organization, episode: Episode, actor: User, note: str
) -> Episode:
    """Records who took charge of a disconnection, when, and what they noted. A second
    acknowledgement replaces the first (a colleague taking over)."""
    ownership_check(organization, episode)
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("Keep the note under %(max)s characters.") % {"max": NOTE_MAX_LENGTH}},
            code="note_too_long",
        )
    episode.acknowledged_at = timezone.now()
    episode.acknowledged_by = actor
    episode.acknowledgement_note = note
    Episode.objects.filter(pk=episode.pk).update(
        acknowledged_at=episode.acknowledged_at,
        acknowledged_by=actor,
        acknowledgement_note=note,
    )
    return episode


def maintenance_create(
    *,
    organization: Organization,
    actor: User | None,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    terminal: Terminal | None = None,
    client: Client | None = None,
) -> MaintenanceWindow:
    """A maintenance window of one terminal or of all a client's terminals: the sweep sends
    no "disconnected" alert for them while it runs."""
    if (terminal is None) == (client is None):
        raise ValueError("a maintenance window is either a terminal's or a client's")
    ownership_check(organization, terminal, client)
    reason = " ".join(reason.split())
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("Say why the terminals go into maintenance.")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The end must come after the start.")
    elif ends_at <= timezone.now():
        errors["ends_at"] = _("The end is already past.")
    elif ends_at - starts_at > MAINTENANCE_MAX:
        errors["ends_at"] = _("A maintenance window lasts at most %(days)s days.") % {
            "days": MAINTENANCE_MAX.days
        }
    if errors:
        raise ValidationError(errors, code="invalid_window")
    window = MaintenanceWindow(
        organization=organization,
        terminal=terminal,
        client=client,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=actor,
    )
    window.full_clean()
    window.save()
    return window


def maintenance_end(*, organization: Organization, window: MaintenanceWindow) -> None:
    """Ends a running window now (a planned one is simply removed): from the next sweep on,
    a terminal still silent opens its episode and alerts."""
    ownership_check(organization, window)
    now = timezone.now()
    if window.starts_at >= now:
        window.delete()
        return
    if window.ends_at > now:
        window.ends_at = now
        MaintenanceWindow.objects.filter(pk=window.pk).update(ends_at=now)
