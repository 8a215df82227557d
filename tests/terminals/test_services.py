from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from terminals import figures, services
from terminals.heartbeats import heartbeats_record
from terminals.models import AlertEmail, DeviceType, Episode, Terminal
from terminals.outbox import alert_emails_deliver
from terminals.sanitize import sanitize_procedure
from terminals.sweep import alert_sweep
from tests.factories import (
    ClientFactory,
    ContactFactory,
    OrganizationFactory,
    TerminalFactory,
)

pytestmark = pytest.mark.django_db


def _stale(organization, client=None, **kwargs) -> Terminal:
    return TerminalFactory(
        organization=organization,
        client=client,
        last_heartbeat_at=timezone.now() - timedelta(minutes=20),
        alert_after=timezone.now() - timedelta(minutes=1),
        **kwargs,
    )


def test_it_records_heartbeats_in_one_statement_and_reports_unknown_identifiers(org_a, org_b):
    mine = [
        TerminalFactory(organization=org_a, status=Terminal.Status.NEVER_SEEN) for _ in range(5)
    ]
    foreign = TerminalFactory(organization=org_b, identifier="SHARED-1", last_heartbeat_at=None)

    with CaptureQueriesContext(connection) as queries:
        result = heartbeats_record(
            organization=org_a,
            identifiers=[t.identifier for t in mine] + ["SHARED-1", "NOPE", mine[0].identifier],
        )

    assert len(_statements(queries)) == 3  # connected ones, the rest, close their episodes
    assert (result.received, result.updated) == (7, 5)
    assert result.unknown == ["NOPE", "SHARED-1"]
    for terminal in mine:
        terminal.refresh_from_db()
        assert terminal.status == Terminal.Status.CONNECTED
        assert terminal.alert_after == terminal.last_heartbeat_at + timedelta(minutes=15)
    foreign.refresh_from_db()
    assert foreign.last_heartbeat_at is None


def _statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_connected_terminals_take_one_statement_and_mostly_keep_their_deadline(org_a):
    soon = timezone.now() + timedelta(minutes=2)
    later = timezone.now() + timedelta(minutes=14)
    due_soon = TerminalFactory(organization=org_a, alert_after=soon)
    fine = TerminalFactory(organization=org_a, alert_after=later)

    with CaptureQueriesContext(connection) as queries:
        result = heartbeats_record(
            organization=org_a, identifiers=[due_soon.identifier, fine.identifier]
        )

    assert len(_statements(queries)) == 1
    assert (result.updated, result.unknown) == (2, [])
    due_soon.refresh_from_db()
    fine.refresh_from_db()
    # Within half a grace period of its deadline: moved to heartbeat + grace.
    assert due_soon.alert_after == due_soon.last_heartbeat_at + timedelta(minutes=15)
    # Still far: left alone, so the row is rewritten without touching its indexes.
    assert fine.alert_after == later
    assert fine.last_heartbeat_at > timezone.now() - timedelta(seconds=5)


def test_it_ignores_blank_identifiers(org_a):
    result = heartbeats_record(organization=org_a, identifiers=["  ", ""])
    assert (result.received, result.updated, result.unknown) == (0, 0, [])


def _sweep_statements(organization, stale: int) -> int:
    client = ClientFactory(organization=organization)
    ContactFactory(client=client)
    ContactFactory(client=client)
    for _ in range(stale):
        _stale(organization, client)
    with CaptureQueriesContext(connection) as queries:
        result = alert_sweep()
    assert (result.new_episodes, result.queued) == (stale, 2 * stale)
    return len(_statements(queries))


def test_the_sweep_takes_the_same_statements_for_one_terminal_or_many(org_a, org_b):
    # Per organization with stale terminals: refresh, lock the stale ones, flip them, open
    # their episodes, read the contacts, write the e-mails, read their ids back.
    one = _sweep_statements(org_a, 1)
    many = _sweep_statements(org_b, 40)
    assert one == many <= 10


