from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from specialists.selectors import specialist_get
from specialists.views import render_detail
from tenancy.decorators import member_required
from tenancy.http import VigiaRequest
from tokens.forms import TokenForm
from tokens.selectors import token_get
from tokens.services import expiry_from_date, token_create, token_revoke


@require_POST
@member_required
def token_new(request: VigiaRequest, specialist_code) -> HttpResponse:
    specialist = specialist_get(organization=request.organization, code=specialist_code)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            issued = token_create(
                organization=request.organization,
                specialist=specialist,
                description=form.cleaned_data["description"],
                expires_at=expiry_from_date(form.cleaned_data["expires_on"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            # No redirect: this response is the only place the secret ever appears.
            response = render_detail(
                request, specialist=specialist, tab="tokens", issued=issued, token_form=TokenForm()
            )
            response["Cache-Control"] = "no-store"
            return response
    return render_detail(request, specialist=specialist, tab="tokens", token_form=form, status=422)


@require_POST
@member_required
def token_revoke_view(request: VigiaRequest, code) -> HttpResponse:
    token = token_get(organization=request.organization, code=code)
    specialist = token.specialist
    token_revoke(organization=request.organization, token=token)
    if request.htmx:
        return render_detail(request, specialist=specialist, tab="tokens")
    messages.success(request, _("Token revoked."))
    url = reverse("specialists:detail", kwargs={"code": specialist.code})
    return redirect(f"{url}?tab=tokens")
