from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientPortalConfig(AppConfig):
    name = "clientportal"
    verbose_name = _("Client portal (site)")
