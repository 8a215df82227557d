from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contacts import services
from contacts.forms import ContactForm
from contacts.selectors import contact_get, contact_list, owner_client_get
from tenancy.decorators import member_required
from tenancy.http import VigiaRequest, next_url

TEMPLATE = "contacts/client_contacts.html"


def _section(request: VigiaRequest, client, *, form=None, editing=None, edit_form=None, status=200):
    context = {
        "client": client,
        "contacts": contact_list(client=client),
        "form": form or ContactForm(prefix="new"),
        "editing": editing,
        "edit_form": edit_form,
        "with_toasts": bool(request.htmx),
    }
    template = f"{TEMPLATE}#section" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)


def _back(request: VigiaRequest, client) -> HttpResponse:
    return redirect(next_url(request, reverse("contacts:client_section", args=[client.code])))


@require_GET
@member_required
def client_contacts(request: VigiaRequest, client_code) -> HttpResponse:
    client = owner_client_get(organization=request.organization, code=client_code)
    editing = None
    if request.GET.get("edit"):
        editing = contact_get(organization=request.organization, code=request.GET["edit"])
        if editing.client_id != client.pk:
            editing = None
    edit_form = ContactForm(instance=editing, prefix="edit") if editing else None
    return _section(request, client, editing=editing, edit_form=edit_form)


@require_POST
@member_required
def contact_create(request: VigiaRequest, client_code) -> HttpResponse:
    client = owner_client_get(organization=request.organization, code=client_code)
    form = ContactForm(request.POST, prefix="new")
    if not form.is_valid():
        # 200 for htmx so the form swaps in with its messages; 400 for a plain post.
        return _section(request, client, form=form, status=200 if request.htmx else 400)
    contact = services.contact_create(client=client, **form.cleaned_data)
    messages.success(request, _("Contact %(name)s saved.") % {"name": contact.name})
    if request.htmx:
        return _section(request, client)
    return _back(request, client)


@require_GET
@member_required
def contact_edit(request: VigiaRequest, code) -> HttpResponse:
    contact = contact_get(organization=request.organization, code=code)
    url = reverse("contacts:client_section", args=[contact.client.code]) + f"?edit={contact.code}"
    if not request.htmx:
        return redirect(url)
    edit_form = ContactForm(instance=contact, prefix="edit")
    return _section(request, contact.client, editing=contact, edit_form=edit_form)


@require_POST
@member_required
def contact_update(request: VigiaRequest, code) -> HttpResponse:
    contact = contact_get(organization=request.organization, code=code)
    client = contact.client
    form = ContactForm(request.POST, instance=contact, prefix="edit")
    if not form.is_valid():
        return _section(
            request,
            client,
            editing=contact,
            edit_form=form,
            status=200 if request.htmx else 400,
        )
    services.contact_update(contact=contact, **form.cleaned_data)
    messages.success(request, _("Contact %(name)s saved.") % {"name": contact.name})
    if request.htmx:
        return _section(request, client)
    return _back(request, client)


@require_POST
@member_required
def contact_delete(request: VigiaRequest, code) -> HttpResponse:
    contact = contact_get(organization=request.organization, code=code)
    client = contact.client
    services.contact_delete(contact=contact)
    messages.success(request, _("Contact %(name)s deleted.") % {"name": contact.name})
    if request.htmx:
        return _section(request, client)
    return _back(request, client)
