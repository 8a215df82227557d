"""Structural checks of tenant isolation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import URLResolver, get_resolver

from tenancy.models import TenantModel
from tests.factories import ClientFactory, ContactFactory, SpecialistFactory, TerminalFactory


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
    ContactFactory(client=client, name=MARKER)
    TerminalFactory(organization=org_a, name=MARKER, client=client)
    SpecialistFactory(organization=org_a, name=MARKER)
    return org_a


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
