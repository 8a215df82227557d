from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import CalendarFactory, SpecialistFactory


@pytest.fixture
def specialist_a(org_a):
    return SpecialistFactory(organization=org_a, name="Ana Souza", email="ana@example.com")


@pytest.fixture
def calendar_a(org_a):
    return CalendarFactory(organization=org_a, name="Comercial")


def png_upload(name: str = "foto.png", size: tuple[int, int] = (400, 300)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
