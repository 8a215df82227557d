"""How a job reads in the bell and on its pages, in the reader's current language: the job
row stores its entity's name and counts, never a sentence."""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from importexport.registry import registered_formats
from notifications.models import Job

register = template.Library()


@register.filter
def job_title(job: Job) -> str:
    fmt = registered_formats().get(job.entity)
    entity = str(fmt.label).lower() if fmt else job.entity
    if job.kind == Job.Kind.EXPORT:
        return _("Export of %(entity)s") % {"entity": entity}
    return _("Import of %(entity)s") % {"entity": entity}


@register.filter
def job_counts(job: Job) -> str:
    """ "7.100 criados, 1 atualizado, 2 com erro": the counts that are not zero ("0
    atualizado" reads wrong and tells nothing), each grouped the language's way, each word
    agreeing with its number."""
    counts = job.counts or {}
    phrases = {
        "created": lambda n: ngettext("%(count)s created", "%(count)s created", n),
        "updated": lambda n: ngettext("%(count)s updated", "%(count)s updated", n),
        "unchanged": lambda n: ngettext("%(count)s unchanged", "%(count)s unchanged", n),
        "failed": lambda n: ngettext("%(count)s failed", "%(count)s failed", n),
    }
    parts = [
        phrase(counts[name]) % {"count": intcomma(counts[name])}
        for name, phrase in phrases.items()
        if counts.get(name)
    ]
    return ", ".join(parts) or _("no rows")
