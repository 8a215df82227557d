from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from catalogs import services as catalog_services
from clientportal import auth
from portal.models import PortalAccount
from terminals.models import AlertEmail, Episode, Terminal
from tests.clientportal.conftest import PORTAL_PASSWORD, portal_client
from tests.factories import CatalogDocumentFactory, CatalogFactory, TerminalFactory

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"clientportal:{name}", args=["org-a", *args])


def episode_with_email(terminal, *, recipient="ana@padaria.example.com") -> Episode:
    episode = Episode.objects.create(
        organization=terminal.organization,
        terminal=terminal,
        client=terminal.client,
        started_at=timezone.now() - timedelta(hours=2),
    )
    AlertEmail.objects.create(
        organization=terminal.organization,
        episode=episode,
        kind=AlertEmail.Kind.DISCONNECTED,
        recipient=recipient,
        status=AlertEmail.Status.SENT,
        sent_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    return episode


# --- the gate ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "alerts", "catalogs", "profile"])
def test_it_sends_an_anonymous_visitor_to_the_login(db, org_a, name):
    response = HttpClient().get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(url("login") + "?next=")


def test_it_answers_htmx_with_a_client_redirect_to_the_login(org_a, htmx_headers):
    response = HttpClient().get(url("home"), **htmx_headers)
    assert response["HX-Redirect"] == url("login")


def test_a_session_of_another_organizations_portal_opens_nothing_here(foreign_account, org_a):
    browser = portal_client(foreign_account)
    assert browser.get(url("home")).status_code == 302


@pytest.mark.parametrize(
    ("path", "login"), [("/", "login"), ("/clientes/", "login"), ("/admin/", "admin:login")]
)
def test_the_back_office_sees_a_portal_person_as_anonymous(contact_browser, path, login):
    response = contact_browser.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(login) + "?next=")


def test_a_deactivation_ends_the_persons_sessions(contact_account, contact_browser):
    PortalAccount.objects.filter(pk=contact_account.pk).update(
        status=PortalAccount.Status.DEACTIVATED
    )
    assert contact_browser.get(url("home")).status_code == 302


def test_a_deleted_identity_ends_the_persons_sessions(contact_account, contact_browser):
    PortalAccount.objects.filter(pk=contact_account.pk).update(
        password="", status=PortalAccount.Status.NOT_REGISTERED
    )
    assert contact_browser.get(url("home")).status_code == 302


def test_it_marks_portal_pages_not_to_be_stored(contact_browser):
    assert "no-store" in contact_browser.get(url("home"))["Cache-Control"]


# --- terms and conditions ------------------------------------------------------------------


