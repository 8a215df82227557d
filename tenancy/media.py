"""Photos (and their thumbnails) served to the members of the photo owner's organization,
from whatever storage holds them (the local folder, or a bucket shared by several machines):
MEDIA_URL is never served in production, so a photo is only reachable through here.

Each owner kind has fixed URL segments (no converter but the row's code), so that the
cross-tenant walk of every route covers them."""

from __future__ import annotations

import hashlib
import mimetypes

from django.apps import apps
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from tenancy.decorators import member_required
from tenancy.http import VigiaRequest

# URL segment → model label, for every model with `photo` and `photo_thumbnail`.
OWNERS = {"especialistas": "specialists.Specialist", "clientes": "clients.Client"}
VARIANTS = {"foto": "photo", "miniatura": "photo_thumbnail"}
_IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
# The URL names the stored file's version (?v=), so a browser may keep it: a new photo gets
# a new URL. Private: only the member's own browser, never a shared cache.
CACHE_CONTROL = "private, max-age=86400"


@require_GET
@member_required
def photo(request: VigiaRequest, code, owner: str, variant: str) -> HttpResponse:
    model = apps.get_model(OWNERS[owner])
    row = model.objects.get_for_org_or_404(organization=request.organization, code=code)
    stored: FieldFile = getattr(row, VARIANTS[variant])
    if not stored:
        raise Http404
    try:
        handle = stored.storage.open(stored.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(stored.name)[0]
    response = FileResponse(
        handle,
        content_type=content_type if content_type in _IMAGE_TYPES else "application/octet-stream",
    )
    response["Cache-Control"] = CACHE_CONTROL
    response["Content-Disposition"] = "inline"
    return response


def photo_url(stored: FieldFile | None) -> str:
    """Where a member's browser gets a stored photo or thumbnail; "" without one."""
    if not stored:
        return ""
    instance, field = stored.instance, stored.field.name
    owner = next(key for key, label in OWNERS.items() if instance._meta.label == label)
    variant = next(key for key, name in VARIANTS.items() if name == field)
    version = hashlib.blake2s(stored.name.encode(), digest_size=6).hexdigest()
    return f"{reverse(f'photo-{owner}-{variant}', args=[instance.code])}?v={version}"


urlpatterns = [
    path(
        f"fotos/{owner}/<uuid:code>/{variant}/",
        photo,
        {"owner": owner, "variant": variant},
        name=f"photo-{owner}-{variant}",
    )
    for owner in OWNERS
    for variant in VARIANTS
]
