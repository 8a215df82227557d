"""The disconnected-terminal alert end to end: the sweep, a real Celery worker and a real
SMTP conversation."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from terminals.models import AlertEmail, Episode, Terminal
from terminals.sweep import alert_sweep
from tests.factories import ClientFactory, ContactFactory, OrganizationFactory, TerminalFactory
from tests.processes import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stale_world():
    """A connected terminal past its deadline, its client with two auto-dispatch contacts,
    one with dispatch off and one without e-mail."""
    organization = OrganizationFactory(name="Mídia Sul", slug="midia-sul")
    client = ClientFactory(organization=organization, email_wvds="cvc@b2midia.com.br")
    on = [
        ContactFactory(client=client, email="ana@cliente.com.br"),
        ContactFactory(client=client, email="bruno@cliente.com.br"),
    ]
    ContactFactory(client=client, email="off@cliente.com.br", auto_dispatch=False)
    ContactFactory(client=client, email="", auto_dispatch=False)
    terminal = TerminalFactory(
        organization=organization,
        client=client,
        identifier="TRM-ALERT-1",
        name="Totem da entrada",
        email_wvds="cvc@b2midia.com.br",
        last_heartbeat_at=timezone.now() - timedelta(minutes=30),
        alert_after=timezone.now() - timedelta(minutes=15),
    )
    return terminal, on


def _sent_rows() -> list[AlertEmail]:
    return list(AlertEmail.objects.filter(status=AlertEmail.Status.SENT))


def test_it_sends_one_email_per_auto_dispatch_contact_with_the_pdf(
    stale_world, mailbox, start_worker
):
    terminal, contacts = stale_world
    start_worker()

    result = alert_sweep()

    assert result.new_episodes == 1 and result.queued == 2
    messages = mailbox.wait_for(2)
    assert wait_until(lambda: len(_sent_rows()) == 2)
    assert sorted(str(m["To"]) for m in messages) == sorted(c.email for c in contacts)
    rows = {row.recipient: row for row in _sent_rows()}
    for message in messages:
        assert "TRM-ALERT-1" in message["Subject"] and "desconectado" in message["Subject"]
        assert message["Message-ID"] == rows[str(message["To"])].message_id
        html = message.get_body(("html",)).get_content()
        assert "Totem da entrada" in html and "Reinicie o player." in html
        [pdf] = list(message.iter_attachments())
        assert pdf.get_content_type() == "application/pdf"
        assert pdf.get_content().startswith(b"%PDF")
    terminal.refresh_from_db()
    assert terminal.status == Terminal.Status.DISCONNECTED
    # Nothing new on the next sweep: the episode alerted once.
    assert alert_sweep().new_episodes == 0
    assert len(mailbox.wait_for(3, timeout=3)) == 2


def test_it_delivers_later_and_once_when_the_smtp_server_refuses_for_a_while(
    stale_world, mailbox, start_worker
):
    mailbox.refusing = True
    start_worker()

    alert_sweep()

    assert wait_until(lambda: mailbox.refused >= 4)
    # Between two retries a row is pending or, for an instant, claimed (sending); never sent.
    waiting = (AlertEmail.Status.PENDING, AlertEmail.Status.SENDING)
    assert AlertEmail.objects.filter(status__in=waiting).count() == 2
    assert all(row.last_error for row in AlertEmail.objects.all())
    mailbox.refusing = False
    assert wait_until(lambda: len(_sent_rows()) == 2)
    assert len(mailbox.wait_for(3, timeout=3)) == 2
    assert all(row.attempts >= 2 for row in _sent_rows())


def test_it_marks_the_email_failed_after_the_last_attempt(stale_world, mailbox, start_worker):
    mailbox.refusing = True
    start_worker(ALERT_EMAIL_MAX_ATTEMPTS="2")

    alert_sweep()

    assert wait_until(lambda: AlertEmail.objects.filter(status="failed").count() == 2)
    assert mailbox.messages == []
    assert all("451" in row.last_error for row in AlertEmail.objects.all())


def test_two_sweeps_started_at_the_same_time_still_send_one_email(
    stale_world, mailbox, start_worker
):
    start_worker()
    results = []
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        try:
            results.append(alert_sweep())
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.new_episodes for r in results) == [0, 1]
    assert Episode.objects.count() == 1
    assert wait_until(lambda: len(_sent_rows()) == 2)
    assert len(mailbox.wait_for(3, timeout=3)) == 2


def test_the_email_still_goes_out_when_the_worker_dies_mid_send(
    stale_world, mailbox, start_worker, settings
):
    # The sweep (this process) and the workers agree on the lease, as production's do.
    settings.ALERT_EMAIL_LEASE_SECONDS = 2
    mailbox.hanging = threading.Event()
    first = start_worker(ALERT_EMAIL_LEASE_SECONDS="2")

    alert_sweep()
    assert wait_until(lambda: AlertEmail.objects.filter(status="sending").exists())
    first.kill()
    mailbox.hanging.set()
    mailbox.hanging = None

    start_worker(ALERT_EMAIL_LEASE_SECONDS="2")
    # The lease of each row the dead worker held runs out (not all at the same instant); the
    # sweeps that follow, as beat runs them, hand each one to the live worker.
    assert wait_until(lambda: alert_sweep() and len(_sent_rows()) == 2, 60, interval=1)
    assert len(mailbox.wait_for(3, timeout=3)) == 2


def test_it_sends_a_reconnected_email_when_the_heartbeat_comes_back(
    stale_world, mailbox, start_worker
):
    from terminals.heartbeats import heartbeats_record

    terminal, contacts = stale_world
    start_worker()
    alert_sweep()
    mailbox.wait_for(2)

    result = heartbeats_record(organization=terminal.organization, identifiers=["TRM-ALERT-1"])

    assert result.reconnected == 1
    messages = mailbox.wait_for(4)
    assert len(messages) == 4
    assert sum("conectado novamente" in m["Subject"] for m in messages) == 2
    assert Episode.objects.get().ended_at is not None
