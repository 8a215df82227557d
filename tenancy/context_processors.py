from __future__ import annotations

from django.http import HttpRequest

from tenancy.selectors import membership_list, project_list


def tenancy(request: HttpRequest) -> dict:
    organization = getattr(request, "organization", None)
    if organization is None:
        return {}
    return {
        "organization": organization,
        "membership": request.membership,
        "current_project": request.project,
        # Lazy: only evaluated when the top bar renders its selectors.
        "user_memberships": lambda: list(membership_list(user=request.user)),
        "organization_projects": lambda: list(project_list(organization=organization)),
    }
