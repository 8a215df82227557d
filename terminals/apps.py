from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerminalsConfig(AppConfig):
    name = "terminals"
    verbose_name = _("Terminals")

    def ready(self) -> None:
        from importexport.registry import format_register
        from terminals.resources import TERMINAL_FORMAT

        format_register(TERMINAL_FORMAT)
