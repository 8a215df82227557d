"""A client's culture is the language of its alert e-mails; without one, the organization's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.mail import get_connection
from django.utils import timezone

from tenancy.models import Language
from terminals.emails import alert_message
from terminals.models import AlertEmail
from terminals.sweep import alert_sweep
from tests.factories import ClientFactory, ContactFactory, TerminalFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("culture", "subject"),
    [("", "is disconnected"), ("es", "desconectado"), ("pt-br", "desconectado")],
)
def test_the_alert_is_in_the_clients_culture(org_a, culture, subject):
    org_a.language = Language.EN
    org_a.save()
    client = ClientFactory(organization=org_a, culture=culture)
    ContactFactory(client=client)
    TerminalFactory(
        organization=org_a,
        client=client,
        name="Loja 1",
        last_heartbeat_at=timezone.now() - timedelta(minutes=30),
        alert_after=timezone.now() - timedelta(minutes=15),
    )
    assert alert_sweep().queued == 1
    email = AlertEmail.objects.get()
    built = alert_message(
        email, connection=get_connection("django.core.mail.backends.locmem.EmailBackend")
    )
    assert subject in built.message.subject
