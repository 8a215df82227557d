from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from specialists import selectors, services
from specialists.forms import (
    FeedbackForm,
    ShiftForm,
    SpecialistForm,
)
from specialists.models import Specialist
from tenancy import group_projects
from tenancy.association import (
    AssociationList,
    association_context,
    association_mode,
    association_post,
)
from tenancy.decorators import member_required
from tenancy.http import VigiaRequest, form_errors, query_param, refused_status
from tenancy.text import CONTROL_CHARACTERS
from tokens import selectors as token_selectors
from tokens import services as token_services
from tokens.forms import TokenForm

TAB_LABELS = (
    ("details", gettext_lazy("Details")),
    ("address", gettext_lazy("Address")),
    ("additional", gettext_lazy("Additional")),
    ("groups", gettext_lazy("Groups")),
    ("roles", gettext_lazy("Roles")),
    ("feedback", gettext_lazy("Feedback")),
    ("shifts", gettext_lazy("Shifts")),
    ("tokens", gettext_lazy("Integration tokens")),
)
PROFILE_TABS = ("details", "address", "additional")
RELATION_TABS = ("groups", "roles", "feedback", "shifts", "tokens")
PAGE_SIZE = 25
# The tabs where a specialist is associated with catalog items, and the catalog each
# tab's items come from.
ASSOCIATION_CATALOGS = {"groups": "specialist-groups", "roles": "roles"}


def _tab(request: VigiaRequest, specialist: Specialist | None) -> str:
    tab = request.GET.get("tab", "details")
    allowed = PROFILE_TABS + (RELATION_TABS if specialist else ())
    return tab if tab in allowed else "details"


def _tab_url(specialist: Specialist, tab: str) -> str:
    return f"{reverse('specialists:detail', kwargs={'code': specialist.code})}?tab={tab}"


def page_redirect(request: VigiaRequest, url: str) -> HttpResponse:
    # htmx would swap a followed redirect into the clicked element; it must load the page.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def confirm_page(
    request: VigiaRequest, *, question: str, subject: str, button: str, back: str
) -> HttpResponse:
    """The confirmation page of a destructive action, for a GET of its URL: what a click
    opens with JavaScript off. With htmx the click posts after `hx-confirm` instead."""
    context = {"question": question, "subject": subject, "button": button, "back": back}
    return render(request, "specialists/confirm.html", context)


def _list_filters(data) -> dict[str, str]:
    """The list's search (the box and the status), as typed in its URL or posted back by
    a bulk action that applies to every match."""
    q = CONTROL_CHARACTERS.sub(" ", data.get("q", "")).strip()
    return {"q": q, "status": data.get("status", "")}


@require_GET
@member_required
def specialist_list(request: VigiaRequest) -> HttpResponse:
    filters = _list_filters(request.GET)
    # Association mode lists the organization's specialists outside the selected project.
    associating = association_mode(request)
    qs = selectors.specialist_list(
        organization=request.organization,
        project=request.project,
        outside=associating,
        **filters,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        **filters,
        "statuses": Specialist.Status.choices,
        "associating": associating,
        "association": association_context(request, SPECIALIST_ASSOCIATION),
    }
    template = "specialists/list.html#results" if request.htmx else "specialists/list.html"
    return render(request, template, context)


def _association_matching(request: VigiaRequest, data):
    return selectors.specialist_list(organization=request.organization, **_list_filters(data))


SPECIALIST_ASSOCIATION = AssociationList(
    model=Specialist, namespace="specialists", matching=_association_matching
)


@require_POST
@member_required
def specialist_association(request: VigiaRequest, associate: bool) -> HttpResponse:
    """Associar / Desassociar of the list's ticked specialists, or of every specialist its
    search matches, with the selected project."""
    return association_post(request, SPECIALIST_ASSOCIATION, associate=associate)


