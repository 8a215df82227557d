from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from tenancy.models import Organization


@require_GET
def login(request, org_slug: str) -> HttpResponse:
    """The organization's onboarding address (Link de integração)."""
    organization = get_object_or_404(Organization, slug=org_slug)
    return render(request, "portal/home.html", {"organization": organization})
