from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tenancy.models import Project, TenantModel

# Why a job failed, kept untranslated: (message id, its values) pairs, shown one after the
# other in the reader's language.
Reason = list[tuple[str, dict[str, Any]]]


def reason_text(reason: Reason) -> str:
    """`reason` in the current language, its numbers written the language's way
    ("1.000.000" in pt-BR) where the message takes them as text."""
    texts = []
    for message, params in reason:
        translated = gettext(message)
        if params:
            translated %= {
                name: intcomma(value)
                if isinstance(value, int) and f"%({name})s" in message
                else value
                for name, value in params.items()
            }
        texts.append(translated)
    return " ".join(texts)


class Job(TenantModel):
    """A background job a user started (an export, an import…) and its notification.

    The job's whole state lives here, not in Celery's result backend: progress is written in
    the same transaction as the work it counts, so a worker that dies leaves a row that tells
    exactly where to resume."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    entity = models.CharField(_("entity"), max_length=32)
    variant = models.CharField(_("format"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, default="pt-br")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    source_name = models.CharField(max_length=255, blank=True)
    # Paths relative to settings.JOB_FILES_DIR, which is never served as static or media.
    input_path = models.CharField(max_length=255, blank=True)
    result_path = models.CharField(max_length=255, blank=True)
    failure = models.JSONField(_("reason"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "organization", "-created_at"]),
            models.Index(
                fields=["user", "organization"],
                condition=models.Q(read_at__isnull=True),
                name="job_unread",
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.entity} ({self.get_status_display()})"

    @property
    def failure_text(self) -> str:
        return reason_text(self.failure)

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def has_download(self) -> bool:
        return bool(self.result_path) and not self.is_expired
