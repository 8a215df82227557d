"""Issue 14 item 11, route by route: a bare word in `next` or the Referer of a plain post, and
a NUL byte in a search box, are never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Contact
from tests.factories import ClientFactory, SpecialistFactory, TerminalFactory


@pytest.mark.parametrize("where", ["next", "referer"])
def test_a_new_contact_with_a_bare_word_to_go_back_to_is_saved_once(bob_client, org_a, where):
    client = ClientFactory(organization=org_a)
    data = {"new-name": "Maria", "new-email": "maria@example.com", "new-phone": ""}
    extra = {}
    if where == "next":
        data["next"] = "clients"
    else:
        extra["HTTP_REFERER"] = "clients"
    url = reverse("contacts:create", args=[client.code])
    response = bob_client.post(url, data, **extra)
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:client_section", args=[client.code])
    assert Contact.objects.filter(client=client, email="maria@example.com").count() == 1


@pytest.mark.parametrize("where", ["next", "referer"])
def test_a_terminal_link_with_a_bare_word_to_go_back_to(bob_client, org_a, where):
    client = ClientFactory(organization=org_a)
    terminal = TerminalFactory(organization=org_a)
    data = {"linked": "on"}
    extra = {}
    if where == "next":
        data["next"] = "terminals"
    else:
        extra["HTTP_REFERER"] = "terminals"
    url = reverse("terminals:link", args=[terminal.code, client.code])
    response = bob_client.post(url, data, **extra)
    assert response.status_code == 302
    assert response["Location"] == reverse("terminals:client_section", args=[client.code])


@pytest.mark.parametrize("kind", ["groups", "services"])
def test_a_nul_byte_in_the_clients_catalogs_and_association_choices(alice_client, org_a, kind):
    catalog = reverse("clients:catalog", args=[kind])
    assert alice_client.get(catalog, {"q": "a\x00b"}).status_code == 200
    client = ClientFactory(organization=org_a)
    url = reverse("clients:relation_choices", kwargs={"code": client.code, "kind": kind})
    assert alice_client.get(url, {"q": "\x00"}).status_code == 200


@pytest.mark.parametrize("kind", ["specialist-groups", "client-groups", "roles", "calendars"])
def test_a_nul_byte_in_the_specialists_catalogs(bob_client, kind):
    url = reverse("specialists:catalog", args=[kind])
    assert bob_client.get(url, {"q": "a\x00b"}).status_code == 200


@pytest.mark.parametrize("kind", ["groups", "roles"])
def test_a_nul_byte_in_the_specialists_association_choices(bob_client, org_a, kind):
    specialist = SpecialistFactory(organization=org_a)
    url = reverse("specialists:association_choices", kwargs={"code": specialist.code, "kind": kind})
    assert bob_client.get(url, {"q": "\x00"}).status_code == 200


def test_a_nul_byte_in_the_specialists_list(bob_client):
    assert bob_client.get(reverse("specialists:list"), {"q": "\x00"}).status_code == 200
