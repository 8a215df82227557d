from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceRequestsConfig(AppConfig):
    name = "servicerequests"
    verbose_name = _("Requests")

    def ready(self) -> None:
        from notifications.bell import BellSource, bell_source_register
        from servicerequests.selectors import requests_unseen

        bell_source_register(
            BellSource(
                template="servicerequests/_bell.html",
                unread=lambda organization: requests_unseen(organization=organization),
            )
        )
