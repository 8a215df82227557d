"""The monitoring console: availability from the episodes (both databases), the sweep under
maintenance windows (both databases), acknowledgements, the terminal list's sorts and
filters, and the pages that show them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from terminals.models import Episode, MaintenanceWindow, Terminal
from tests.factories import ClientFactory, TerminalFactory
from tests.terminals import console_scenarios
from tests.terminals.test_monitoring import _shell, embedded, sqlite_template  # noqa: F401


@pytest.fixture(params=["postgresql", "sqlite"])
def run_scenario(request):
    """Runs a function of tests/terminals/console_scenarios.py on one database."""
    if request.param == "postgresql":
        request.getfixturevalue("db")
        assert connection.vendor == "postgresql"
        return lambda name: json.loads(json.dumps(getattr(console_scenarios, name)()))
    env = request.getfixturevalue("embedded")
    return lambda name: _shell(
        env,
        "import json; from django.db import connection\n"
        "from tests.terminals import console_scenarios\n"
        "assert connection.vendor == 'sqlite'\n"
        f"print(json.dumps(console_scenarios.{name}()))",
    )


def test_it_computes_availability_from_the_episodes_overlapping_each_window(run_scenario):
    assert run_scenario("availability") == {
        "terminal": {"24h": 1.0, "7d": 13.0, "30d": 37.0},
        "terminal_24h": 0.9583,
        "client": {"24h": 1.5, "7d": 13.5, "30d": 37.5},
        "client_terminals": 2,
        "fleet": {"24h": 1.5, "7d": 13.5, "30d": 37.5},
        "fleet_terminals": 3,
        "fleet_30d": 0.9826,
        "many": {
            "True": {"24h": 1.0, "7d": 13.0, "30d": 37.0},
            "False": {"24h": 0.5, "7d": 0.5, "30d": 0.5},
        },
        # The 1 h outage ran from 40 past to 40 past, across two hours; the open one began in
        # the running hour.
        "history_down": [0] * 20 + [1, 1, 0, 1],
        "history_up": 2,
    }


def test_the_fleet_availability_kept_by_the_hour_equals_the_one_counted(run_scenario):
    expected = {
        "warm_is_cold": True,
        "by_hand": True,
        "hours": {"24h": 3.33, "7d": 3.5, "30d": 27.42},
    }
    assert run_scenario("fleet_availability") == {
        "America/Sao_Paulo": expected,
        "Asia/Kolkata": expected,
    }


def test_the_sweep_alerts_no_terminal_in_maintenance_until_its_window_ends(run_scenario):
    assert run_scenario("maintenance_sweep") == {
        "during": {"opened": ["none"], "queued": 1},
        "in_maintenance": True,
        # The client's window ended, but "own" still has its own.
        "after_client": {"opened": ["client", "none"], "queued": 1},
        "after_own": {"opened": ["client", "none", "own"], "queued": 1},
        "own_disconnected_since_is_episode_start": True,
        "statuses": ["disconnected"],
        "emails": 3,
        "windows_left": 0,
    }


def _down(organization, client=None, *, hours: float, **fields) -> Terminal:
    since = timezone.now() - timedelta(hours=hours)
    terminal = TerminalFactory(
        organization=organization,
        client=client,
        status=Terminal.Status.DISCONNECTED,
        last_heartbeat_at=since - timedelta(minutes=15),
        disconnected_since=since,
        **fields,
    )
    Episode.objects.create(
        organization=organization, terminal=terminal, client=client, started_at=since
    )
    return terminal


@pytest.mark.django_db
def test_the_dashboard_shows_availability_the_fleet_chart_and_the_longest_outages_first(
    bob_client, org_a, org_b, django_assert_max_num_queries
):
    _down(org_a, hours=2, name="Recente")
    _down(org_a, hours=30, name="Antigo")
    _down(org_b, hours=50, name="Estrangeiro")
    with django_assert_max_num_queries(20):
        page = bob_client.get(reverse("dashboard"))
    text = page.text
    assert "Estrangeiro" not in text
    outages = text[text.index("Longest open outages") if "Longest open outages" in text else 0 :]
    assert outages.index("Antigo") < outages.index("Recente")
    assert page.context["availability"].terminals == 2
    # The chart and its text alternative: a figure with a caption and a table.
    assert '<figure class="chart"' in text and "<figcaption" in text
    assert '<table class="visually-hidden">' in text and "<svg" in text
    assert len(page.context["fleet"]["bars"]) == 24
    month = bob_client.get(reverse("dashboard"), {"window": "30d"})
    assert len(month.context["fleet"]["bars"]) == 30


@pytest.mark.django_db
def test_an_acknowledgement_shows_on_the_terminal_page_the_dashboard_and_the_history(
    bob_client, alice_client, bob, org_a
):
    terminal = _down(org_a, hours=3, name="Totem")
    episode = terminal.episodes.get()
    url = reverse("terminals:acknowledge", args=[episode.code])

    response = bob_client.post(url, {"note": "Técnico a caminho."})

    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.acknowledged_by == bob and episode.acknowledgement_note == "Técnico a caminho."
    detail = alice_client.get(reverse("terminals:detail", args=[terminal.code])).text
    assert "Técnico a caminho." in detail and (bob.get_full_name() or bob.username) in detail
    assert "Técnico a caminho." in alice_client.get(reverse("dashboard")).text


@pytest.mark.django_db
def test_a_too_long_note_is_refused_and_changes_nothing(bob_client, org_a):
    episode = _down(org_a, hours=1).episodes.get()
    response = bob_client.post(
        reverse("terminals:acknowledge", args=[episode.code]), {"note": "x" * 1001}
    )
    assert response.status_code == 422
    assert "1000" in response.text or "1.000" in response.text
    episode.refresh_from_db()
    assert episode.acknowledged_at is None


@pytest.mark.django_db
def test_it_schedules_and_ends_maintenance_of_a_terminal_and_of_a_client(bob_client, bob, org_a):
    bob.language = "en"
    bob.save()
    client = ClientFactory(organization=org_a)
    terminal = TerminalFactory(organization=org_a, client=client, name="Vitrine")
    start = timezone.localtime().replace(second=0, microsecond=0)
    form = {
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "reason": "Troca do player",
    }
    assert (
        bob_client.post(reverse("terminals:maintenance", args=[terminal.code]), form).status_code
        == 302
    )
    window = MaintenanceWindow.objects.get(terminal=terminal)
    assert window.created_by == bob and window.reason == "Troca do player"
    detail = bob_client.get(reverse("terminals:detail", args=[terminal.code])).text
    assert "Troca do player" in detail and "in maintenance" in detail
    listed = bob_client.get(reverse("terminals:list"), {"maintenance": "on"}).text
    assert "Vitrine" in listed and "in maintenance" in listed

    response = bob_client.post(
        reverse("terminals:client_maintenance", args=[client.code]),
        {
            **form,
            "reason": "Reforma",
            "next": reverse("terminals:client_section", args=[client.code]),
        },
    )
    assert response.status_code == 302
    assert MaintenanceWindow.objects.filter(client=client, reason="Reforma").exists()

    bob_client.post(reverse("terminals:maintenance_end", args=[window.code]))
    window.refresh_from_db()
    assert window.ends_at <= timezone.now()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, field_error",
    [
        ({"ends_at": "2020-01-01T10:00"}, "The end must come after the start."),
        ({"reason": "   "}, "This field is required."),
        ({"starts_at": "amanhã"}, "Enter a valid date/time."),
    ],
)
def test_a_bad_maintenance_window_is_refused_with_a_message(bob_client, org_a, change, field_error):
    terminal = TerminalFactory(organization=org_a)
    client = ClientFactory(organization=org_a)
    start = timezone.localtime().replace(second=0, microsecond=0)
    form = {
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "reason": "Troca",
        **change,
    }
    with translation.override("en"):
        for url in (
            reverse("terminals:maintenance", args=[terminal.code]),
            reverse("terminals:client_maintenance", args=[client.code]),
        ):
            response = bob_client.post(url, form, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 422
    assert not MaintenanceWindow.objects.exists()


@pytest.mark.django_db
def test_the_list_sorts_by_last_signal_and_outage_and_filters_by_client(bob_client, bob, org_a):
    bob.language = "en"
    bob.save()
    client = ClientFactory(organization=org_a, cnpj="11222333000181")
    now = timezone.now()
    TerminalFactory(organization=org_a, identifier="A-RECENT", last_heartbeat_at=now, client=client)
    TerminalFactory(
        organization=org_a, identifier="B-OLD", last_heartbeat_at=now - timedelta(days=2)
    )
    TerminalFactory(organization=org_a, identifier="C-NEVER", last_heartbeat_at=None,
                    status=Terminal.Status.NEVER_SEEN)  # fmt: skip
    _down(org_a, hours=1, identifier="D-SHORT")
    _down(org_a, hours=9, identifier="E-LONG")
    url = reverse("terminals:list")

    def order(**params) -> list[str]:
        page = bob_client.get(url, params).context["page"]
        return [terminal.identifier for terminal in page.object_list]

    assert order(sort="last_signal") == ["A-RECENT", "D-SHORT", "E-LONG", "B-OLD", "C-NEVER"]
    assert order(sort="-last_signal") == ["C-NEVER", "B-OLD", "E-LONG", "D-SHORT", "A-RECENT"]
    assert order(sort="outage") == ["E-LONG", "D-SHORT"]
    assert order(client="11.222.333/0001-81") == ["A-RECENT"]
    refused = bob_client.get(url, {"client": "00.000.000/0000-00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "No client with this CNPJ." in refused.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, shown", [("pt-br", "1.001"), ("en", "1,001"), ("es", "1\xa0001")]
)
def test_counts_carry_the_languages_thousands_separator(bob_client, bob, org_a, language, shown):
    Terminal.objects.bulk_create(
        Terminal(organization=org_a, identifier=f"T{i:05d}", status="connected")
        for i in range(1001)
    )
    bob.language = language
    bob.save()
    page = bob_client.get(reverse("terminals:list"), HTTP_ACCEPT_LANGUAGE=language).text
    assert shown in page
    assert shown in bob_client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE=language).text


@pytest.mark.django_db
def test_charlie_gets_404_on_the_console_routes(charlie_client, org_a):
    terminal = _down(org_a, hours=1)
    window = MaintenanceWindow.objects.create(
        organization=org_a,
        terminal=terminal,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
        reason="x",
    )
    client = ClientFactory(organization=org_a)
    for url in (
        reverse("terminals:acknowledge", args=[terminal.episodes.get().code]),
        reverse("terminals:maintenance", args=[terminal.code]),
        reverse("terminals:maintenance_end", args=[window.code]),
        reverse("terminals:client_maintenance", args=[client.code]),
    ):
        assert charlie_client.post(url, {"note": "x", "reason": "x"}).status_code == 404
    window.refresh_from_db()
    assert window.ends_at > timezone.now()
    assert terminal.episodes.get().acknowledged_at is None
