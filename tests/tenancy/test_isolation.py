"""Structural checks of tenant isolation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLResolver, get_resolver

from portal.b2b import b2b_user_save
from portal.models import PortalAccount
from tenancy.models import TenantModel
from tests.factories import (
    CatalogDocumentFactory,
    CatalogFactory,
    ClientFactory,
    ContactFactory,
    SpecialistFactory,
    TerminalFactory,
)


def _tenant_models() -> list[str]:
    return [
        model.__name__
        for model in apps.get_models()
        if issubclass(model, TenantModel) and not model._meta.abstract
    ]


def test_it_finds_the_tenant_models():
    assert {"Client", "Contact", "Terminal", "Specialist", "Project"} <= set(_tenant_models())


def test_views_never_use_a_tenant_models_manager_directly():
    names = "|".join(_tenant_models())
    pattern = re.compile(rf"\b({names})\.(objects|_default_manager)\b")
    offenders = []
    for views in Path(settings.BASE_DIR).glob("*/views.py"):
        for number, line in enumerate(views.read_text().splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{views.parent.name}/views.py:{number}: {line.strip()}")
    assert not offenders, "Use an access helper or selector instead:\n" + "\n".join(offenders)


MARKER = "SEGREDO-DA-ORG-A"


@pytest.fixture
def org_a_world(org_a, alice, project_a):
    """One row of every kind in organization A, each carrying MARKER where it has text."""
    client = ClientFactory(organization=org_a, razao_social=f"{MARKER} Ltda", nome_fantasia=MARKER)
    contact = ContactFactory(client=client, name=MARKER)
    # An active portal account: the Contatos screen's routes act on it.
    PortalAccount.objects.create(
        organization=org_a, kind="contact", contact=contact, client=client, status="active"
    )
    terminal = TerminalFactory(organization=org_a, name=MARKER, client=client)
    _console_rows(org_a, client, terminal)
    SpecialistFactory(organization=org_a, name=MARKER)
    # A B2B user and a catalog with a document released to the client: the catalogs' routes
    # and the client list's B2B dialog act on them.
    b2b_user_save(
        organization=org_a,
        client=client,
        username=MARKER,
        email="b2b@example.com",
        password="Marker#2026",
    )
    catalog = CatalogFactory(organization=org_a, name=MARKER, clients=[client])
    CatalogDocumentFactory(catalog=catalog, title=MARKER)
    _client_profile_rows(org_a, client, project_a)
    return org_a


def _console_rows(org_a, client, terminal) -> None:
    """An acknowledged disconnection and maintenance windows of the terminal and the client:
    the console's routes act on them."""
    from datetime import timedelta

    from django.utils import timezone

    from terminals.models import Episode, MaintenanceWindow

    now = timezone.now()
    Episode.objects.create(
        organization=org_a,
        terminal=terminal,
        client=client,
        started_at=now,
        acknowledged_at=now,
        acknowledgement_note=MARKER,
    )
    for scope in ({"terminal": terminal}, {"client": client}):
        MaintenanceWindow.objects.create(
            organization=org_a,
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            reason=MARKER,
            **scope,
        )


def _client_profile_rows(org_a, client, project) -> None:
    """The client page's lists and tabs: a location, company, service and group (with a
    project) associated with the client, and a feedback comment."""
    from clients.models import ClientFeedback, ClientGroup, Company, Location, Service

    location = Location.objects.create(
        organization=org_a, name=MARKER, street=MARKER, latitude="-23.5", longitude="-46.6"
    )
    client.location = location
    client.save()
    client.companies.add(Company.objects.create(organization=org_a, name=MARKER))
    client.services.add(Service.objects.create(organization=org_a, name=MARKER))
    group = ClientGroup.objects.create(organization=org_a, name=MARKER)
    group.projects.add(project)
    client.groups.add(group)
    ClientFeedback.objects.create(organization=org_a, client=client, text=MARKER)


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def _tenant_codes(organization) -> list[str]:
    return [
        str(code)
        for model in apps.get_models()
        if issubclass(model, TenantModel) and not model._meta.abstract
        for code in model.objects.for_org(organization).values_list("code", flat=True)
    ]


def test_charlie_sees_nothing_of_organization_a_on_any_url(charlie_client, org_a_world):
    codes = _tenant_codes(org_a_world)
    checked = 0
    for route, _pattern in _routes():
        if route.startswith(("admin/", "api/", "i18n/", "static/", "media/")):
            continue  # the admin is for superusers; the API has its own tests
        if re.search(r"<(?!uuid:)[^>]+>", route):
            continue  # password-reset tokens and the like
        paths = (
            [re.sub(r"<uuid:\w+>", code, route) for code in codes] if "<uuid:" in route else [route]
        )
        for path in paths:
            for method in ("get", "post"):
                response = getattr(charlie_client, method)("/" + path)
                checked += 1
                assert response.status_code != 500, f"{method.upper()} /{path}"
                body = response.content.decode(errors="replace")
                assert MARKER not in body, f"{method.upper()} /{path} shows organization A's data"
                if "<uuid:" in route:
                    assert response.status_code in (302, 404, 405), f"{method.upper()} /{path}"
    assert checked > 10


