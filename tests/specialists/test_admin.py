from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse

from specialists import services
from specialists.models import Specialist
from tenancy.models import Membership
from tests.factories import UserFactory


def test_it_takes_the_access_away_when_the_admin_deletes_a_specialist(org_a):
    specialist = services.specialist_create(
        organization=org_a, name="Caio", email="caio@example.com", password="Turno-Noturno-2026"
    )
    client = HttpClient()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:specialists_specialist_delete", args=[specialist.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    specialist.user.refresh_from_db()
    assert not Specialist.objects.exists()
    assert not Membership.objects.filter(user=specialist.user).exists()
    assert not specialist.user.is_active
