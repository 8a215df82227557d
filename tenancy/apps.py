from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "tenancy"
    verbose_name = _("Organizations")

    def ready(self) -> None:
        from tenancy import audit

        audit.connect()
