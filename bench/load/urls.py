"""The application's URLs plus the load test's baseline: the clients list as a plain Django
view would write it (`icontains` over the searched fields, an exact count, no trigram index,
no caching), and the floor the run measures the machine's ceiling with. Served only by the
bench's gunicorn (bench/load/settings.py)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from clients.models import Client
from config.urls import urlpatterns as project_urlpatterns
from tenancy.decorators import member_required

PAGE = engines["django"].from_string(
    """<!doctype html><html lang="pt-br"><head><title>Clientes</title></head><body>
<form method="get"><input type="search" name="q" value="{{ q }}"></form>
<p>{{ page.paginator.count }} clientes</p>
<table>{% for client in page.object_list %}<tr><td>{{ client.cnpj }}</td>
<td><a href="/clientes/{{ client.code }}/">{{ client.razao_social }}</a></td>
<td>{{ client.nome_fantasia }}</td><td>{{ client.conta }}</td><td>{{ client.email_wvds }}</td></tr>
{% endfor %}</table></body></html>"""
)


@member_required
def client_list_baseline(request) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    clients = Client.objects.filter(organization=request.organization)
    if query:
        condition = Q()
        for name in ("cnpj", "razao_social", "nome_fantasia", "conta", "email_wvds"):
            condition |= Q(**{f"{name}__icontains": query})
        clients = clients.filter(condition)
    page = Paginator(clients.order_by("razao_social", "id"), 25).get_page(request.GET.get("page"))
    return HttpResponse(PAGE.render({"q": query, "page": page}, request))


@member_required
def floor(request) -> HttpResponse:
    """Everything a page of the application pays before its own work (the middleware, the
    session, the user and the tenant), and nothing else."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/clientes/", client_list_baseline),
    path("bench/floor/", floor),
    *project_urlpatterns,
]
