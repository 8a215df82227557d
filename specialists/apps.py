from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpecialistsConfig(AppConfig):
    name = "specialists"
    verbose_name = _("Specialists")

    def ready(self) -> None:
        from importexport.registry import format_register
        from specialists.resources import SPECIALIST_FORMAT

        format_register(SPECIALIST_FORMAT)