def test_it_asks_for_the_terms_before_anything_else(contact_browser, terms_published):
    response = contact_browser.get(url("alerts"))
    assert response.status_code == 302
    assert response["Location"].startswith(url("terms_accept"))
    page = contact_browser.get(response["Location"])
    assert page.status_code == 200
    terms = reverse("portal:terms", args=["org-a"])
    assert f'<iframe class="portal-terms-document" src="{terms}"' in page.content.decode()
    # The document may be framed by the portal's own pages only; other pages by none.
    document = contact_browser.get(terms)
    assert document["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in document["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY"


def test_accepting_the_terms_records_the_date_and_goes_on(
    contact_account, contact_browser, terms_published
):
    refused = contact_browser.post(url("terms_accept"), {"next": url("alerts")})
    assert refused.status_code == 422
    response = contact_browser.post(url("terms_accept"), {"accept": "on", "next": url("alerts")})
    assert response["Location"] == url("alerts")
    contact_account.refresh_from_db()
    assert contact_account.terms_accepted_at >= terms_published.terms_updated_at
    assert contact_browser.get(url("alerts")).status_code == 200


def test_new_terms_are_asked_again(contact_account, contact_browser, terms_published):
    PortalAccount.objects.filter(pk=contact_account.pk).update(
        terms_accepted_at=terms_published.terms_updated_at - timedelta(days=1)
    )
    assert contact_browser.get(url("home"))["Location"].startswith(url("terms_accept"))


def test_the_terms_page_sends_a_person_who_accepted_them_home(contact_browser):
    assert contact_browser.get(url("terms_accept"))["Location"] == url("home")


# --- Início --------------------------------------------------------------------------------


def test_home_shows_the_clients_terminals_only(
    contact_browser, portal_company, other_company, foreign_company
):
    mine = TerminalFactory(
        organization=portal_company.organization,
        client=portal_company,
        identifier="MINHA-1",
        status=Terminal.Status.DISCONNECTED,
        disconnected_since=timezone.now() - timedelta(hours=1),
    )
    TerminalFactory(
        organization=other_company.organization, client=other_company, identifier="VIZ-1"
    )
    TerminalFactory(
        organization=foreign_company.organization, client=foreign_company, identifier="LONGE-1"
    )
    response = contact_browser.get(url("home"))
    assert response.status_code == 200
    assert [t.pk for t in response.context["terminals"]] == [mine.pk]
    body = response.content.decode()
    assert "MINHA-1" in body and "VIZ-1" not in body and "LONGE-1" not in body
    assert 'hx-trigger="every 30s"' in body
    assert f'id="procedure-{mine.device_type.code}"' in body
    assert url("terminal_procedure", mine.code) in body


def test_the_b2b_user_sees_the_same_terminals(b2b_browser, portal_company):
    TerminalFactory(
        organization=portal_company.organization, client=portal_company, identifier="MINHA-1"
    )
    assert "MINHA-1" in b2b_browser.get(url("home")).content.decode()


def test_home_refreshes_only_its_table_for_htmx(contact_browser, portal_company, htmx_headers):
    TerminalFactory(
        organization=portal_company.organization, client=portal_company, identifier="MINHA-1"
    )
    body = contact_browser.get(url("home"), **htmx_headers).content.decode()
    assert body.lstrip().startswith('<section id="portal-terminals"')
    assert "MINHA-1" in body and "<nav" not in body


def test_a_person_without_a_client_sees_empty_lists(contact_account, contact_browser):
    PortalAccount.objects.filter(pk=contact_account.pk).update(client=None)
    for name in ("home", "alerts", "catalogs"):
        assert contact_browser.get(url(name)).status_code == 200


def test_it_serves_the_procedure_pdf_of_the_clients_terminal(contact_browser, portal_company):
    terminal = TerminalFactory(organization=portal_company.organization, client=portal_company)
    response = contact_browser.get(url("terminal_procedure", terminal.code))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


# --- Alertas -------------------------------------------------------------------------------


def test_alerts_list_the_clients_episodes_with_their_emails(
    contact_browser, portal_company, other_company
):
    mine = TerminalFactory(organization=portal_company.organization, client=portal_company)
    theirs = TerminalFactory(organization=other_company.organization, client=other_company)
    episode = episode_with_email(mine)
    episode_with_email(theirs, recipient="vizinho@example.com")
    response = contact_browser.get(url("alerts"))
    assert list(response.context["page"].object_list) == [episode]
    body = response.content.decode()
    assert "ana@padaria.example.com" in body and "vizinho@example.com" not in body


def test_alerts_are_paged_newest_first(contact_browser, portal_company):
    terminal = TerminalFactory(organization=portal_company.organization, client=portal_company)
    now = timezone.now()
    Episode.objects.bulk_create(
        Episode(
            organization=portal_company.organization,
            terminal=terminal,
            client=portal_company,
            started_at=now - timedelta(days=n + 1),
            ended_at=now - timedelta(days=n + 1) + timedelta(minutes=5),
        )
        for n in range(25)
    )
    page = contact_browser.get(url("alerts")).context["page"]
    started = [episode.started_at for episode in page.object_list]
    assert len(started) == 20 and started == sorted(started, reverse=True)
    assert len(contact_browser.get(url("alerts") + "?page=2").context["page"].object_list) == 5


# --- Catálogos -----------------------------------------------------------------------------


def test_catalogs_list_only_those_released_to_the_client(
    contact_browser, portal_company, other_company
):
    released = CatalogFactory(organization=portal_company.organization, clients=[portal_company])
    CatalogFactory(organization=portal_company.organization, clients=[other_company], name="Alheio")
    response = contact_browser.get(url("catalogs"))
    assert list(response.context["catalogs"]) == [released]
    assert "Alheio" not in response.content.decode()


def test_a_link_document_redirects_to_its_address(contact_browser, portal_company):
    catalog = CatalogFactory(organization=portal_company.organization, clients=[portal_company])
    document = CatalogDocumentFactory(catalog=catalog)
    response = contact_browser.get(url("document", document.code))
    assert response.status_code == 302
    assert response["Location"] == document.url


def test_a_file_document_opens_or_downloads(contact_browser, portal_company, media_root):
    catalog = CatalogFactory(organization=portal_company.organization, clients=[portal_company])
    document = catalog_services.document_add(
        organization=portal_company.organization,
        catalog=catalog,
        title="Manual",
        file=SimpleUploadedFile("manual.pdf", b"%PDF-1.4 manual"),
    )
    opened = contact_browser.get(url("document", document.code))
    assert opened["Content-Type"] == "application/pdf"
    assert opened["Content-Disposition"].startswith("inline")
    assert b"".join(opened.streaming_content) == b"%PDF-1.4 manual"
    downloaded = contact_browser.get(url("document", document.code) + "?download=1")
    assert downloaded["Content-Disposition"].startswith("attachment")


# --- Meus dados ----------------------------------------------------------------------------


def test_profile_shows_the_persons_data(contact_account, contact_browser):
    body = contact_browser.get(url("profile")).content.decode()
    assert "Ana Souza" in body and "ana@padaria.example.com" in body
    assert url("backup") in body


def test_a_password_change_keeps_this_session_and_ends_the_others(contact_account):
    this, other = portal_client(contact_account), portal_client(contact_account)
    response = this.post(
        url("password_change"),
        {
            "current_password": PORTAL_PASSWORD,
            "password": "Outra-senha-456",
            "password_again": "Outra-senha-456",
        },
    )
    assert response.status_code == 302
    assert this.get(url("home")).status_code == 200
    assert other.get(url("home")).status_code == 302
    contact_account.refresh_from_db()
    assert contact_account.check_password("Outra-senha-456")


def test_a_password_change_needs_the_current_password_and_a_good_new_one(
    contact_account, contact_browser
):
    response = contact_browser.post(
        url("password_change"),
        {"current_password": "errada", "password": "123", "password_again": "1234"},
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert set(form.errors) == {"current_password"}
    response = contact_browser.post(
        url("password_change"),
        {"current_password": PORTAL_PASSWORD, "password": "123", "password_again": "1234"},
    )
    assert set(response.context["form"].errors) == {"password", "password_again"}
    body = response.content.decode()
    assert 'aria-describedby="id_password_error"' in body and 'id="id_password_error"' in body
    contact_account.refresh_from_db()
    assert contact_account.check_password(PORTAL_PASSWORD)


def test_the_backup_is_the_operators_zip(contact_browser):
    response = contact_browser.get(url("backup"))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert set(archive.namelist()) == {"user-profile.json", "jobs.json"}
    assert b"ana@padaria.example.com" in archive.read("user-profile.json")


def test_the_language_menu_changes_the_portals_language(contact_browser):
    response = contact_browser.post(url("language"), {"language": "es", "next": url("alerts")})
    assert response["Location"] == url("alerts")
    assert contact_browser.session[auth.LANGUAGE_KEY] == "es"
    assert contact_browser.get(url("alerts"))["Content-Language"] == "es"


def test_the_b2b_users_backup_has_its_profile(b2b_browser):
    response = b2b_browser.get(url("backup"))
    assert response["Content-Disposition"] == 'attachment; filename="padaria.zip"'
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert b"b2b@padaria.example.com" in archive.read("user-profile.json")
