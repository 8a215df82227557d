from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications.models import Job


class ImportFailure(models.Model):
    """A row an import could not apply: its original cells and the reason, written in the same
    transaction as the chunk it belongs to, so the failed-rows file survives a resumed job."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="import_failures")
    row_number = models.PositiveIntegerField(_("row"))
    cells = models.JSONField(default=list)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["row_number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number"], name="importfailure_unique_row")
        ]
        verbose_name = _("failed import row")
        verbose_name_plural = _("failed import rows")

    def __str__(self) -> str:
        return f"{self.row_number}: {self.reason}"