def test_a_heartbeat_closes_the_episode_and_queues_reconnected_emails(org_a):
    client = ClientFactory(organization=org_a)
    ContactFactory(client=client, email="a@x.com.br")
    terminal = _stale(org_a, client)
    alert_sweep()

    result = heartbeats_record(organization=org_a, identifiers=[terminal.identifier])

    assert result.reconnected == 1 and len(result.email_ids) == 1
    episode = Episode.objects.get()
    assert episode.ended_at is not None
    assert episode.emails.filter(kind=AlertEmail.Kind.RECONNECTED).count() == 1
    terminal.refresh_from_db()
    assert terminal.status == Terminal.Status.CONNECTED


def test_the_reconnected_email_is_an_organization_setting(org_a):
    org_a.send_reconnected_email = False
    org_a.save()
    client = ClientFactory(organization=org_a)
    ContactFactory(client=client)
    terminal = _stale(org_a, client)
    alert_sweep()

    result = heartbeats_record(organization=org_a, identifiers=[terminal.identifier])

    assert result.reconnected == 1 and result.email_ids == []


def test_delivery_claims_each_email_once(org_a, mailoutbox):
    client = ClientFactory(organization=org_a)
    ContactFactory(client=client, email="a@x.com.br")
    _stale(org_a, client, name="Totem")
    ids = [row[0] for row in alert_sweep().email_ids]

    first = alert_emails_deliver(organization_id=org_a.pk, ids=ids)
    again = alert_emails_deliver(organization_id=org_a.pk, ids=ids)
    foreign = alert_emails_deliver(organization_id=OrganizationFactory().pk, ids=ids)

    assert first.sent == ids and again.sent == [] and foreign.sent == []
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.extra_headers["Message-ID"] == AlertEmail.objects.get().message_id
    assert message.attachments[0][2] == "application/pdf"
    assert message.attachments[0][1].startswith(b"%PDF")


def test_the_email_speaks_the_organizations_language(org_a, mailoutbox):
    org_a.language = "es"
    org_a.save()
    client = ClientFactory(organization=org_a)
    ContactFactory(client=client)
    _stale(org_a, client, name="Pantalla")
    ids = [row[0] for row in alert_sweep().email_ids]

    alert_emails_deliver(organization_id=org_a.pk, ids=ids)

    assert "desconectado" in mailoutbox[0].subject
    assert "Procedimiento de reconexión" in mailoutbox[0].alternatives[0][0]


def test_it_sanitizes_the_reconnection_procedure(org_a):
    device_type = services.device_type_create(
        organization=org_a,
        name=" Samsung Tizen ",
        reconnection_procedure=(
            '<ol><li onclick="x()">Desligue</li></ol><script>alert(1)</script>'
            '<img src="javascript:alert(1)"><img src="data:image/png;base64,iVBO" alt="passo">'
        ),
    )
    assert device_type.name == "Samsung Tizen"
    assert "script" not in device_type.reconnection_procedure
    assert "onclick" not in device_type.reconnection_procedure
    assert "javascript" not in device_type.reconnection_procedure
    assert (
        '<img src="data:image/png;base64,iVBO" alt="passo">' in device_type.reconnection_procedure
    )
    assert sanitize_procedure('<ol start="2"><li>b</li></ol>') == '<ol start="2"><li>b</li></ol>'


def test_it_links_only_a_terminal_with_the_clients_wvds_email(org_a):
    client = ClientFactory(organization=org_a, email_wvds="Conta@B2midia.com.br")
    same = TerminalFactory(organization=org_a, email_wvds="conta@b2midia.com.br", client=None)
    other = TerminalFactory(organization=org_a, email_wvds="outra@b2midia.com.br", client=None)

    services.terminal_set_link(organization=org_a, terminal=same, client=client, linked=True)
    with pytest.raises(ValidationError) as refused:
        services.terminal_set_link(organization=org_a, terminal=other, client=client, linked=True)

    assert refused.value.code == "wvds_differs"
    assert same.client == client
    other.refresh_from_db()
    assert other.client is None
    services.terminal_set_link(organization=org_a, terminal=same, client=client, linked=False)
    same.refresh_from_db()
    assert same.client is None


