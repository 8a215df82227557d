from __future__ import annotations

from pathlib import PurePosixPath

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications.bell import bell_news
from notifications.models import Job
from notifications.selectors import job_get, job_list, job_unread_count
from notifications.services import job_files, job_mark_all_read, job_mark_read
from tenancy.decorators import member_required
from tenancy.http import VigiaRequest

BELL_ITEMS = 8


def _bell_context(request: VigiaRequest) -> dict:
    jobs = list(job_list(organization=request.organization, user=request.user)[:BELL_ITEMS])
    # The organization's news (new portal requests…) are everyone's, not one user's: they
    # leave the bell once an operator opens them.
    news = bell_news(organization=request.organization, limit=BELL_ITEMS)
    return {
        "jobs": jobs,
        "news": news,
        "unread": job_unread_count(organization=request.organization, user=request.user)
        + sum(entry.count for entry in news),
        "any_pending": any(job.status == Job.Status.PENDING for job in jobs),
    }


@require_GET
@member_required
def bell(request: VigiaRequest) -> HttpResponse:
    if not request.htmx:
        return redirect("notifications:panel")
    return render(request, "notifications/bell.html", _bell_context(request))


@require_GET
@member_required
def panel(request: VigiaRequest) -> HttpResponse:
    jobs = job_list(organization=request.organization, user=request.user)
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "jobs": page.object_list,
        "any_pending": any(job.status == Job.Status.PENDING for job in page.object_list),
    }
    template = "notifications/panel.html#job-list" if request.htmx else "notifications/panel.html"
    return render(request, template, context)


@require_POST
@member_required
def mark_all_read(request: VigiaRequest) -> HttpResponse:
    job_mark_all_read(organization=request.organization, user=request.user)
    if request.htmx:
        return render(request, "notifications/bell.html", _bell_context(request))
    return redirect("notifications:panel")


@require_GET
@member_required
def open_job(request: VigiaRequest, code) -> HttpResponse:
    """Where a click on a notification leads: a done export downloads, an import shows its
    details, anything else shows the panel."""
    job = job_get(organization=request.organization, user=request.user, code=code)
    job_mark_read(job=job)
    if job.kind == Job.Kind.IMPORT and job.status == Job.Status.DONE:
        return redirect("importexport:import_detail", code=job.code)
    if job.kind == Job.Kind.EXPORT and job.status == Job.Status.DONE:
        return redirect("notifications:download", code=job.code)
    return redirect(reverse("notifications:panel") + f"#job-{job.code}")


@require_GET
@member_required
def download(request: VigiaRequest, code) -> HttpResponse:
    job = job_get(organization=request.organization, user=request.user, code=code)
    if job.status != Job.Status.DONE or not job.result_path:
        messages.warning(request, _("This notification has no file to download."))
        return redirect("notifications:panel")
    files = job_files()
    if job.is_expired or not files.exists(job.result_path):
        response = render(request, "notifications/expired.html", {"job": job}, status=410)
        return response
    job_mark_read(job=job)
    # Streamed from the storage (a local file or the bucket), never read whole.
    return FileResponse(
        files.open(job.result_path, "rb"),
        as_attachment=True,
        filename=PurePosixPath(job.result_path).name,
    )
