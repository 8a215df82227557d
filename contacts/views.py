from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clients.models import Client
from clients.selectors import client_get
from contacts import services
from contacts.forms import ContactForm
from contacts.models import Contact
from contacts.selectors import contact_get, contact_list
from tenancy.decorators import member_required
from tenancy.http import VigiaRequest, form_errors, next_url, refused_status

TEMPLATE = "contacts/client_contacts.html"


def _section(
    request: VigiaRequest, client: Client, *, form=None, editing=None, edit_form=None, status=200
) -> HttpResponse:
    context = {
        "client": client,
        "contacts": contact_list(organization=request.organization, client=client),
        "form": form or ContactForm(prefix="new"),
        "editing": editing,
        "edit_form": edit_form,
        "with_toasts": bool(request.htmx),
    }
    template = f"{TEMPLATE}#section" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)


def _client_contact(request: VigiaRequest, code: UUID) -> Contact:
    """A contact of one of the organization's clients: this section lists a client's
    contacts, and one without a client (the Contatos screen's) is not found here."""
    contact = contact_get(organization=request.organization, code=code)
    if contact.client_id is None:
        raise Http404
    return contact


def _done(request: VigiaRequest, client: Client) -> HttpResponse:
    """After a change: the fresh section for htmx, else back to the page that embeds it."""
    if request.htmx:
        return _section(request, client)
    return redirect(next_url(request, reverse("contacts:client_section", args=[client.code])))


@require_GET
@member_required
def client_contacts(request: VigiaRequest, client_code: UUID) -> HttpResponse:
    client = client_get(organization=request.organization, code=client_code)
    editing = None
    if request.GET.get("edit"):
        editing = contact_get(organization=request.organization, code=request.GET["edit"])
        if editing.client_id != client.pk:
            editing = None
    edit_form = ContactForm(instance=editing, prefix="edit") if editing else None
    return _section(request, client, editing=editing, edit_form=edit_form)


@require_POST
@member_required
def contact_create(request: VigiaRequest, client_code: UUID) -> HttpResponse:
    client = client_get(organization=request.organization, code=client_code)
    form = ContactForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            contact = services.contact_create(
                organization=request.organization, client=client, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Contact %(name)s saved.") % {"name": contact.name})
            return _done(request, client)
    return _section(request, client, form=form, status=refused_status(request))


@require_GET
@member_required
def contact_edit(request: VigiaRequest, code: UUID) -> HttpResponse:
    contact = _client_contact(request, code)
    url = reverse("contacts:client_section", args=[contact.client.code]) + f"?edit={contact.code}"
    if not request.htmx:
        return redirect(url)
    edit_form = ContactForm(instance=contact, prefix="edit")
    return _section(request, contact.client, editing=contact, edit_form=edit_form)


@require_POST
@member_required
def contact_update(request: VigiaRequest, code: UUID) -> HttpResponse:
    contact = _client_contact(request, code)
    client = contact.client
    form = ContactForm(request.POST, instance=contact, prefix="edit")
    if form.is_valid():
        try:
            services.contact_update(
                organization=request.organization, contact=contact, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Contact %(name)s saved.") % {"name": contact.name})
            return _done(request, client)
    return _section(
        request, client, editing=contact, edit_form=form, status=refused_status(request)
    )


@require_POST
@member_required
def contact_delete(request: VigiaRequest, code: UUID) -> HttpResponse:
    contact = _client_contact(request, code)
    services.contact_delete(organization=request.organization, contact=contact)
    messages.success(request, _("Contact %(name)s deleted.") % {"name": contact.name})
    return _done(request, contact.client)
