from django.urls import path

from catalogs import views

app_name = "catalogs"

urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("novo/", views.catalog_create, name="create"),
    path("<uuid:code>/", views.catalog_detail, name="detail"),
    path("<uuid:code>/excluir/", views.catalog_delete, name="delete"),
    path("<uuid:code>/mover/", views.catalog_move, name="move"),
    path("<uuid:code>/clientes/", views.catalog_candidates, name="candidates"),
    path("<uuid:code>/liberar/", views.catalog_release, name="release"),
    path("<uuid:code>/retirar/", views.catalog_withdraw, name="withdraw"),
    path("<uuid:code>/documentos/", views.document_add, name="document_add"),
    path("documentos/<uuid:code>/", views.document_download, name="document_download"),
    path("documentos/<uuid:code>/excluir/", views.document_delete, name="document_delete"),
    path("documentos/<uuid:code>/mover/", views.document_move, name="document_move"),
]
