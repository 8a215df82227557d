"""Requests to test with: organization A's portal people (tests/clientportal's fixtures),
files as the portal sends them, and a media folder of the test's own."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicerequests import services
from tests.clientportal.conftest import (  # noqa: F401 (fixtures)
    b2b_account,
    b2b_browser,
    contact_account,
    contact_browser,
    foreign_account,
    foreign_company,
    other_account,
    other_company,
    portal_company,
)

PDF = b"%PDF-1.4\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(name: str = "nota.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/pdf")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root) -> list:
    return sorted(path for path in media_root.rglob("*") if path.is_file())


def submit_for(account, **fields):
    """A request sent by a portal account, as the portal sends it."""
    from clientportal.views_requests import _requester

    values = {"subject": "Trocar a bobina", "description": "A impressora parou.", "files": []}
    values.update(fields)
    return services.request_submit(
        organization=account.organization, **_requester(account), **values
    )
