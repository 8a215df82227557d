from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.panel, name="panel"),
    path("sino/", views.bell, name="bell"),
    path("lidas/", views.mark_all_read, name="mark_all_read"),
    path("<uuid:code>/", views.open_job, name="open"),
    path("<uuid:code>/baixar/", views.download, name="download"),
]
