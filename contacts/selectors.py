from __future__ import annotations

from clients.models import Client
from contacts.models import Contact
from tenancy.models import Organization


def owner_client_get(*, organization: Organization, code) -> Client:
    """The organization's client whose contacts/terminals section is shown; 404 when missing
    or foreign."""
    return Client.objects.get_for_org_or_404(organization=organization, code=code)


def contact_get(*, organization: Organization, code) -> Contact:
    """The organization's contact with this code; 404 when missing or foreign."""
    return Contact.objects.select_related("client").get_for_org_or_404(
        organization=organization, code=code
    )


def contact_list(*, client: Client) -> list[Contact]:
    return list(
        Contact.objects.for_org(client.organization).filter(client=client).order_by("name", "id")
    )
