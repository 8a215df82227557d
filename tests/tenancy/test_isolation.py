"""Structural checks of tenant isolation."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

from tenancy.models import TenantModel


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
