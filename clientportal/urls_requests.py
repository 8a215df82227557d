"""Solicitações in the client portal (namespace portal_requests), under /portal/<organization slug>/solicitacoes/."""

from django.urls import path

from clientportal import views_requests

app_name = "portal_requests"

urlpatterns = [
    path("", views_requests.request_list, name="list"),
    path("nova/", views_requests.request_new, name="new"),
    path("<uuid:code>/", views_requests.request_detail, name="detail"),
    path(
        "<uuid:code>/anexos/<uuid:attachment>/",
        views_requests.request_attachment,
        name="attachment",
    ),
    path("<uuid:code>/responder/", views_requests.request_reply, name="reply"),
]
