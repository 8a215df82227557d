from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session")
def pdf_bytes() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>Coleção Verão</h1><p>Preços e produtos.</p>").write_pdf()


@pytest.fixture
def pdf_upload(pdf_bytes):
    return SimpleUploadedFile("Coleção Verão.pdf", pdf_bytes, content_type="application/pdf")
