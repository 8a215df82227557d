from django.urls import path

from terminals import views

app_name = "terminals"

urlpatterns = [
    path("", views.terminal_list, name="list"),
    path("novo/", views.terminal_create, name="create"),
    path("<uuid:code>/", views.terminal_detail, name="detail"),
    path("<uuid:code>/editar/", views.terminal_edit, name="edit"),
    path("<uuid:code>/excluir/", views.terminal_delete, name="delete"),
    path("<uuid:code>/vinculo/<uuid:client_code>/", views.terminal_link, name="link"),
    path("<uuid:code>/manutencao/", views.terminal_maintenance, name="maintenance"),
    path("desconexoes/<uuid:code>/ciente/", views.episode_acknowledge, name="acknowledge"),
    path("manutencao/<uuid:code>/encerrar/", views.maintenance_end, name="maintenance_end"),
    path("cliente/<uuid:client_code>/", views.client_terminals, name="client_section"),
    path(
        "cliente/<uuid:client_code>/manutencao/",
        views.client_maintenance,
        name="client_maintenance",
    ),
    path("tipos/", views.device_type_list, name="device_types"),
    path("tipos/novo/", views.device_type_create, name="device_type_create"),
    path("tipos/<uuid:code>/", views.device_type_edit, name="device_type_edit"),
    path("tipos/<uuid:code>/excluir/", views.device_type_delete, name="device_type_delete"),
]
