"""Solicitações in the client portal, under /portal/<organization slug>/solicitacoes/."""

from django.urls import path

from servicerequests import views_portal

app_name = "portal_requests"

urlpatterns = [
    path("", views_portal.request_list, name="list"),
    path("nova/", views_portal.request_new, name="new"),
    path("<uuid:code>/", views_portal.request_detail, name="detail"),
    path(
        "<uuid:code>/anexos/<uuid:attachment>/",
        views_portal.request_attachment,
        name="attachment",
    ),
    path("<uuid:code>/responder/", views_portal.request_reply, name="reply"),
]
