from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("novo/", views.client_create, name="create"),
    path("<uuid:code>/", views.client_edit, name="edit"),
    path("<uuid:code>/excluir/", views.client_delete, name="delete"),
]
