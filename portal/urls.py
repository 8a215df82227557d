from django.urls import path

from portal import accounts, views, views_b2b, views_link

app_name = "portal"

urlpatterns = [
    # The back office's Contatos screen.
    path("contatos/", views.contacts_list, name="contacts"),
    path("contatos/adicionar/", views.contact_add, name="contact_add"),
    path("contatos/excluir/", views.contacts_delete, name="contacts_delete"),
    path("contatos/importar/", views.contacts_import, name="contacts_import"),
    path("contatos/modelo/", views.contacts_template, name="contacts_template"),
    path("contatos/portal/", views.portal_settings, name="settings"),
    path("contatos/portal/termos/", views.terms_upload, name="terms_upload"),
    path("contatos/vinculo/", views_link.generic_link_settings, name="generic_link_settings"),
    path(
        "contatos/vinculo/novo/",
        views_link.generic_link_regenerate,
        name="generic_link_regenerate",
    ),
    path("contatos/vinculo/email/", views_link.generic_link_email, name="generic_link_email"),
    path(
        "contatos/<uuid:code>/ativar/",
        views.account_action,
        {"action": accounts.ACTIVATE},
        name="account_activate",
    ),
    path(
        "contatos/<uuid:code>/desativar/",
        views.account_action,
        {"action": accounts.DEACTIVATE},
        name="account_deactivate",
    ),
    path(
        "contatos/<uuid:code>/excluir-identidade/",
        views.account_action,
        {"action": accounts.DELETE_IDENTITY},
        name="account_identity_delete",
    ),
    path("contatos/<uuid:code>/convite/", views.invitation, name="invitation"),
    path("contatos/<uuid:code>/convite/enviar/", views.invitation_send, name="invitation_send"),
    path("contatos/<uuid:code>/convite/email/", views.invitation_mailto, name="invitation_mailto"),
    path("contatos/<uuid:code>/backup/", views.backup, name="backup"),
    # A client's B2B user (the client list's Ações menu).
    path("clientes/<uuid:code>/b2b/", views_b2b.b2b_user, name="b2b_user"),
    path("clientes/b2b/senha/", views_b2b.b2b_password_check, name="b2b_password_check"),
    # The portal's side (no back-office login): the onboarding address and activation.
    path("portal/<slug:org_slug>/termos.pdf", views.terms_document, name="terms"),
    path("portal/<slug:org_slug>/ativar/<str:token>/", views.activate, name="activate"),
    # The generic link: requests from people without an account.
    path(
        "portal/<slug:org_slug>/vinculo/<str:token>/",
        views_link.generic_link_form,
        name="generic_link",
    ),
    path(
        "portal/<slug:org_slug>/ativar/<str:token>/senha/",
        views.activate_password_check,
        name="activate_password_check",
    ),
]
