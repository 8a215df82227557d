from django.urls import path

from servicerequests import views

app_name = "servicerequests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("<uuid:code>/", views.request_detail, name="detail"),
    path("<uuid:code>/anexos/<uuid:attachment>/", views.request_attachment, name="attachment"),
    path("<uuid:code>/responder/", views.request_reply, name="reply"),
    path("<uuid:code>/status/", views.request_status, name="status"),
    path("<uuid:code>/recusar/", views.request_refuse, name="refuse"),
]