def test_it_moves_a_terminal_linked_to_another_client_only_when_told_to(org_a):
    first = ClientFactory(organization=org_a, email_wvds="conta@b2midia.com.br")
    second = ClientFactory(organization=org_a, email_wvds="conta@b2midia.com.br")
    terminal = TerminalFactory(organization=org_a, email_wvds="conta@b2midia.com.br", client=first)

    with pytest.raises(ValidationError) as refused:
        services.terminal_set_link(
            organization=org_a, terminal=terminal, client=second, linked=True
        )

    assert refused.value.code == "move_unconfirmed"
    assert str(first) in refused.value.messages[0]
    terminal.refresh_from_db()
    assert terminal.client == first
    services.terminal_set_link(
        organization=org_a, terminal=terminal, client=second, linked=True, move=True
    )
    terminal.refresh_from_db()
    assert terminal.client == second


def _terminal_fields(**overrides) -> dict:
    return {
        "identifier": "TRM-NOVO",
        "name": "Novo",
        "device_type": None,
        "email_wvds": "conta@b2midia.com.br",
        "client": None,
        **overrides,
    }


def test_it_refuses_a_client_of_another_organization(org_a, org_b):
    terminal = TerminalFactory(organization=org_a, name="Antes", client=None)
    with pytest.raises(ValidationError) as refused:
        services.terminal_update(
            organization=org_a,
            terminal=terminal,
            **_terminal_fields(
                identifier=terminal.identifier, client=ClientFactory(organization=org_b)
            ),
        )
    assert "client" in refused.value.message_dict
    terminal.refresh_from_db()
    assert (terminal.name, terminal.client) == ("Antes", None)


def test_it_refuses_a_terminal_of_another_organization(org_a, org_b):
    terminal = TerminalFactory(organization=org_b)
    with pytest.raises(ValidationError):
        services.terminal_delete(organization=org_a, terminal=terminal)
    assert Terminal.objects.filter(pk=terminal.pk).exists()


def test_create_and_update_refuse_a_wvds_email_that_differs_from_the_clients(org_a):
    client = ClientFactory(organization=org_a, email_wvds="conta@b2midia.com.br")
    with pytest.raises(ValidationError) as refused:
        services.terminal_create(
            organization=org_a, **_terminal_fields(email_wvds="outra@b2midia.com.br", client=client)
        )
    assert "conta@b2midia.com.br" in refused.value.message_dict["client"][0]
    assert not Terminal.objects.exists()

    # Spelled in upper case it is the same account.
    terminal = services.terminal_create(
        organization=org_a, **_terminal_fields(email_wvds="CONTA@b2midia.com.br", client=client)
    )
    with pytest.raises(ValidationError):
        services.terminal_update(
            organization=org_a,
            terminal=terminal,
            **_terminal_fields(email_wvds="outra@b2midia.com.br", client=client),
        )
    terminal.refresh_from_db()
    assert (terminal.email_wvds, terminal.client) == ("conta@b2midia.com.br", client)


def test_device_type_names_are_unique_per_organization_whatever_their_case(org_a, org_b):
    services.device_type_create(organization=org_a, name="Android", reconnection_procedure="")
    services.device_type_create(organization=org_b, name="android", reconnection_procedure="")
    with pytest.raises(ValidationError) as refused:
        services.device_type_create(organization=org_a, name=" ANDROID ", reconnection_procedure="")
    assert refused.value.message_dict == {
        "name": ["Já existe um tipo de dispositivo com este nome."]
    }
    tizen = services.device_type_create(organization=org_a, name="Tizen", reconnection_procedure="")
    with pytest.raises(ValidationError):
        services.device_type_update(
            organization=org_a, device_type=tizen, name="android", reconnection_procedure=""
        )
    # A type keeps its own name in another spelling.
    services.device_type_update(
        organization=org_a, device_type=tizen, name="TIZEN", reconnection_procedure=""
    )
    names = DeviceType.objects.for_org(org_a).values_list("name", flat=True)
    assert sorted(names) == ["Android", "TIZEN"]


