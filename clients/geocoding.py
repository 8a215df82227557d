"""The map's search: the configured geocoder (Nominatim's API by default), asked from the
server so the browser talks to our origin only, with the organization's own places when
the geocoder cannot answer."""

from __future__ import annotations

import json
import logging
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings

from clients.selectors import place_search
from tenancy.models import Organization

logger = logging.getLogger(__name__)
MAX_RESULTS = 8


def geocoder_search(query: str) -> list[dict] | None:
    """Places the geocoder finds for `query` as {"label", "lat", "lng"}; None when it is not
    configured, cannot be reached in time or answers something else than its JSON."""
    base = settings.CLIENT_MAP_GEOCODER_URL
    # An operator's query must never make the server read a file: HTTP(S) only.
    if not base.startswith(("http://", "https://")):
        return None
    params = urlencode({"q": query, "format": "jsonv2", "limit": MAX_RESULTS})
    request = Request(  # noqa: S310 (scheme checked above)
        f"{base}{'&' if '?' in base else '?'}{params}",
        # Nominatim's usage policy asks for an identifying User-Agent.
        headers={
            "User-Agent": settings.CLIENT_MAP_GEOCODER_USER_AGENT,
            "Accept": "application/json",
        },
    )
    try:
        timeout = settings.CLIENT_MAP_GEOCODER_TIMEOUT
        with urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer = json.loads(response.read(1_000_000))
        return [
            {
                "label": str(item["display_name"]),
                "lat": float(item["lat"]),
                "lng": float(item["lon"]),
            }
            for item in answer[:MAX_RESULTS]
        ]
    except (URLError, OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("Geocoder unavailable: %s", exc)
        return None


def place_lookup(*, organization: Organization, query: str) -> tuple[list[dict], bool]:
    """The places for the map's search box, and whether they come from the geocoder (False:
    from the organization's locations and clients)."""
    query = " ".join(query.split())[:200]
    if not query:
        return [], True
    found = geocoder_search(query)
    if found is not None:
        return found, True
    return place_search(organization=organization, query=query, limit=MAX_RESULTS), False