# The kinds of the routes that take one (`<slug:kind>`): every list and relation tab.
KINDS = (
    "companies",
    "groups",
    "services",
    "locations",
    "specialist-groups",
    "client-groups",
    "roles",
    "calendars",
)


def test_charlie_sees_nothing_on_the_routes_of_a_kind(charlie_client, org_a_world, settings):
    settings.CLIENT_MAP_GEOCODER_URL = ""  # the map search answers from the database alone
    codes = _tenant_codes(org_a_world)
    checked = 0
    for route, _pattern in _routes():
        if "<slug:kind>" not in route or route.startswith(("admin/", "api/")):
            continue
        for kind in KINDS:
            path = route.replace("<slug:kind>", kind)
            paths = [re.sub(r"<uuid:\w+>", c, path) for c in codes] if "<uuid:" in path else [path]
            for url in paths:
                for method in ("get", "post"):
                    response = getattr(charlie_client, method)("/" + url)
                    checked += 1
                    assert response.status_code != 500, f"{method.upper()} /{url}"
                    body = response.content.decode(errors="replace")
                    assert MARKER not in body, f"{method.upper()} /{url} shows A's data"
                    if "<uuid:" in path:
                        assert response.status_code in (302, 403, 404, 405), f"/{url}"
    assert checked > 100
    search = charlie_client.get("/clientes/mapa/buscar/", {"q": MARKER})
    assert MARKER not in search.content.decode()


def _bulk_routes() -> list[str]:
    """Every list's bulk association actions (tenancy.association): their routes are named
    "associate" and "disassociate" in the list's namespace."""
    return [
        "/" + route
        for route, pattern in _routes()
        if getattr(pattern, "name", None) in ("associate", "disassociate")
    ]


def test_charlie_cannot_associate_organization_a_rows_in_bulk(charlie_client, org_a_world, org_b):
    from clients.models import Client
    from specialists.models import Specialist
    from tests.factories import ProjectFactory

    ProjectFactory(organization=org_b, name="Projeto B")
    routes = _bulk_routes()
    assert len(routes) >= 4
    codes = [
        str(code) for code in Client.objects.for_org(org_a_world).values_list("code", flat=True)
    ]
    codes += [
        str(code) for code in Specialist.objects.for_org(org_a_world).values_list("code", flat=True)
    ]
    before = Client.projects.through.objects.count(), Specialist.projects.through.objects.count()
    for path in routes:
        for data in ({"codes": codes}, {"codes": codes, "confirmed": "1"}):
            response = charlie_client.post(path, data)
            body = response.content.decode()
            assert response.status_code == 422, path
            assert MARKER not in body, path
            # Reported, without saying whose the rows are.
            assert 'role="alert"' in body, path
        # "Every match" is charlie's own organization's search: none of A's rows.
        charlie_client.post(path, {"all": "1", "q": MARKER, "confirmed": "1"})
    after = Client.projects.through.objects.count(), Specialist.projects.through.objects.count()
    assert after == before


def test_an_organization_admin_sees_nothing_of_organization_a_in_the_django_admin(
    charlie, org_a_world
):
    """Charlie, organization B's admin, in the Django admin: every model's list, and the
    change, delete, history and export pages of each of A's rows."""
    from django.contrib import admin
    from django.test import Client as HttpClient
    from django.urls import NoReverseMatch, reverse

    charlie.is_staff = True
    charlie.save()
    client = HttpClient()
    client.force_login(charlie)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        lists = [f"{info}_changelist"]
        if hasattr(model_admin, "export_action"):
            lists.append(f"{info}_export")
        for name in lists:
            response = client.get(reverse(name))
            checked += 1
            assert response.status_code in (200, 403), name
            assert MARKER not in response.content.decode(), name
        if not (issubclass(model, TenantModel) or model._meta.label == "tenancy.Organization"):
            continue
        rows = model._default_manager.all()
        rows = (
            rows.filter(pk=org_a_world.pk)
            if model is type(org_a_world)
            else rows.filter(organization=org_a_world)
        )
        for pk in rows.values_list("pk", flat=True):
            for view in ("change", "delete", "history", "auditlog"):
                try:
                    url = reverse(f"{info}_{view}", args=[pk])
                except NoReverseMatch:
                    continue
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    checked += 1
                    assert response.status_code in (302, 403, 404), f"{method} {url}"
                    assert MARKER not in response.content.decode(), f"{method} {url}"
    assert checked > 50
