from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tenancy.models import User


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def english(alice, bob, charlie):
    """The messages are checked in English, the source language, whatever the catalogs
    translate: the users read English and so does the code outside a request."""
    User.objects.filter(pk__in=[alice.pk, bob.pk, charlie.pk]).update(language="en")
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def pdf_bytes() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>Coleção Verão</h1><p>Preços e produtos.</p>").write_pdf()


@pytest.fixture
def pdf_upload(pdf_bytes):
    return SimpleUploadedFile("Coleção Verão.pdf", pdf_bytes, content_type="application/pdf")
