from django.urls import path

from specialists import views, views_catalogs

app_name = "specialists"

urlpatterns = [
    path("", views.specialist_list, name="list"),
    path("novo/", views.specialist_create, name="create"),
    path("associar/", views.specialist_association, {"associate": True}, name="associate"),
    path("desassociar/", views.specialist_association, {"associate": False}, name="disassociate"),
    path("novo/salvar/", views.specialist_create_submit, name="create_submit"),
    path("senha/verificar/", views.password_check, name="password_check"),
    path("campos-adicionais/", views_catalogs.field_list, name="fields"),
    path("campos-adicionais/salvar/", views_catalogs.field_save, name="field_save"),
    path(
        "campos-adicionais/<uuid:code>/excluir/", views_catalogs.field_delete, name="field_delete"
    ),
    path("cadastros/<slug:kind>/", views_catalogs.catalog_list, name="catalog"),
    path("cadastros/<slug:kind>/salvar/", views_catalogs.catalog_save, name="catalog_save"),
    path(
        "cadastros/<slug:kind>/<uuid:code>/excluir/",
        views_catalogs.catalog_delete,
        name="catalog_delete",
    ),
    path("<uuid:code>/", views.specialist_detail, name="detail"),
    path("<uuid:code>/salvar/", views.specialist_update, name="update"),
    path("<uuid:code>/realimentacao/", views.feedback_add, name="feedback_add"),
    path("<uuid:code>/turnos/", views.shift_add, name="shift_add"),
    path(
        "<uuid:code>/turnos/<uuid:shift_code>/remover/",
        views.shift_remove,
        name="shift_remove",
    ),
    path("<uuid:code>/tokens/novo/", views.token_create, name="token_create"),
    path(
        "<uuid:code>/tokens/<uuid:token_code>/revogar/",
        views.token_revoke,
        name="token_revoke",
    ),
    path("<uuid:code>/<slug:kind>/opcoes/", views.association_choices, name="association_choices"),
    path(
        "<uuid:code>/<slug:kind>/<uuid:item_code>/associar/",
        views.association_add,
        name="association_add",
    ),
    path(
        "<uuid:code>/<slug:kind>/<uuid:item_code>/remover/",
        views.association_remove,
        name="association_remove",
    ),
]
