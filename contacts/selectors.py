from __future__ import annotations

from clients.models import Client
from contacts.models import Contact
from tenancy.models import Organization


def contact_get(*, organization: Organization, code) -> Contact:
    """The organization's contact with this code; 404 when missing or foreign."""
    return Contact.objects.select_related("client").get_for_org_or_404(
        organization=organization, code=code
    )


def contact_list(*, organization: Organization, client: Client) -> list[Contact]:
    return list(Contact.objects.for_org(organization).filter(client=client).order_by("name", "id"))
