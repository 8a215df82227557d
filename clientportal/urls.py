"""The client portal's own pages, under /portal/<organization slug>/."""

from django.urls import path

from clientportal import views

app_name = "clientportal"

urlpatterns = [
    path("", views.login, name="login"),
    path("sair/", views.logout, name="logout"),
    path("idioma/", views.language, name="language"),
    path("senha/esqueci/", views.reset_request, name="reset_request"),
    path("senha/nova/<str:token>/", views.reset_confirm, name="reset_confirm"),
    path("termos/", views.terms_accept, name="terms_accept"),
    path("inicio/", views.home, name="home"),
    path(
        "terminais/<uuid:code>/procedimento.pdf",
        views.terminal_procedure,
        name="terminal_procedure",
    ),
    path("alertas/", views.alerts, name="alerts"),
    path("catalogos/", views.catalogs, name="catalogs"),
    path("catalogos/documentos/<uuid:code>/", views.document, name="document"),
    path("meus-dados/", views.profile, name="profile"),
    path("meus-dados/senha/", views.password_change, name="password_change"),
    path("meus-dados/backup/", views.backup, name="backup"),
]
