from django.contrib.auth import views as auth_views
from django.urls import path

from tenancy import media, views
from tenancy.forms import LoginForm, ThrottledPasswordResetForm

urlpatterns = [
    *media.urlpatterns,
    path("organizacao/", views.organization_switch, name="organization_switch"),
    path("configuracoes/", views.organization_settings, name="organization_settings"),
    path("configuracoes/projetos/", views.project_create, name="project_create"),
    path(
        "configuracoes/projetos/<uuid:code>/renomear/", views.project_rename, name="project_rename"
    ),
    path(
        "configuracoes/projetos/<uuid:code>/arquivar/",
        views.project_archive,
        {"archived": True},
        name="project_archive",
    ),
    path(
        "configuracoes/projetos/<uuid:code>/restaurar/",
        views.project_archive,
        {"archived": False},
        name="project_restore",
    ),
    path("projeto/", views.project_switch, name="project_switch"),
    path("idioma/", views.language_switch, name="language_switch"),
    path(
        "entrar/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sair/", auth_views.LogoutView.as_view(), name="logout"),
    path("senha/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "senha/alterada/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "senha/redefinir/",
        auth_views.PasswordResetView.as_view(form_class=ThrottledPasswordResetForm),
        name="password_reset",
    ),
    path(
        "senha/redefinir/enviado/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "senha/redefinir/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "senha/redefinir/concluido/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
