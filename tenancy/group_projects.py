"""Joining a group that belongs to projects, the same for a client and for a specialist (the
member): the member may join the group's projects it is not in yet along with the group,
after a question ("only the group" or "the group and its projects")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_htmx.http import reswap, retarget

from tenancy.http import VigiaRequest
from tenancy.models import Project

# A page (without JavaScript) whose "dialog" partial is the modal htmx shows.
QUESTION_TEMPLATE = "tenancy/_group_projects_dialog.html"
ANSWERS = ("yes", "no")


def group_missing_projects(*, member: Any, group: Any) -> QuerySet[Project]:
    """The group's projects the member is not in yet: what joining the group may add."""
    return group.projects.exclude(pk__in=member.projects.values("pk")).order_by("name")


def group_join(*, member: Any, group: Any, with_projects: bool) -> list[Project]:
    """Puts the member in the group and, `with_projects`, in the group's projects it is not
    in yet; returns those projects. The caller has checked that both are its organization's."""
    member.groups.add(group)
    if not with_projects:
        return []
    joined = list(group_missing_projects(member=member, group=group))
    member.projects.add(*joined)
    return joined


def group_join_report(request: VigiaRequest, joined: list[Project]) -> None:
    """Tells the user (a toast) which projects the member joined with the group."""
    if joined:
        messages.success(
            request,
            _("Also added to the projects: %(names)s.")
            % {"names": ", ".join(p.name for p in joined)},
        )


def group_join_answer(request: VigiaRequest) -> bool:
    """Whether the question was answered "the group and its projects"."""
    return request.POST.get("with_projects") == "yes"


def group_join_question(
    request: VigiaRequest,
    *,
    member: Any,
    group: Any,
    add_url: str,
    cancel_url: str,
) -> HttpResponse | None:
    """The question, before a group is added, when it is to be asked: a modal for htmx, a page
    without JavaScript. None when it was answered, or when the group has no project the member
    is not in: then add the group."""
    if request.POST.get("with_projects") in ANSWERS:
        return None
    projects = list(group_missing_projects(member=member, group=group))
    if not projects:
        return None
    context = {
        "owner": member,
        "group": group,
        "projects": projects,
        "add_url": add_url,
        "cancel_url": cancel_url,
    }
    if request.htmx:
        response = render(request, f"{QUESTION_TEMPLATE}#dialog", context)
        return reswap(retarget(response, "#modal"), "innerHTML")
    return render(request, QUESTION_TEMPLATE, context)
