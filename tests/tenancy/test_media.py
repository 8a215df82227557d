"""Photos served through the organization-checking view, from any storage backend, with
DEBUG off (MEDIA_URL is not served then); and the storage the settings choose."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from tenancy.images import photo_save, prepare_photo
from tenancy.media import photo_url
from tests.factories import SpecialistFactory
from tests.specialists.conftest import png_upload


@pytest.fixture
def specialist_with_photo(org_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    specialist = SpecialistFactory(organization=org_a, name="Ana")
    photo_save(specialist, png_upload(size=(640, 480)))
    specialist.save()
    return specialist


def test_it_serves_the_photo_to_a_member_without_debug(bob_client, specialist_with_photo):
    assert not settings.DEBUG
    for stored in (specialist_with_photo.photo, specialist_with_photo.photo_thumbnail):
        response = bob_client.get(photo_url(stored))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, max-age=86400"
        assert b"".join(response.streaming_content) == stored.storage.open(stored.name).read()


def test_it_checks_ownership(charlie_client, specialist_with_photo):
    for variant in ("foto", "miniatura"):
        url = reverse(f"photo-especialistas-{variant}", args=[specialist_with_photo.code])
        assert charlie_client.get(url).status_code == 404


def test_it_sends_strangers_to_the_login(client, specialist_with_photo):
    response = client.get(photo_url(specialist_with_photo.photo))
    assert response.status_code == 302 and "/entrar/" in response["Location"]


def test_it_answers_404_without_a_photo(bob_client, org_a):
    specialist = SpecialistFactory(organization=org_a)
    url = reverse("photo-especialistas-foto", args=[specialist.code])
    assert bob_client.get(url).status_code == 404


def test_a_new_photo_gets_a_new_url(specialist_with_photo):
    before = photo_url(specialist_with_photo.photo_thumbnail)
    photo_save(specialist_with_photo, png_upload(size=(300, 300)))
    assert photo_url(specialist_with_photo.photo_thumbnail) != before


def test_it_serves_from_a_storage_without_local_paths(bob_client, org_a, settings):
    # What a bucket is to the view: names and streams, no file system path.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    storages._storages.pop("default", None)
    try:
        specialist = SpecialistFactory(organization=org_a)
        specialist.photo.storage = storages["default"]
        original, _thumbnail = prepare_photo(png_upload())
        specialist.photo.save(original.name, ContentFile(original.read()), save=False)
        specialist.save()
        response = bob_client.get(photo_url(specialist.photo))
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    finally:
        storages._storages.pop("default", None)


def _storage_settings(**env: str) -> dict:
    """The default storage a fresh process chooses from its environment."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "from django.core.files.storage import default_storage as chosen; chosen._setup(); "
        "print(json.dumps({'backend': settings.STORAGES['default']['BACKEND'], "
        "'class': type(chosen._wrapped).__name__, "
        "'options': settings.STORAGES['default'].get('OPTIONS', {})}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIA_S3", "AWS_"))}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_settings_keep_files_in_the_local_folder_by_default():
    chosen = _storage_settings()
    assert chosen["backend"] == "django.core.files.storage.FileSystemStorage"
    assert chosen["class"] == "FileSystemStorage"


def test_the_settings_put_files_in_the_bucket_when_one_is_named():
    chosen = _storage_settings(
        VIGIA_S3_BUCKET="vigia-files",
        VIGIA_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
    )
    assert chosen["backend"] == "storages.backends.s3.S3Storage"
    assert chosen["class"] == "S3Storage"
    assert chosen["options"]["bucket_name"] == "vigia-files"
    assert chosen["options"]["endpoint_url"] == "http://127.0.0.1:9000"


def test_the_specialist_pages_show_the_served_thumbnail(bob_client, specialist_with_photo):
    url = photo_url(specialist_with_photo.photo_thumbnail)
    for page in (
        reverse("specialists:list"),
        reverse("specialists:detail", args=[specialist_with_photo.code]),
    ):
        assert url.replace("&", "&amp;") in bob_client.get(page).content.decode()
    assert bob_client.get(url).status_code == 200
