from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("cliente/<uuid:client_code>/", views.client_contacts, name="client_section"),
    path("cliente/<uuid:client_code>/novo/", views.contact_create, name="create"),
    path("<uuid:code>/editar/", views.contact_edit, name="edit"),
    path("<uuid:code>/salvar/", views.contact_update, name="update"),
    path("<uuid:code>/excluir/", views.contact_delete, name="delete"),
]
