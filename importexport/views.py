from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from importexport import services
from importexport.forms import ExportForm, ImportForm
from importexport.registry import format_get, formats
from importexport.selectors import entity_counts, import_failures
from importexport.xlsx import FileError
from notifications.models import Job
from notifications.selectors import job_get
from notifications.services import job_mark_read
from tenancy.decorators import member_required
from tenancy.http import VigiaRequest, refused_status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _index_url(entity: str) -> str:
    return f"{reverse('importexport:index')}?entity={entity}"


def _page(request: VigiaRequest, *, dialog: str = "", form=None, status: int = 200) -> HttpResponse:
    entity = request.GET.get("entity") or request.POST.get("entity") or ""
    if entity not in formats():
        entity = ""
    counts = entity_counts(organization=request.organization)
    context = {
        "entities": [(name, fmt, counts[name]) for name, fmt in formats().items()],
        "entity": entity,
        "fmt": formats().get(entity),
        "dialog": dialog if entity else "",
        "form": form,
    }
    if request.htmx and dialog:
        return render(request, f"importexport/index.html#{dialog}-dialog", context, status=status)
    return render(request, "importexport/index.html", context, status=status)


@require_GET
@member_required
def index(request: VigiaRequest) -> HttpResponse:
    dialog = request.GET.get("dialog", "")
    entity = request.GET.get("entity", "")
    form = None
    if dialog == "export":
        form = ExportForm(initial={"entity": entity})
    elif dialog == "import":
        form = ImportForm(initial={"entity": entity})
    return _page(request, dialog=dialog if form else "", form=form)


@require_GET
@member_required
def export_dialog(request: VigiaRequest) -> HttpResponse:
    fmt = format_get(request.GET.get("entity"))
    return _page(request, dialog="export", form=ExportForm(initial={"entity": fmt.name}))


@require_GET
@member_required
def import_dialog(request: VigiaRequest) -> HttpResponse:
    fmt = format_get(request.GET.get("entity"))
    return _page(request, dialog="import", form=ImportForm(initial={"entity": fmt.name}))


@require_POST
@member_required
def export(request: VigiaRequest) -> HttpResponse:
    format_get(request.POST.get("entity"))
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, dialog="export", form=form, status=refused_status(request))
    entity, variant = form.cleaned_data["entity"], form.cleaned_data["variant"]
    if variant == "empty":
        filename, content = services.export_empty_format(
            entity=entity, language=get_language(), organization_id=request.organization.id
        )
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    services.export_schedule(
        organization=request.organization,
        user=request.user,
        entity=entity,
        variant=variant,
        language=get_language(),
        project=request.project,
    )
    messages.success(
        request,
        _("The export was scheduled: follow it and download it in the notifications (bell)."),
    )
    return redirect(_index_url(entity))


@require_POST
@member_required
def import_upload(request: VigiaRequest) -> HttpResponse:
    format_get(request.POST.get("entity"))
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.import_schedule(
                organization=request.organization,
                user=request.user,
                entity=form.cleaned_data["entity"],
                upload=form.cleaned_data["file"],
                language=get_language(),
                project=request.project,
            )
        except FileError as exc:
            form.add_error("file", str(exc))
    if not form.is_valid():
        return _page(request, dialog="import", form=form, status=refused_status(request))
    messages.success(
        request,
        _("The import was scheduled: its notification shows the progress and the result."),
    )
    if request.htmx:
        response = render(request, "importexport/index.html#scheduled", {})
        return trigger_client_event(
            trigger_client_event(response, "vigia:close-modal"), "vigia:jobs-changed"
        )
    return redirect(_index_url(form.cleaned_data["entity"]))


@require_GET
@member_required
def import_detail(request: VigiaRequest, code) -> HttpResponse:
    job = job_get(organization=request.organization, user=request.user, code=code)
    if job.kind != Job.Kind.IMPORT:
        return redirect("notifications:open", code=job.code)
    job_mark_read(job=job)
    context = {
        "job": job,
        "failures": import_failures(job=job),
        "counts": [
            # "Created" alone is also a date column elsewhere, singular in Portuguese.
            ("created", pgettext("import count", "Created"), job.counts.get("created", 0)),
            ("updated", _("Updated"), job.counts.get("updated", 0)),
            ("unchanged", _("Unchanged"), job.counts.get("unchanged", 0)),
            ("failed", _("With errors"), job.counts.get("failed", 0)),
        ],
    }
    template = "importexport/import_detail.html"
    if request.htmx:
        template += "#detail"
    return render(request, template, context)
