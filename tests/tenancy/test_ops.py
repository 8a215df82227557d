from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from clients.models import Client
from config.celery import app as celery_app
from contacts.models import Contact
from specialists.models import Specialist
from tenancy.models import Membership, Organization
from terminals.alerts import alert_sweep
from terminals.models import Terminal


def test_healthz_reports_database_and_broker(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True}


def test_healthz_answers_503_when_the_broker_is_down(client, db, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] is False


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", clients=40, stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = (Client.objects.count(), Terminal.objects.count(), Membership.objects.count())
    call_command("seed_demo", clients=40, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert counts == (Client.objects.count(), Terminal.objects.count(), Membership.objects.count())
    assert counts[0] == 40
    organization = Organization.objects.get(slug="vigia-demo")
    terminals = Terminal.objects.for_org(organization)
    assert terminals.filter(status="never_seen").exists()
    # Stale demo terminals are left for the first sweep, which sends their real alerts.
    result = alert_sweep()
    assert result.new_episodes > 0
    assert terminals.filter(status="disconnected").count() == result.new_episodes
    assert terminals.filter(status="connected").exists()


def test_seed_demo_writes_records_that_pass_validation(db):
    # Demo data is exported and imported back by people trying Vigia: it must be valid.
    call_command("seed_demo", clients=40, stdout=open(os.devnull, "w"))  # noqa: SIM115
    organization = Organization.objects.get(slug="vigia-demo")
    for model in (Client, Contact, Terminal, Specialist):
        for record in model.objects.for_org(organization):
            record.full_clean()


def test_deploy_checks_pass_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "vigia.example.com",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests of this same run
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
