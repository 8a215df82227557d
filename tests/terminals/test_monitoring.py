"""The heartbeats and the sweep on both databases: PostgreSQL (DATABASE_URL, in this
process) and the embedded SQLite of `make run` (in a process of its own, since the rest of
the suite runs on PostgreSQL), and the SQLite path end to end through a real Celery worker
on the file-system broker and the file e-mail backend."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from email import message_from_string, policy
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from terminals.models import Terminal, alert_deadline
from tests.factories import TerminalFactory
from tests.processes import Worker, embedded_env, manage, wait_until
from tests.terminals import scenarios


def _shell(env: dict[str, str], code: str):
    """Runs `code` (which ends by printing one JSON line) on the embedded database."""
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated embedded database, copied for each test: migrating takes seconds."""
    var_dir = tmp_path_factory.mktemp("sqlite-template")
    manage(embedded_env(var_dir, ALERT_EMAIL_RETRY_BASE_SECONDS="1"), "migrate", "-v", "0")
    return var_dir / "vigia.sqlite3"


@pytest.fixture
def embedded(sqlite_template, tmp_path) -> dict[str, str]:
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    shutil.copy(sqlite_template, var_dir / "vigia.sqlite3")
    return embedded_env(var_dir, ALERT_EMAIL_RETRY_BASE_SECONDS="1")


@pytest.fixture(params=["postgresql", "sqlite"])
def run_scenario(request):
    """Runs a function of tests/terminals/scenarios.py on one database."""
    if request.param == "postgresql":
        request.getfixturevalue("db")
        assert connection.vendor == "postgresql"
        return lambda name: json.loads(json.dumps(getattr(scenarios, name)()))
    env = request.getfixturevalue("embedded")
    return lambda name: _shell(
        env,
        "import json; from django.db import connection; from tests.terminals import scenarios\n"
        "assert connection.vendor == 'sqlite'\n"
        f"print(json.dumps(scenarios.{name}()))",
    )


def test_heartbeats_mark_terminals_heard_and_report_unknown_identifiers(run_scenario):
    assert run_scenario("heartbeats") == {
        "received": 7,
        "updated": 5,
        "unknown": ["NOPE", "SHARED-1"],
        "connected": True,
        "deadlines_exact": True,
        "far_deadline_kept": True,
        "foreign_untouched": True,
    }


def test_an_address_shared_by_two_contacts_is_alerted_once_and_blocks_no_one(run_scenario):
    result = run_scenario("sweep_shared_addresses")
    assert result["a"] == ["ana@cliente.com.br", "bruno@cliente.com.br"]
    assert result["b"] == ["carla@outra.com.br"]
    assert (result["new_episodes"], result["queued"], result["email_ids"]) == (2, 3, 3)
    assert result["failed_organizations"] == []
    assert result["statuses"] == ["disconnected", "disconnected", "connected", "never_seen"]
    # The next sweep finds nothing new: each episode alerted once.
    assert result["second_sweep"] == [0, 0] and result["open_episodes"] == 2


def test_the_sweep_gives_a_live_candidate_its_exact_deadline_back(run_scenario):
    assert run_scenario("sweep_refreshes_a_live_candidate") == {
        "new_episodes": 0,
        "refreshed": 1,
        "status": "connected",
        "deadline_exact": True,
    }


def test_a_heartbeat_closes_the_episode_and_queues_one_reconnected_email_per_address(
    run_scenario,
):
    assert run_scenario("reconnection") == {
        "reconnected": [1, 1],
        "email_ids": [1, 0],
        "recipients": ["ana@cliente.com.br"],
        "status": "connected",
        "open_episodes": 0,
    }


@pytest.mark.django_db
def test_the_deadline_rule_gives_the_same_answer_in_python_and_in_sql(org_a):
    org_a.alert_grace_minutes = 7
    org_a.save()
    heard = timezone.now() - timedelta(hours=1)
    terminal = TerminalFactory(organization=org_a, last_heartbeat_at=heard)
    in_sql = (
        Terminal.objects.filter(pk=terminal.pk)
        .annotate(deadline=alert_deadline(F("last_heartbeat_at"), organization=org_a))
        .get()
        .deadline
    )
    assert in_sql == alert_deadline(heard, organization=org_a) == heard + timedelta(minutes=7)


SETUP = """
import json
from tests.factories import ClientFactory, ContactFactory, OrganizationFactory, TerminalFactory
organization = OrganizationFactory(name="Embutida", language="en", alert_grace_minutes=15)
client = ClientFactory(organization=organization, email_wvds="conta@b2midia.com.br")
ContactFactory(client=client, email="ana@cliente.com.br")
ContactFactory(client=client, email="ANA@cliente.com.br")
ContactFactory(client=client, email="bruno@cliente.com.br")
TerminalFactory(organization=organization, client=client, identifier="TRM-LOJA",
                name="Totem da loja", status="never_seen", last_heartbeat_at=None)
print(json.dumps(organization.slug))
"""

HEARTBEAT = """
import json
from tenancy.models import Organization
from terminals.heartbeats import heartbeats_record
result = heartbeats_record(organization=Organization.objects.get(slug="{slug}"),
                           identifiers=["TRM-LOJA"])
print(json.dumps([result.updated, result.reconnected, len(result.email_ids)]))
"""

# Twenty minutes later, as the beat's sweep would run then.
SWEEP = """
import json
from datetime import timedelta
from django.utils import timezone
from terminals.sweep import alert_sweep
result = alert_sweep(now=timezone.now() + timedelta(minutes=20))
print(json.dumps([result.new_episodes, result.queued]))
"""


def _mails(folder: Path) -> list:
    # The file backend writes each connection's messages to one file, separated by a line
    # of dashes.
    messages = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(message_from_string(chunk.lstrip(), policy=policy.default))
    return messages


def test_the_embedded_defaults_alert_end_to_end(embedded, tmp_path):
    var_dir = Path(embedded["VIGIA_VAR_DIR"])
    worker = Worker(embedded, tmp_path / "worker.log")
    try:
        slug = _shell(embedded, SETUP)
        assert _shell(embedded, HEARTBEAT.format(slug=slug)) == [1, 0, 0]

        assert _shell(embedded, SWEEP) == [1, 2]
        mail = var_dir / "mail"
        assert wait_until(lambda: len(_mails(mail)) == 2, 90), worker.log.read_text()[-3000:]
        disconnected = _mails(mail)
        assert sorted(str(m["To"]) for m in disconnected) == [
            "ana@cliente.com.br",
            "bruno@cliente.com.br",
        ]
        assert all("is disconnected" in m["Subject"] for m in disconnected)
        assert all(m["Message-ID"].startswith("<alert-") for m in disconnected)

        assert _shell(embedded, HEARTBEAT.format(slug=slug)) == [1, 1, 2]
        assert wait_until(lambda: len(_mails(mail)) == 4, 90), worker.log.read_text()[-3000:]
        reconnected = [m for m in _mails(mail) if "is connected again" in m["Subject"]]
        assert sorted(str(m["To"]) for m in reconnected) == [
            "ana@cliente.com.br",
            "bruno@cliente.com.br",
        ]
    finally:
        worker.stop()
