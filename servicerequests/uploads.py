"""Attachments arrive streamed to temporary files, a chunk at a time, and the upload stops
as soon as it breaks a limit: a large request never sits in memory, and a request over its
limit is refused before its files are stored anywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from tenancy.text import CONTROL_CHARACTERS

MB = 1024 * 1024
# A request's attachments, together, when the organization sets no other limit.
REQUEST_MAX_BYTES = 100 * MB
REQUEST_MAX_FILES = 20


@dataclass(frozen=True)
class UploadLimits:
    max_total_bytes: int = REQUEST_MAX_BYTES
    max_files: int = REQUEST_MAX_FILES


def size_label(size: int) -> str:
    """A limit as people read it (whole megabytes)."""
    return f"{size / MB:.0f} MB" if size >= MB else f"{max(size // 1024, 1)} KB"


def too_large_message(max_total_bytes: int) -> str:
    return _("The attachments exceed the limit of %(size)s per request.") % {
        "size": size_label(max_total_bytes)
    }


def too_many_message(max_files: int) -> str:
    return _("Attach at most %(count)d files to a request.") % {"count": max_files}


def limit_attributes(limits: UploadLimits) -> dict[str, str]:
    """The file input's attributes that let the browser refuse a choice over the limits
    before sending it (static/js/vigia.js); the handler below still enforces them."""
    return {
        "data-max-bytes": str(limits.max_total_bytes),
        "data-max-files": str(limits.max_files),
        "data-too-large": too_large_message(limits.max_total_bytes),
        "data-too-many": too_many_message(limits.max_files),
    }


def empty_file_message(name: str) -> str:
    return _("The file “%(name)s” is empty.") % {"name": CONTROL_CHARACTERS.sub("", name)}


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler that stops the upload at the first broken limit and
    keeps the reason in `error` (the parser then discards the rest of the body)."""

    def __init__(self, request: HttpRequest | None = None, *, limits: UploadLimits) -> None:
        super().__init__(request)
        self.limits = limits
        self.error: str | None = None
        # 413 when the body is too large, 422 for what it holds (a count, an empty file).
        self.error_status = 422
        self.files = 0
        self.total = 0

    def stop(self, message: str, *, status: int = 422) -> None:
        self.error, self.error_status = message, status
        raise StopUpload(connection_reset=False)

    def new_file(self, *args, **kwargs) -> None:
        self.files += 1
        if self.files > self.limits.max_files:
            self.stop(too_many_message(self.limits.max_files))
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.total += len(raw_data)
        if self.total > self.limits.max_total_bytes:
            self.stop(too_large_message(self.limits.max_total_bytes), status=413)
        super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int):
        if file_size == 0:
            self.stop(empty_file_message(self.file_name or ""))
        return super().file_complete(file_size)


def _body_allowance(limits: UploadLimits) -> int:
    # Besides the files, a body carries the form's fields (capped by Django on their own)
    # and each part's headers.
    return (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) + limits.max_files * 1024 + 64 * 1024


def upload_limits_install(request: HttpRequest, limits: UploadLimits) -> LimitedUploadHandler:
    """Makes `request` read its files through a LimitedUploadHandler; to be called before
    anything reads request.POST or request.FILES. A body announced as larger than the limits
    allow is refused at once, without reading it."""
    handler = LimitedUploadHandler(request, limits=limits)
    request.upload_handlers = [handler]
    request.upload_handler = handler
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if announced > limits.max_total_bytes + _body_allowance(limits):
        handler.error, handler.error_status = too_large_message(limits.max_total_bytes), 413
        request._post, request._files = QueryDict(), MultiValueDict()
    return handler


def upload_error(request: HttpRequest) -> str | None:
    """Why the upload of this request was stopped, if it was (the body is parsed here when
    nothing has read it yet)."""
    handler = getattr(request, "upload_handler", None)
    if handler is None:
        return None
    request.FILES  # noqa: B018 (parses the body through the handler)
    return handler.error


def upload_error_status(request: HttpRequest) -> int:
    """The status that answers a stopped upload: 413 for a body too large, 422 for what it
    holds (too many files, an empty one)."""
    return request.upload_handler.error_status


def limited_upload(
    limits_for: Callable[..., UploadLimits],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorates a view that receives attachments. Django's documented pattern for upload
    handlers: the CSRF check reads the body, so the view is exempted and its CSRF-protected
    self is called once the handler is in place. `limits_for(request, *args, **kwargs)`
    gives the limits; the view reads `upload_error(request)` before anything else.

    A body refused unread carries no CSRF token: the view then shows the refusal and must
    write nothing (it has no form data to write anyway)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        protected = csrf_protect(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method != "POST":
                return protected(request, *args, **kwargs)
            handler = upload_limits_install(request, limits_for(request, *args, **kwargs))
            if handler.error:
                return view(request, *args, **kwargs)
            return protected(request, *args, **kwargs)

        return csrf_exempt(wrapper)

    return decorate
