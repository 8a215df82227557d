"""Maintenance windows end to end: put in maintenance on the screen, the sweep, a real Celery
worker and a real SMTP conversation (aiosmtpd). No "disconnected" e-mail while the window
runs; ending it while the terminal is still silent opens the episode and sends the alert
then; an acknowledgement shows beside the e-mails in the alert history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from terminals.models import AlertEmail, Episode, MaintenanceWindow, Terminal
from terminals.sweep import alert_sweep
from tests.factories import ClientFactory, ContactFactory, TerminalFactory
from tests.processes import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _silent(organization, client, identifier: str) -> Terminal:
    return TerminalFactory(
        organization=organization,
        client=client,
        identifier=identifier,
        email_wvds=client.email_wvds,
        last_heartbeat_at=timezone.now() - timedelta(minutes=30),
        alert_after=timezone.now() - timedelta(minutes=15),
    )


def _recipients(mailbox) -> list[str]:
    return sorted(str(message["To"]) for message in mailbox.messages)


def test_no_alert_in_maintenance_and_one_when_it_ends_while_still_silent(
    org_a, bob, bob_client, mailbox, start_worker
):
    shop = ClientFactory(organization=org_a, email_wvds="loja@b2midia.com.br")
    ContactFactory(client=shop, email="gerente@loja.com.br")
    other = ClientFactory(organization=org_a, email_wvds="outra@b2midia.com.br")
    ContactFactory(client=other, email="ti@outra.com.br")
    resting = _silent(org_a, shop, "TRM-MANUT")
    control = _silent(org_a, other, "TRM-CONTROLE")
    start = timezone.localtime().replace(second=0, microsecond=0) - timedelta(minutes=5)
    response = bob_client.post(
        reverse("terminals:maintenance", args=[resting.code]),
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Troca do player",
        },
    )
    assert response.status_code == 302
    start_worker()

    first = alert_sweep()

    # The control terminal's alert goes out: the worker and the server work...
    assert first.new_episodes == 1
    assert mailbox.wait_for(1) and wait_until(
        lambda: AlertEmail.objects.filter(status=AlertEmail.Status.SENT).count() == 1
    )
    # ...and the terminal in maintenance got nothing, and has no episode.
    assert _recipients(mailbox) == ["ti@outra.com.br"]
    assert not Episode.objects.filter(terminal=resting).exists()
    assert alert_sweep().new_episodes == 0
    resting.refresh_from_db()
    assert resting.status == Terminal.Status.CONNECTED  # past its deadline, held by the window

    window = MaintenanceWindow.objects.get(terminal=resting)
    bob_client.post(reverse("terminals:maintenance_end", args=[window.code]))
    ended = alert_sweep()

    assert ended.new_episodes == 1
    assert len(mailbox.wait_for(2)) == 2
    assert _recipients(mailbox) == ["gerente@loja.com.br", "ti@outra.com.br"]
    episode = Episode.objects.get(terminal=resting)
    assert episode.started_at >= window.starts_at + timedelta(minutes=5)
    assert wait_until(lambda: episode.emails.filter(status=AlertEmail.Status.SENT).exists())
    assert control.episodes.count() == 1

    bob_client.post(reverse("terminals:acknowledge", args=[episode.code]), {"note": "Na loja."})
    history = bob_client.get(reverse("terminals:detail", args=[resting.code])).text
    assert "Na loja." in history and "gerente@loja.com.br" in history
