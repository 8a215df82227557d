"""Requests (solicitações) sent by a client's people through the portal, the attachments
they carry and what happened to them since (the operators' replies and status changes)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from contacts.models import Contact
from tenancy.models import TenantModel


class ServiceRequest(TenantModel):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    client = models.ForeignKey(
        Client,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("client"),
    )
    account = models.ForeignKey(
        # By name: the portal app (accounts) calls this one, never the other way round.
        "portal.PortalAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("portal account"),
    )
    # Deleting a contact takes its requests along (portal.accounts.contacts_delete, which
    # first refuses while one is being processed).
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("contact"),
    )
    # Copied when the request is sent: the requester is still named and reachable after
    # their account or contact changes, and a request sent through the generic link has
    # neither.
    requester_name = models.CharField(_("requester"), max_length=200)
    requester_email = models.EmailField(_("requester's e-mail"))
    client_cnpj = models.CharField(_("CNPJ"), max_length=20, blank=True)
    via_link = models.BooleanField(_("sent through the generic link"), default=False)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When an operator first opened it: until then the bell counts it as new.
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "status", "-created_at"], name="request_org_status_idx"
            ),
            models.Index(fields=["organization", "-created_at"], name="request_org_created_idx"),
            # The bell's count of unseen requests.
            models.Index(
                fields=["organization"],
                condition=models.Q(seen_at__isnull=True),
                name="request_unseen_idx",
            ),
        ]
        verbose_name = _("request")
        verbose_name_plural = _("requests")

    def __str__(self) -> str:
        return self.subject

    @property
    def reference(self) -> str:
        """How people and operators name a request: short, stable, not a sequence number
        that would tell how many requests the organization receives."""
        return f"#{str(self.code)[:8].upper()}"


def attachment_upload_to(instance: RequestAttachment, filename: str) -> str:
    # The server chooses the whole path: nothing the sender typed reaches the storage.
    request = instance.request
    return f"requests/{request.organization_id}/{request.code}/{uuid.uuid4().hex}"


class RequestAttachment(models.Model):
    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("request"),
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    # The sender's file name, sanitized, for display and for the download's name only.
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class RequestEvent(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        STATUS = "status", _("Status change")

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    by_requester = models.BooleanField(default=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status_from = models.CharField(max_length=12, choices=ServiceRequest.Status.choices, blank=True)
    status_to = models.CharField(max_length=12, choices=ServiceRequest.Status.choices, blank=True)
    body = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return f"{self.request} · {self.get_kind_display()}"
