from django.urls import path

from importexport import views

app_name = "importexport"

urlpatterns = [
    path("", views.index, name="index"),
    path("exportar/", views.export_dialog, name="export_dialog"),
    path("exportar/formato/", views.export, name="export"),
    path("importar/", views.import_dialog, name="import_dialog"),
    path("importar/enviar/", views.import_upload, name="import"),
    path("importacoes/<uuid:code>/", views.import_detail, name="import_detail"),
]
