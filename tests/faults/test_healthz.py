"""/healthz: each dependency named, 200 only when all answer, 503 naming what does not; on
PostgreSQL + Redis (this process) and on the embedded defaults (SQLite, the file-system
broker and the file cache, in processes of their own)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from config.health import HEARTBEAT_KEY, worker_heartbeat_record
from terminals.models import AlertEmail
from tests.factories import ClientFactory, ContactFactory, TerminalFactory
from tests.faults.conftest import Stack, beat, healthz, web
from tests.processes import Worker, embedded_env, manage, wait_until

ALL_UP = {"database": True, "broker": True, "cache": True, "worker": True, "outbox": True}


@pytest.fixture
def beating(db):
    worker_heartbeat_record()
    yield
    cache.delete(HEARTBEAT_KEY)


def test_it_answers_200_when_every_dependency_answers(client, beating):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["down"] == []
    assert body["checks"] == ALL_UP
    assert body["outbox"] == {"unsent": 0, "retrying": 0, "oldest_age": None}
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_names_the_worker_when_no_heartbeat_came(client, db):
    cache.delete(HEARTBEAT_KEY)

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["down"] == ["worker"]


def test_it_names_the_broker_when_it_is_down(client, beating, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_it_names_the_cache_and_cannot_tell_the_worker_when_the_cache_is_down(
    client, beating, cache_down
):
    cache_down()

    body = client.get(reverse("healthz")).json()

    assert body["down"] == ["cache"]
    assert body["checks"]["worker"] is None and body["status"] == "unavailable"


def test_it_names_the_outbox_when_an_alert_waits_too_long_and_shows_no_data(
    client, beating, org_a, settings
):
    settings.ALERT_OUTBOX_MAX_AGE_SECONDS = 600
    contact = ContactFactory(client=ClientFactory(organization=org_a), email="segredo@x.com.br")
    terminal = TerminalFactory(organization=org_a, client=contact.client, name="Totem secreto")
    episode = terminal.episodes.create(
        organization=org_a, client=contact.client, started_at=timezone.now()
    )
    email = AlertEmail.objects.create(
        organization=org_a,
        episode=episode,
        kind=AlertEmail.Kind.DISCONNECTED,
        contact=contact,
        recipient=contact.email,
        attempts=3,
        last_error="451 4.3.0 smtp.cliente.com.br refused",
        next_attempt_at=timezone.now(),
    )
    AlertEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(minutes=11))

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["outbox"]
    assert body["outbox"]["unsent"] == 1 and body["outbox"]["retrying"] == 1
    assert body["outbox"]["oldest_age"] >= 660
    for secret in ("segredo", "Totem", "smtp.cliente", str(org_a.code), "redis://", "postgres"):
        assert secret not in response.content.decode()


@pytest.mark.slow
def test_it_follows_the_worker_on_the_embedded_defaults(tmp_path):
    var_dir = tmp_path / "var"
    env = embedded_env(var_dir, WORKER_HEARTBEAT_SECONDS="1")
    manage(env, "migrate", "-v", "0")
    stack = Stack(None, None, "", env, tmp_path)
    try:
        url = web(stack)
        status, body = healthz(url)
        assert status == 503 and body["down"] == ["worker"]

        worker = stack.started(Worker(env, tmp_path / "worker.log"))
        beat(stack)
        assert wait_until(lambda: healthz(url)[0] == 200, timeout=60), (
            healthz(url),
            (tmp_path / "worker.log").read_text()[-3000:],
            (tmp_path / "beat.log").read_text()[-2000:],
        )
        assert healthz(url)[1]["checks"] == ALL_UP

        worker.kill()
        assert wait_until(lambda: healthz(url)[1]["down"] == ["worker"], timeout=30)
    finally:
        for process in reversed(stack.processes):
            process.kill()
            process.stop()
