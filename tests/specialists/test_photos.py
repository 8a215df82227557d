"""The photo rules (tenancy.images) on the specialist's photo: what is refused before decoding,
and what is stored (re-encoded, upright, without metadata)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image, PngImagePlugin

from specialists import services
from specialists.forms import PhotoField
from tenancy.images import prepare_photo
from tests.specialists.conftest import png_upload

GPS_LATITUDE = 2  # EXIF GPS tags
ORIENTATION = 0x0112


def _jpeg_with_gps_turned(size=(400, 200)) -> SimpleUploadedFile:
    """A phone photo: EXIF with a GPS position, a camera, and "turn 90° to view"."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[GPS_LATITUDE] = (23.0, 33.0, 1.0)
    buffer = BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"secret")
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


def _bomb() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("1", (13000, 13000)).save(buffer, format="PNG", optimize=True)
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


def test_it_strips_exif_and_gps_and_turns_the_photo_upright():
    original, thumbnail = prepare_photo(_jpeg_with_gps_turned())
    for stored in (original, thumbnail):
        with Image.open(BytesIO(stored.read())) as image:
            assert image.format == "JPEG"
            assert not image.getexif()
            assert "exif" not in image.info and "comment" not in image.info
            assert image.size[1] > image.size[0]  # 400×200 turned: taller than wide
    assert original.name == "photo.jpg" and thumbnail.name == "thumbnail.jpg"


def test_it_keeps_a_transparent_png_as_png_without_its_text():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "someone")
    buffer = BytesIO()
    Image.new("RGBA", (300, 300), (0, 0, 0, 0)).save(buffer, format="PNG", pnginfo=info)
    original, thumbnail = prepare_photo(SimpleUploadedFile("a.png", buffer.getvalue()))
    with Image.open(BytesIO(original.read())) as image:
        assert (image.format, image.mode) == ("PNG", "RGBA")
        assert "Author" not in image.info
    with Image.open(BytesIO(thumbnail.read())) as image:
        assert max(image.size) <= 160


def test_it_keeps_at_most_the_largest_side_it_allows(settings):
    settings.PHOTO_MAX_SIDE = 500
    original, _thumbnail = prepare_photo(png_upload(size=(2000, 1000)))
    with Image.open(BytesIO(original.read())) as image:
        assert image.size == (500, 250)


def test_it_refuses_a_small_file_declaring_a_huge_picture_without_decoding_it(monkeypatch):
    upload = _bomb()
    assert upload.size < 50_000

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        prepare_photo(upload)
    assert "13000 × 13000 pixels" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a" + b"\0" * 100, "JPEG, PNG or WebP"),
        (b"not an image at all", "JPEG, PNG or WebP"),
    ],
)
def test_it_names_what_is_wrong_with_a_refused_file(content, message):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        prepare_photo(SimpleUploadedFile("x.png", content))
    assert message in refused.value.messages[0]


def test_the_form_field_refuses_before_decoding(settings):
    settings.SPECIALIST_PHOTO_MAX_BYTES = 1000
    with translation.override("en"), pytest.raises(ValidationError, match="too large"):
        PhotoField().clean(png_upload(size=(800, 800)))
    settings.SPECIALIST_PHOTO_MAX_BYTES = 5 * 1024 * 1024
    with translation.override("en"), pytest.raises(ValidationError, match="megapixels"):
        PhotoField().clean(_bomb())


def test_the_service_stores_the_photo_re_encoded(org_a, specialist_a, media_root):
    services.specialist_update(
        organization=org_a, specialist=specialist_a, photo=_jpeg_with_gps_turned()
    )
    specialist_a.refresh_from_db()
    for stored in (specialist_a.photo, specialist_a.photo_thumbnail):
        with stored.open("rb") as handle, Image.open(handle) as image:
            assert not image.getexif()
    assert "IMG_0001" not in specialist_a.photo.name


def test_the_screen_refuses_the_bomb_with_a_message(bob_client, specialist_a, media_root):
    response = bob_client.post(
        reverse("specialists:update", args=[specialist_a.code]),
        {"name": specialist_a.name, "email": specialist_a.email, "photo": _bomb()},
    )
    assert response.status_code in (200, 422)
    assert "13000 × 13000" in response.content.decode()
    specialist_a.refresh_from_db()
    assert not specialist_a.photo
