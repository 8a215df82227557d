"""Joining a group that belongs to projects, the same for a client and for a specialist (the
member): the member may join the group's projects it is not in yet along with the group,
after a question ("only the group" or "the group and its projects")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import reswap, retarget, trigger_client_event

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


def _report(request: VigiaRequest, joined: list[Project]) -> None:
    """Tells the user (a toast) which projects the member joined with the group."""
    if joined:
        messages.success(
            request,
            _("Also added to the projects: %(names)s.")
            % {"names": ", ".join(p.name for p in joined)},
        )


def _answer(request: VigiaRequest) -> bool:
    """Whether the question was answered "the group and its projects"."""
    return request.POST.get("with_projects") == "yes"


def _question(
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


def association_add(
    request: VigiaRequest,
    *,
    member: Any,
    item: Any,
    is_group: bool,
    tab_url: str,
    associate: Callable[[bool], list[Project]],
    back: Callable[[], HttpResponse],
) -> HttpResponse:
    """The view of "add this item to the member" (a client's or a specialist's tab): a group
    with projects the member is not in asks first (the question posts back to this view's
    URL); then `associate(with_projects)` adds it, a toast names the projects joined, and
    `back()` answers with the tab, the modal closed."""
    if is_group:
        question = _question(
            request, member=member, group=item, add_url=request.path, cancel_url=tab_url
        )
        if question is not None:
            return question
    if request.method == "GET":
        return redirect(tab_url)
    _report(request, associate(_answer(request)))
    response = back()
    if request.htmx:
        trigger_client_event(response, "vigia:close-modal")
    return response
