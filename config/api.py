from __future__ import annotations

from ninja import NinjaAPI

from tokens.auth import BearerTokenAuth

api = NinjaAPI(
    title="Vigia API",
    version="1",
    description="Terminal heartbeats and read access to clients and terminals, "
    "authenticated by a specialist's integration token (Authorization: Bearer <token>).",
    auth=BearerTokenAuth(),
    urls_namespace="api",
)
api.add_router("/clients", "clients.api.router")
api.add_router("/", "terminals.api.router")
