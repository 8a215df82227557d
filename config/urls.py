from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from config.api import api_not_found, api_urls
from config.views import healthz
from terminals.views import dashboard

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api_urls()),
    re_path(r"^api/v1/(?P<rest>.*)$", api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", dashboard, name="dashboard"),
    path("", include("tenancy.urls")),
    path("clientes/", include("clients.urls")),
    path("contatos/", include("contacts.urls")),
    # The Contatos screen (contatos/…) and the portal's pages (portal/<organization>/…).
    path("", include("portal.urls")),
    # The portal itself, as a client's people see it.
    path("portal/<slug:org_slug>/", include("clientportal.urls")),
    # The portal's requests keep a namespace of their own (portal_requests), beside it.
    path("portal/<slug:org_slug>/solicitacoes/", include("clientportal.urls_requests")),
    path("solicitacoes/", include("servicerequests.urls")),
    path("terminais/", include("terminals.urls")),
    path("especialistas/", include("specialists.urls")),
    path("notificacoes/", include("notifications.urls")),
    path("importar-exportar/", include("importexport.urls")),
    path("historico/", include("tenancy.history")),
    path("catalogos/", include("catalogs.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
