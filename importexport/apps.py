from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportexportConfig(AppConfig):
    name = "importexport"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        from importexport import lookups  # noqa: F401  (registers the any_of lookup)
