"""Association mode: the Clientes and Especialistas lists associate rows of the organization
with the selected project, or disassociate them, a few ticked rows or every row a search
matches at once.

The writes are set-based, one statement whatever the size: an INSERT … SELECT … ON CONFLICT
DO NOTHING, or a DELETE with a semi-join, on PostgreSQL and SQLite alike (both accept that
SQL). The rows are given as a queryset (the list's search, or the ticked codes), so 100,000
rows never travel through Python. Both lists share the screens' half too (`association_post`);
each hands in an `AssociationList` saying which rows its search shows."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_htmx.http import reswap, trigger_client_event

from tenancy import audit
from tenancy.http import REFUSED, VigiaRequest, next_url
from tenancy.models import Organization, Project
from tenancy.services import ownership_check

# A ticked selection is one page of a list; "every match" is sent as the search instead.
MAX_CODES = 1_000
TEMPLATE = "tenancy/association_confirm.html"
# What the confirmation sends back besides the selection itself.
CONTROL_FIELDS = ("csrfmiddlewaretoken", "confirmed", "next")
# Fired on the page after a change: the list reloads its results, the dialog closes.
CHANGED_EVENT = "vigia:association-changed"
MODE = "associate"
CLOSE_DIALOG_EVENT = "vigia:close-dialog"

NO_PROJECT = gettext_lazy(
    "Select a project at the top right first: rows are associated with the selected project."
)
NOTHING_SELECTED = gettext_lazy("Tick at least one row first.")
BAD_CODES = gettext_lazy("The selection is not valid: reload the list and select again.")
TOO_MANY = gettext_lazy(
    "Too many rows ticked one by one: use “select all matching” for a whole search."
)


@dataclass(frozen=True)
class Selection:
    """What the operator ticked: some rows by code, or every row the list's search (the rest
    of the posted data) matches."""

    codes: tuple[uuid.UUID, ...]
    everything: bool


def selection_parse(data: QueryDict) -> Selection:
    everything = data.get("all") == "1"
    raw = [] if everything else data.getlist("codes")
    if not everything and not raw:
        raise ValidationError(NOTHING_SELECTED, code="empty")
    if len(raw) > MAX_CODES:
        raise ValidationError(TOO_MANY, code="too_many")
    try:
        codes = tuple(dict.fromkeys(uuid.UUID(code) for code in raw))
    except (TypeError, ValueError) as exc:
        raise ValidationError(BAD_CODES, code="bad_code") from exc
    return Selection(codes=codes, everything=everything)


def selection_rows(*, organization: Organization, selection: Selection, matching: QuerySet):
    """The rows a selection stands for: `matching` (the list's search) for every match, else
    the ticked rows of the organization. A code that is not one of the organization's rows
    (another organization's, or deleted meanwhile) refuses the whole selection: nothing
    changes, and the message counts them without telling which exist elsewhere."""
    if selection.everything:
        return matching.filter(organization=organization)
    rows = matching.model.objects.for_org(organization).filter(code__in=selection.codes)
    missing = len(selection.codes) - rows.count()
    if missing:
        raise ValidationError(
            ngettext(
                "Nothing was changed: %(count)d of the selected rows was not found in this "
                "organization (another operator may have deleted it). Reload the list and "
                "select again.",
                "Nothing was changed: %(count)d of the selected rows were not found in this "
                "organization (another operator may have deleted them). Reload the list and "
                "select again.",
                missing,
            )
            % {"count": missing},
            code="foreign",
        )
    return rows


def _association_table(model) -> tuple[str, str, str]:
    """The quoted table and columns of `model`'s association with Project. Names from the
    models' metadata, never from input: the values all go as parameters."""
    field = model._meta.get_field("projects")
    through = field.remote_field.through
    quote = connection.ops.quote_name
    return (
        quote(through._meta.db_table),
        quote(through._meta.get_field(field.m2m_field_name()).column),
        quote(through._meta.get_field(field.m2m_reverse_field_name()).column),
    )


def _ids_sql(organization: Organization, rows: QuerySet) -> tuple[str, tuple]:
    # Scoped again here: whoever calls, no other organization's row is ever written.
    ids = rows.filter(organization=organization).order_by().values(selected_id=F("pk"))
    return ids.query.sql_with_params()


@transaction.atomic
def association_add(*, organization: Organization, project: Project, rows: QuerySet) -> int:
    """Associates `rows` with `project` in one INSERT … SELECT; rows already in it are left
    as they are (ON CONFLICT DO NOTHING also settles a race with another operator). Returns
    how many were added."""
    ownership_check(organization, project)
    table, row_column, project_column = _association_table(rows.model)
    ids, params = _ids_sql(organization, rows)
    with connection.cursor() as cursor:
        # SQLite needs the WHERE to read ON CONFLICT as the upsert clause, not a join's ON.
        cursor.execute(
            f"INSERT INTO {table} ({row_column}, {project_column}) "  # noqa: S608
            f"SELECT selected.selected_id, %s FROM ({ids}) AS selected WHERE true "
            "ON CONFLICT DO NOTHING",
            (project.pk, *params),
        )
        return max(cursor.rowcount, 0)


@transaction.atomic
def association_remove(*, organization: Organization, project: Project, rows: QuerySet) -> int:
    """Disassociates `rows` from `project` in one DELETE with a semi-join; they stay in the
    organization and in their other projects. Returns how many were removed."""
    ownership_check(organization, project)
    table, row_column, project_column = _association_table(rows.model)
    ids, params = _ids_sql(organization, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE {project_column} = %s AND {row_column} IN ({ids})",  # noqa: S608
            (project.pk, *params),
        )
        return max(cursor.rowcount, 0)


# The screens' half, shared by the clients' and the specialists' lists.


@dataclass(frozen=True)
class AssociationList:
    model: type
    # The URL namespace of the list: its "list", "associate" and "disassociate" routes.
    namespace: str
    # The organization's rows the list's posted search matches, whatever their projects.
    # The action narrows them itself: associating skips the rows already in the project
    # (ON CONFLICT), disassociating touches only the project's; its confirmation counts
    # just those. No anti-join in the INSERT: its probe would read the very table the
    # statement fills.
    matching: Callable[[VigiaRequest, QueryDict], QuerySet]

    @property
    def list_url(self) -> str:
        return reverse(f"{self.namespace}:list")


def association_context(request: VigiaRequest, entity: AssociationList) -> dict:
    """What a list's template needs for its association controls
    (tenancy/_association_bar.html)."""
    associating = association_mode(request)
    # The switch keeps the search, and leaves the page number (the other mode has others).
    params = {"q": request.GET.get("q", "")} if request.GET.get("q") else {}
    if not associating:
        params["mode"] = MODE
    switch_url = entity.list_url + (f"?{urlencode(params)}" if params else "")
    action = "associate" if associating else "disassociate"
    return {
        "project": request.project,
        "associating": associating,
        "noun": entity.model._meta.verbose_name_plural,
        "switch_url": switch_url,
        "action_url": reverse(f"{entity.namespace}:{action}"),
    }


def association_mode(request: VigiaRequest) -> bool:
    """Whether a list shows association mode (`?mode=associate`): only with a project
    selected, since rows are associated with it."""
    return request.project is not None and request.GET.get("mode") == MODE


def _counted(model, count: int) -> str:
    return str(model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural)


def _refused(request: VigiaRequest, entity: AssociationList, message: str) -> HttpResponse:
    if request.htmx:
        messages.error(request, message)
        response = render(request, f"{TEMPLATE}#toasts")
        reswap(response, "none")
        return trigger_client_event(response, CLOSE_DIALOG_EVENT)
    context = {"error": message, "back": next_url(request, entity.list_url)}
    return render(request, TEMPLATE, context, status=REFUSED)


def association_post(
    request: VigiaRequest, entity: AssociationList, *, associate: bool
) -> HttpResponse:
    """A bulk Associar (associate=True) or Desassociar posted from a list: first the
    confirmation naming the count (a native dialog with htmx, a page without), then, posted
    again with `confirmed`, the change and its toast."""
    project = request.project
    if project is None:
        return _refused(request, entity, str(NO_PROJECT))
    try:
        selection = selection_parse(request.POST)
        rows = selection_rows(
            organization=request.organization,
            selection=selection,
            matching=entity.matching(request, request.POST),
        )
    except ValidationError as exc:
        return _refused(request, entity, " ".join(exc.messages))
    if request.POST.get("confirmed") != "1":
        return _confirm(request, entity, rows, project, associate=associate)
    if associate:
        count = association_add(organization=request.organization, project=project, rows=rows)
        message = ngettext(
            "%(count)d %(noun)s associated with the project “%(project)s”.",
            "%(count)d %(noun)s associated with the project “%(project)s”.",
            count,
        )
    else:
        count = association_remove(organization=request.organization, project=project, rows=rows)
        message = ngettext(
            "%(count)d %(noun)s disassociated from the project “%(project)s”.",
            "%(count)d %(noun)s disassociated from the project “%(project)s”.",
            count,
        )
    noun = _counted(entity.model, count)
    # The statement sends no per-row signal: the organization's history gets one entry for
    # the action, as for an import job.
    audit.record_event(
        organizations=[request.organization],
        event="associated" if associate else "disassociated",
        actor=request.user,
        remote_addr=request.META.get("REMOTE_ADDR"),
        project=project.name,
        records=str(entity.model._meta.verbose_name_plural),
        count=count,
        search=request.POST.get("q", "") if request.POST.get("all") == "1" else "",
    )
    messages.success(request, message % {"count": count, "noun": noun, "project": project})
    if request.htmx:
        response = render(request, f"{TEMPLATE}#toasts")
        reswap(response, "none")
        trigger_client_event(response, CLOSE_DIALOG_EVENT)
        return trigger_client_event(response, CHANGED_EVENT)
    return redirect(request.POST.get("next") or next_url(request, entity.list_url))


def _confirm(
    request: VigiaRequest, entity: AssociationList, rows: QuerySet, project, *, associate: bool
) -> HttpResponse:
    # Counted as they will change: rows already (or no longer) in the project are not.
    scope = rows.outside_project(project) if associate else rows.in_project(project)
    count = scope.count()
    if count == 0:
        if associate:
            message = _("The selected rows are already in the project “%(project)s”.")
        else:
            message = _("The selected rows are not in the project “%(project)s”.")
        return _refused(request, entity, message % {"project": project})
    noun = _counted(entity.model, count)
    if associate:
        question = ngettext(
            "Associate %(count)s %(noun)s with the project “%(project)s”?",
            "Associate %(count)s %(noun)s with the project “%(project)s”?",
            count,
        )
        button = _("Associate")
    else:
        question = ngettext(
            "Disassociate %(count)s %(noun)s from the project “%(project)s”?",
            "Disassociate %(count)s %(noun)s from the project “%(project)s”?",
            count,
        )
        button = _("Disassociate")
    context = {
        "question": question % {"count": intcomma(count), "noun": noun, "project": project},
        "associate": associate,
        "button": button,
        "action": request.path,
        "fields": [
            (name, value)
            for name in request.POST
            if name not in CONTROL_FIELDS
            for value in request.POST.getlist(name)
        ],
        "back": request.POST.get("next") or next_url(request, entity.list_url),
    }
    template = f"{TEMPLATE}#dialog" if request.htmx else TEMPLATE
    return render(request, template, context)
