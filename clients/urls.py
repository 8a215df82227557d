from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("novo/", views.client_create, name="create"),
    path("associar/", views.client_association, {"associate": True}, name="associate"),
    path("desassociar/", views.client_association, {"associate": False}, name="disassociate"),
    path("<uuid:code>/", views.client_edit, name="edit"),
    path("<uuid:code>/excluir/", views.client_delete, name="delete"),
    path("mapa/buscar/", views.place_search, name="place_search"),
    path("cadastros/<slug:kind>/", views.catalog_list, name="catalog"),
    path("cadastros/<slug:kind>/salvar/", views.catalog_save, name="catalog_save"),
    path("cadastros/<slug:kind>/<uuid:code>/excluir/", views.catalog_delete, name="catalog_delete"),
    path("<uuid:code>/realimentacao/", views.feedback_add, name="feedback_add"),
    path("<uuid:code>/<slug:kind>/opcoes/", views.relation_choices, name="relation_choices"),
    path(
        "<uuid:code>/<slug:kind>/<uuid:item_code>/associar/",
        views.relation_add,
        name="relation_add",
    ),
    path(
        "<uuid:code>/<slug:kind>/<uuid:item_code>/remover/",
        views.relation_remove,
        name="relation_remove",
    ),
]
