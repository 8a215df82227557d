from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.health import health_report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when every dependency answers, 503 naming the ones that do not. Unauthenticated:
    it says what is down, never where it is or what the data holds."""
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
