from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from terminals import services
from terminals.alerts import alert_emails_deliver, alert_sweep
from terminals.models import AlertEmail, Episode, Terminal
from terminals.sanitize import sanitize_procedure
from tests.factories import (
    ClientFactory,
    ContactFactory,
    DeviceTypeFactory,
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
        result = services.heartbeats_record(
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
        result = services.heartbeats_record(
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


def test_the_sweep_gives_a_live_candidate_its_exact_deadline_back(org_a):
    heard = timezone.now() - timedelta(minutes=10)
    terminal = TerminalFactory(
        organization=org_a, last_heartbeat_at=heard, alert_after=heard - timedelta(minutes=1)
    )

    result = alert_sweep()

    assert (result.new_episodes, result.refreshed) == (0, 1)
    terminal.refresh_from_db()
    assert terminal.status == Terminal.Status.CONNECTED
    assert terminal.alert_after == heard + timedelta(minutes=15)


def test_it_ignores_blank_identifiers(org_a):
    result = services.heartbeats_record(organization=org_a, identifiers=["  ", ""])
    assert (result.received, result.updated, result.unknown) == (0, 0, [])


def test_the_sweep_opens_one_episode_and_queues_one_email_per_auto_dispatch_contact(org_a, org_b):
    client = ClientFactory(organization=org_a)
    ContactFactory(client=client, email="a@x.com.br")
    ContactFactory(client=client, email="b@x.com.br")
    ContactFactory(client=client, email="off@x.com.br", auto_dispatch=False)
    ContactFactory(client=client, email="", auto_dispatch=False)
    terminal = _stale(org_a, client)
    fresh = TerminalFactory(organization=org_a, alert_after=timezone.now() + timedelta(minutes=5))
    never = TerminalFactory(organization=org_a, status=Terminal.Status.NEVER_SEEN, alert_after=None)
    other = _stale(org_b, ClientFactory(organization=org_b))

    with CaptureQueriesContext(connection) as queries:
        result = alert_sweep()

    assert len(_statements(queries)) == 2  # the flip with its rows, the re-dispatch
    assert (result.new_episodes, result.queued) == (2, 2)
    episode = Episode.objects.get(terminal=terminal)
    assert episode.client == client and episode.ended_at is None
    assert sorted(e.recipient for e in episode.emails.all()) == ["a@x.com.br", "b@x.com.br"]
    assert not Episode.objects.filter(terminal=other).get().emails.exists()
    for t, status in [(fresh, "connected"), (never, "never_seen"), (terminal, "disconnected")]:
        t.refresh_from_db()
        assert t.status == status
    assert alert_sweep().new_episodes == 0


def test_a_heartbeat_closes_the_episode_and_queues_reconnected_emails(org_a):
    client = ClientFactory(organization=org_a)
    ContactFactory(client=client, email="a@x.com.br")
    terminal = _stale(org_a, client)
    alert_sweep()

    result = services.heartbeats_record(organization=org_a, identifiers=[terminal.identifier])

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

    result = services.heartbeats_record(organization=org_a, identifiers=[terminal.identifier])

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

    services.terminal_set_link(terminal=same, client=client, linked=True)
    with pytest.raises(ValueError):
        services.terminal_set_link(terminal=other, client=client, linked=True)

    assert same.client == client
    other.refresh_from_db()
    assert other.client is None
    services.terminal_set_link(terminal=same, client=client, linked=False)
    same.refresh_from_db()
    assert same.client is None


def test_it_refuses_a_client_of_another_organization(org_a, org_b):
    terminal = TerminalFactory(organization=org_a)
    with pytest.raises(ValueError):
        services.terminal_update(
            terminal=terminal,
            identifier=terminal.identifier,
            name="x",
            device_type=DeviceTypeFactory(organization=org_a),
            email_wvds="",
            client=ClientFactory(organization=org_b),
        )


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
