"""A URLconf with a probe API built on the same frame as /api/v1/, so that body limits,
malformed JSON and validation errors are tested without depending on other apps'
endpoints."""

from __future__ import annotations

from django.urls import path
from ninja import Router, Schema

from config.api import create_api
from config.urls import urlpatterns as project_urlpatterns


class ProbeIn(Schema):
    count: int
    label: str = ""


router = Router()


@router.post("/probe")
def probe(request, payload: ProbeIn):
    return {"count": payload.count, "specialist": request.specialist.name}


probe_api = create_api(title="Probe", version="probe", urls_namespace="probe-api")
probe_api.add_router("/", router)

urlpatterns = [path("probe-api/", probe_api.urls), *project_urlpatterns]
