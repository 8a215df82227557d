"""The photo rules, for every photo a person uploads (specialists, clients): one function
that checks an upload and returns what is stored, the original re-encoded and a thumbnail.

Checked from the file's header, before any pixel is decoded: the size in bytes, the type
(JPEG, PNG or WebP) and the dimensions, so that a small file declaring a huge picture (a
20 KB PNG of 13000×13000 pixels decodes to half a gigabyte) costs nothing. The original is
then decoded at most at PHOTO_MAX_SIDE (JPEG decodes straight at a reduced scale), turned
upright as its EXIF orientation says, and saved again without any metadata: no EXIF (GPS
position, camera, date), no XMP, no comments, no colour profile."""

from __future__ import annotations

import io
import warnings
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

THUMBNAIL_SIZE = (160, 160)
# The formats a photo is kept in, by what Pillow reads in the header; MPO is how phones save
# JPEGs that carry a second picture (which is dropped).
_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
_OPENERS = ("JPEG", "PNG", "WEBP")  # the JPEG opener also reads MPO
_SUFFIX = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_SAVE = {
    "JPEG": {"quality": 85, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}
_KEEPS_ALPHA = {"PNG", "WEBP"}


def photo_check(upload: IO[bytes]) -> tuple[str, tuple[int, int]]:
    """The photo's format and size in pixels, read from its header only; raises
    ValidationError naming what is wrong (too large a file, an unknown type, too many
    pixels)."""
    size = getattr(upload, "size", None)
    if size is None:
        size = upload.seek(0, io.SEEK_END)
    if size > settings.SPECIALIST_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is too large (%(size)s); the limit is %(limit)s.")
            % {
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.SPECIALIST_PHOTO_MAX_BYTES),
            },
            code="photo_size",
        )
    upload.seek(0)
    try:
        # Pillow's own guard refuses past twice its limit; below that our limit decides.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload, formats=_OPENERS) as image:
                kind, dimensions = _FORMATS[image.format], image.size
    except Image.DecompressionBombError as exc:
        raise _dimensions_error(None) from exc
    except (UnidentifiedImageError, OSError, KeyError) as exc:
        raise ValidationError(
            _("The photo must be a JPEG, PNG or WebP image."), code="photo_type"
        ) from exc
    finally:
        upload.seek(0)
    if dimensions[0] * dimensions[1] > settings.PHOTO_MAX_PIXELS:
        raise _dimensions_error(dimensions)
    return kind, dimensions


def _dimensions_error(dimensions: tuple[int, int] | None) -> ValidationError:
    limit = settings.PHOTO_MAX_PIXELS / 1_000_000
    if dimensions is None:
        message = _("The photo has more than %(limit)g megapixels.") % {"limit": limit}
    else:
        message = _(
            "The photo is %(width)d × %(height)d pixels; the limit is %(limit)g megapixels."
        ) % {"width": dimensions[0], "height": dimensions[1], "limit": limit}
    return ValidationError(message, code="photo_dimensions")


def prepare_photo(upload: IO[bytes]) -> tuple[ContentFile, ContentFile]:
    """(original, thumbnail) to store for an uploaded photo, both re-encoded in the upload's
    format without metadata; raises ValidationError when the upload is refused."""
    kind, _dimensions = photo_check(upload)
    side = settings.PHOTO_MAX_SIDE
    try:
        with Image.open(upload, formats=_OPENERS) as opened:
            if kind == "JPEG":
                # Decodes at 1/2, 1/4 or 1/8 scale when that still covers the largest side.
                opened.draft("RGB", (side, side))
            image = ImageOps.exif_transpose(opened)
            image.thumbnail((side, side))
            image = _plain(image, kind)
            original = _encoded(image, kind)
            image.thumbnail(THUMBNAIL_SIZE)
            thumbnail = _encoded(image, kind)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("The photo is not an image we can read."), code="photo_unreadable"
        ) from exc
    suffix = _SUFFIX[kind]
    return (
        ContentFile(original, name=f"photo.{suffix}"),
        ContentFile(thumbnail, name=f"thumbnail.{suffix}"),
    )


def photo_save(instance, upload: IO[bytes]) -> None:
    """Prepares `upload` and puts it on `instance`'s `photo` and `photo_thumbnail` fields,
    unsaved (the caller saves the row); ValidationError on the `photo` field when refused."""
    try:
        original, thumbnail = prepare_photo(upload)
    except ValidationError as exc:
        raise ValidationError({"photo": exc.messages}) from exc
    instance.photo.save(original.name, original, save=False)
    instance.photo_thumbnail.save(thumbnail.name, thumbnail, save=False)


def _plain(image: Image.Image, kind: str) -> Image.Image:
    """The pixels alone, in a mode the format keeps, with no metadata left to be saved."""
    alpha = kind in _KEEPS_ALPHA and (
        image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    )
    mode = "RGBA" if alpha else "RGB"
    plain = image.convert(mode) if image.mode != mode else image.copy()
    plain.info = {}
    plain.getexif().clear()
    return plain


def _encoded(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, **_SAVE[kind])
    return out.getvalue()
