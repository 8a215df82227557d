from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from clients.resources import CLIENT_FORMAT
        from importexport.registry import format_register

        format_register(CLIENT_FORMAT)