def _render_detail(
    request: VigiaRequest,
    *,
    specialist: Specialist | None,
    tab: str,
    form: SpecialistForm | None = None,
    status: int = 200,
    **extra,
) -> HttpResponse:
    """The specialist page on `tab` (only the tab panel for htmx); `extra` overrides the
    tab's context (a refused form, a token just issued)."""
    organization = request.organization
    context = {
        "specialist": specialist,
        "tab": tab,
        "tab_labels": TAB_LABELS,
        "profile_tabs": PROFILE_TABS,
        **extra,
    }
    if tab in PROFILE_TABS:
        context["photo_limit"] = settings.SPECIALIST_PHOTO_MAX_BYTES
        context["policy"] = services.password_policy(password="")
        if form is None:
            initial = {}
            if specialist is not None:
                values = selectors.additional_values(specialist=specialist)
                initial = {f"field_{k}": v for k, v in values.items()}
            form = SpecialistForm(instance=specialist, organization=organization, initial=initial)
        context["form"] = form
        context["error_tabs"] = form.tabs_with_errors() if form.is_bound else []
    elif tab in ASSOCIATION_CATALOGS:
        kind = ASSOCIATION_CATALOGS[tab]
        context["catalog_kind"] = kind
        context["associated"] = selectors.catalog_associated(
            organization=organization, kind=kind, specialist=specialist
        )
        context["choices"] = selectors.catalog_unassociated(
            organization=organization, kind=kind, specialist=specialist
        )
    elif tab == "feedback":
        context.setdefault("feedback_form", FeedbackForm())
        context["feedback"] = selectors.feedback_list(
            organization=organization, specialist=specialist
        )
    elif tab == "shifts":
        context.setdefault("shift_form", ShiftForm(organization=organization))
        context["shifts"] = selectors.shift_list(organization=organization, specialist=specialist)
    elif tab == "tokens":
        context.setdefault("token_form", TokenForm())
        context["tokens"] = token_selectors.token_list(
            organization=organization, specialist=specialist
        )
    template = "specialists/detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#tab-panel"
    return render(request, template, context, status=status)


def _back_to_tab(
    request: VigiaRequest, specialist: Specialist, tab: str, **refused
) -> HttpResponse:
    """After a change on a relation tab: htmx gets the tab panel, a plain post is sent back
    to the tab. A refused form (in `refused`) is shown again, with its errors, on both."""
    if refused:
        return _render_detail(
            request, specialist=specialist, tab=tab, status=refused_status(request), **refused
        )
    if request.htmx:
        return _render_detail(request, specialist=specialist, tab=tab)
    return redirect(_tab_url(specialist, tab))


@require_GET
@member_required
def specialist_create(request: VigiaRequest) -> HttpResponse:
    return _render_detail(request, specialist=None, tab=_tab(request, None))