def test_the_database_refuses_device_type_names_differing_only_in_case(org_a):
    DeviceType.objects.create(organization=org_a, name="Android")
    with pytest.raises(IntegrityError), transaction.atomic():
        DeviceType.objects.create(organization=org_a, name="ANDROID")
    assert DeviceType.objects.count() == 1


def test_it_stores_the_wvds_email_lower_cased(org_a):
    terminal = services.terminal_create(
        organization=org_a,
        identifier=" TRM-9 ",
        name="Nove",
        device_type=None,
        email_wvds="CVC@B2Midia.com.br",
        client=None,
    )
    assert (terminal.identifier, terminal.email_wvds) == ("TRM-9", "cvc@b2midia.com.br")
    assert terminal.status == Terminal.Status.NEVER_SEEN


def test_an_unreachable_smtp_server_keeps_the_email_for_a_retry(org_a, settings):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    client = ClientFactory(organization=org_a)
    ContactFactory(client=client)
    _stale(org_a, client)
    ids = [row[0] for row in alert_sweep().email_ids]

    result = alert_emails_deliver(organization_id=org_a.pk, ids=ids)

    assert result.retry_ids == ids and result.retry_in.total_seconds() > 0
    row = AlertEmail.objects.get()
    assert (row.status, row.attempts) == (AlertEmail.Status.PENDING, 1)
    assert "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at > timezone.now()


def test_one_organizations_failing_sweep_holds_back_no_other_organizations_alerts(org_a, org_b):
    broken_client, fine_client = (
        ClientFactory(organization=org_a),
        ClientFactory(organization=org_b),
    )
    ContactFactory(client=broken_client)
    ContactFactory(client=fine_client, email="carla@outra.com.br")
    broken, fine = _stale(org_a, broken_client), _stale(org_b, fine_client)
    # A real failure inside the database for organization A's episodes, whatever its cause.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION pg_temp.refuse_episode() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'episode refused'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_episode BEFORE INSERT ON terminals_episode FOR EACH ROW
            WHEN (NEW.organization_id = %s) EXECUTE FUNCTION pg_temp.refuse_episode();
            """,
            [org_a.pk],
        )

    result = alert_sweep()

    assert result.failed_organizations == [org_a.pk]
    assert (result.new_episodes, result.queued) == (1, 1)
    assert list(AlertEmail.objects.values_list("recipient", flat=True)) == ["carla@outra.com.br"]
    broken.refresh_from_db()
    fine.refresh_from_db()
    # A's flip rolled back with its failure: the next sweep tries it again.
    assert (broken.status, fine.status) == ("connected", "disconnected")


def test_it_refuses_a_line_break_in_a_terminals_name(org_a):
    with pytest.raises(ValidationError) as refused:
        services.terminal_create(
            organization=org_a, identifier="TRM-1", name="Vitrine\r\nBcc: x@y.z"
        )
    assert "name" in refused.value.message_dict
    assert not Terminal.objects.exists()


def test_past_episodes_are_stored_for_their_own_organization_and_drop_the_kept_figures():
    organization, other = OrganizationFactory.create_batch(2)
    terminal = TerminalFactory(organization=organization)
    now = timezone.now()
    assert figures.availability_summary(organization=organization, now=now).downtime["7d"] == (
        timedelta(0)
    )

    def past(row_terminal) -> Episode:
        return Episode(
            terminal=row_terminal,
            started_at=now - timedelta(days=3),
            ended_at=now - timedelta(days=2),
        )

    with pytest.raises(ValidationError):
        services.episodes_record_past(
            organization=organization,
            episodes=[past(terminal), past(TerminalFactory(organization=other))],
        )
    assert not Episode.objects.exists()

    services.episodes_record_past(organization=organization, episodes=[past(terminal)])
    assert Episode.objects.get().organization == organization
    # The figures kept before them (counted above) count them now.
    assert figures.availability_summary(organization=organization, now=now).downtime["7d"] == (
        timedelta(days=1)
    )
