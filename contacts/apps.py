from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from contacts.resources import CONTACT_CSV_FORMAT, CONTACT_FORMAT
        from importexport.registry import format_register

        format_register(CONTACT_FORMAT)
        format_register(CONTACT_CSV_FORMAT, listed=False, csv=True)