@require_POST
@member_required
def specialist_create_submit(request: VigiaRequest) -> HttpResponse:
    form = SpecialistForm(request.POST, request.FILES, organization=request.organization)
    if form.is_valid():
        try:
            specialist = services.specialist_create(
                organization=request.organization,
                project=request.project,
                **form.service_kwargs(),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Specialist created."))
            return redirect("specialists:detail", code=specialist.code)
    tab = (form.tabs_with_errors() or ["details"])[0]
    return _render_detail(
        request, specialist=None, tab=tab, form=form, status=refused_status(request)
    )


@require_GET
@member_required
def specialist_detail(request: VigiaRequest, code: UUID) -> HttpResponse:
    specialist = selectors.specialist_get(organization=request.organization, code=code)
    return _render_detail(request, specialist=specialist, tab=_tab(request, specialist))


@require_POST
@member_required
def specialist_update(request: VigiaRequest, code: UUID) -> HttpResponse:
    specialist = selectors.specialist_get(organization=request.organization, code=code)
    form = SpecialistForm(
        request.POST, request.FILES, instance=specialist, organization=request.organization
    )
    if form.is_valid():
        try:
            services.specialist_update(
                organization=request.organization, specialist=specialist, **form.service_kwargs()
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Specialist saved."))
            tab = request.POST.get("tab")
            if tab in PROFILE_TABS:
                return redirect(_tab_url(specialist, tab))
            return redirect("specialists:detail", code=specialist.code)
    # The form mutated the instance; the header must show what is stored.
    specialist.refresh_from_db()
    tab = (form.tabs_with_errors() or ["details"])[0]
    return _render_detail(
        request, specialist=specialist, tab=tab, form=form, status=refused_status(request)
    )


@require_POST
@member_required
def password_check(request: VigiaRequest) -> HttpResponse:
    """The password policy checklist for what is typed so far, item by item."""
    password = request.POST.get("password", "")
    user = get_user_model()(
        username=request.POST.get("email", ""),
        email=request.POST.get("email", ""),
        first_name=request.POST.get("name", "")[:150],
    )
    return render(
        request,
        "specialists/_password_policy.html",
        {"policy": services.password_policy(password=password, user=user)},
    )


@require_GET
@member_required
def association_choices(request: VigiaRequest, code: UUID, kind: str) -> HttpResponse:
    if kind not in ASSOCIATION_CATALOGS:
        raise Http404
    specialist = selectors.specialist_get(organization=request.organization, code=code)
    choices = selectors.catalog_unassociated(
        organization=request.organization,
        kind=ASSOCIATION_CATALOGS[kind],
        specialist=specialist,
        q=query_param(request),
    )
    return render(
        request,
        "specialists/detail.html#association-choices",
        {"specialist": specialist, "tab": kind, "choices": choices},
    )


def _association_item(request: VigiaRequest, code: UUID, kind: str, item_code: UUID):
    if kind not in ASSOCIATION_CATALOGS:
        raise Http404
    specialist = selectors.specialist_get(organization=request.organization, code=code)
    item = selectors.catalog_get(
        organization=request.organization, kind=ASSOCIATION_CATALOGS[kind], code=item_code
    )
    return specialist, item


@require_http_methods(["GET", "POST"])
@member_required
def association_add(request: VigiaRequest, code: UUID, kind: str, item_code: UUID) -> HttpResponse:
    """Associates the group or role. A group with projects the specialist is not in asks
    first whether the specialist joins them too (the dialog posts back here)."""
    specialist, item = _association_item(request, code, kind, item_code)
    return group_projects.association_add(
        request,
        member=specialist,
        item=item,
        is_group=kind == "groups",
        tab_url=_tab_url(specialist, kind),
        associate=lambda with_projects: services.specialist_associate(
            organization=request.organization,
            specialist=specialist,
            item=item,
            with_projects=with_projects,
        ),
        back=lambda: _back_to_tab(request, specialist, kind),
    )


@require_POST
@member_required
def association_remove(
    request: VigiaRequest, code: UUID, kind: str, item_code: UUID
) -> HttpResponse:
    specialist, item = _association_item(request, code, kind, item_code)
    services.specialist_dissociate(
        organization=request.organization, specialist=specialist, item=item
    )
    return _back_to_tab(request, specialist, kind)


@require_POST
@member_required
def feedback_add(request: VigiaRequest, code: UUID) -> HttpResponse:
    specialist = selectors.specialist_get(organization=request.organization, code=code)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_create(
                organization=request.organization,
                specialist=specialist,
                author=request.user,
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _back_to_tab(request, specialist, "feedback")
    return _back_to_tab(request, specialist, "feedback", feedback_form=form)


@require_POST
@member_required
def shift_add(request: VigiaRequest, code: UUID) -> HttpResponse:
    specialist = selectors.specialist_get(organization=request.organization, code=code)
    form = ShiftForm(request.POST, organization=request.organization)
    if form.is_valid():
        try:
            services.shift_create(
                organization=request.organization, specialist=specialist, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return _back_to_tab(request, specialist, "shifts")
    return _back_to_tab(request, specialist, "shifts", shift_form=form)


@require_http_methods(["GET", "POST"])
@member_required
def shift_remove(request: VigiaRequest, code: UUID, shift_code: UUID) -> HttpResponse:
    specialist = selectors.specialist_get(organization=request.organization, code=code)
    shift = selectors.shift_get(
        organization=request.organization, specialist=specialist, code=shift_code
    )
    if request.method == "GET":
        return confirm_page(
            request,
            question=_("Remove this shift?"),
            subject=f"{shift} · {shift.calendar}",
            button=_("Remove"),
            back=_tab_url(specialist, "shifts"),
        )
    services.shift_delete(organization=request.organization, shift=shift)
    return _back_to_tab(request, specialist, "shifts")


# The integration tokens tab: the token library (tokens/) issues and checks them.


@require_POST
@member_required
def token_create(request: VigiaRequest, code: UUID) -> HttpResponse:
    specialist = selectors.specialist_get(organization=request.organization, code=code)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            issued = token_services.token_create(
                organization=request.organization,
                specialist=specialist,
                description=form.cleaned_data["description"],
                expires_at=token_services.expiry_from_date(form.cleaned_data["expires_on"]),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            # No redirect: this response is the only place the secret ever appears.
            response = _render_detail(request, specialist=specialist, tab="tokens", issued=issued)
            response["Cache-Control"] = "no-store"
            return response
    return _back_to_tab(request, specialist, "tokens", token_form=form)


@require_http_methods(["GET", "POST"])
@member_required
def token_revoke(request: VigiaRequest, code: UUID, token_code: UUID) -> HttpResponse:
    specialist = selectors.specialist_get(organization=request.organization, code=code)
    token = token_selectors.token_get(
        organization=request.organization, specialist=specialist, code=token_code
    )
    if request.method == "GET":
        return confirm_page(
            request,
            question=_("Revoke this token? Integrations using it stop working at once."),
            subject=str(token),
            button=_("Revoke"),
            back=_tab_url(specialist, "tokens"),
        )
    token_services.token_revoke(organization=request.organization, token=token)
    if not request.htmx:
        messages.success(request, _("Token revoked."))
    return _back_to_tab(request, specialist, "tokens")
