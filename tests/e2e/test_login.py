from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_demo_operator_logs_in_and_sees_the_dashboard(login, live_server):
    from django.core.management import call_command

    call_command("seed_demo", clients=20, stdout=open("/dev/null", "w"))  # noqa: SIM115
    page = login("operador", "vigia-demo-2026")
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").first.inner_text() == "Painel"
    assert "Vigia Demo" in page.locator(".topbar").inner_text()


def test_a_wrong_password_is_refused_with_a_message(login, bob):
    page = login("bob", "wrong-password")
    assert "/entrar/" in page.url
    assert page.locator(".alert-error").is_visible()


def test_an_operator_logs_in_with_the_email_in_any_case(login, bob, live_server):
    page = login("Bob@Example.com")
    assert page.url == f"{live_server.url}/"


def test_five_wrong_passwords_show_the_lockout_on_the_login_page(login, bob):
    for _ in range(5):
        page = login("bob@example.com", "wrong-password")
    page = login("bob")
    assert "/entrar/" in page.url
    assert "15" in page.locator(".alert-error").inner_text()
    assert page.locator("input[name=password]").is_visible()
