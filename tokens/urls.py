from django.urls import path

from tokens import views

app_name = "tokens"

urlpatterns = [
    path("especialista/<uuid:specialist_code>/novo/", views.token_new, name="create"),
    path("<uuid:code>/revogar/", views.token_revoke_view, name="revoke"),
]
