"""The client portal's own pages, under /portal/<organization slug>/."""

from django.urls import path

from clientportal import views

app_name = "clientportal"

urlpatterns = [
    path("", views.login, name="login"),
]
