"""The client's page as tabs: full pages and htmx fragments, the relation tabs, the group
dialog, the map's search (a local stand-in geocoder), the lists' screens, and charlie's 404s."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from clients.models import Client, ClientFeedback, Company, Location, Service
from specialists.models import AdditionalField
from tests.factories import ClientFactory, ClientGroupFactory, ProjectFactory

CREATE = reverse("clients:create")
SEARCH = reverse("clients:place_search")
VALID = {
    "cnpj": "11.222.333/0001-81",
    "razao_social": "Ótica Três Irmãos ME",
    "status": "active",
}


def _page(client, tab=None):
    url = reverse("clients:edit", args=[client.code])
    return f"{url}?tab={tab}" if tab else url


def _profile(client, **changes):
    data = {
        "cnpj": client.cnpj_formatted,
        "razao_social": client.razao_social,
        "status": client.status,
        "tab": "details",
    }
    data.update(changes)
    return data


@pytest.fixture
def acme(org_a):
    return ClientFactory(organization=org_a, razao_social="Comércio São João Ltda")


# Tabs


def test_it_shows_the_details_tab_with_all_tabs(bob_client, acme):
    body = bob_client.get(_page(acme)).content.decode()
    for tab in ("details", "address", "additional", "companies", "groups", "services", "feedback"):
        assert f"?tab={tab}" in body
    for name in ("culture", "location", "photo", "postal_code", "state", "latitude", "longitude"):
        assert f'name="{name}"' in body
    assert "data-client-map" in body and "vendor/leaflet/leaflet.js" in body


def test_a_new_client_has_the_profile_tabs_only(bob_client):
    body = bob_client.get(CREATE).content.decode()
    assert body.count('aria-disabled="true"') == 4
    assert "data-client-map" not in body


def test_it_answers_a_tab_with_htmx_with_the_panel_only(bob_client, acme, htmx_headers):
    body = bob_client.get(_page(acme, "groups"), **htmx_headers).content.decode()
    assert "<html" not in body and 'id="tab-panel"' in body and "Associar" in body


def test_a_foreign_client_tab_is_404_for_charlie(charlie_client, acme, htmx_headers):
    for tab in ("details", "groups", "feedback"):
        assert charlie_client.get(_page(acme, tab)).status_code == 404


# Saving the profile


def test_it_saves_details_address_and_point(bob_client, acme, org_a):
    location = Location.objects.create(organization=org_a, name="Matriz")
    response = bob_client.post(
        _page(acme),
        _profile(
            acme,
            culture="en",
            location=str(location.code),
            postal_code="01310100",
            state="sp",
            city="São Paulo",
            latitude="-23,561",
            longitude="-46.6565",
            tab="address",
        ),
    )
    assert response.status_code == 302 and response["Location"] == _page(acme, "address")
    acme.refresh_from_db()
    assert (acme.culture, acme.location, acme.postal_code, acme.state) == (
        "en",
        location,
        "01310-100",
        "SP",
    )
    assert str(acme.latitude) == "-23.561000"
    body = bob_client.get(_page(acme)).content.decode()
    assert 'value="-23.561000"' in body and 'value="-46.656500"' in body


def test_it_marks_the_tab_with_bad_input_and_keeps_the_data(bob_client, acme, htmx_headers):
    response = bob_client.post(
        _page(acme),
        _profile(acme, postal_code="123", state="XX", latitude="100", longitude="0"),
        **htmx_headers,
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert (
        'id="id_postal_code-error"' in body
        and 'id="id_state-error"' in body
        and 'id="id_latitude-error"' in body
    )
    assert "tab-error" in body and "HX-Trigger" not in response
    plain = bob_client.post(_page(acme), _profile(acme, postal_code="123"))
    assert plain.status_code == 422
    acme.refresh_from_db()
    assert acme.postal_code == ""


def test_it_refuses_another_organizations_location(bob_client, acme, org_b):
    foreign = Location.objects.create(organization=org_b, name="Deles")
    response = bob_client.post(_page(acme), _profile(acme, location=str(foreign.code)))
    assert response.status_code == 422
    assert 'id="id_location-error"' in response.content.decode()
    acme.refresh_from_db()
    assert acme.location is None


def test_it_saves_with_htmx_and_reloads_the_panel(bob_client, acme, htmx_headers):
    response = bob_client.post(_page(acme), _profile(acme, city="Campinas"), **htmx_headers)
    body = response.content.decode()
    assert json.loads(response["HX-Trigger"]) == {"client-saved": {}}
    assert 'id="tab-panel"' in body and 'id="client-summary"' in body
    acme.refresh_from_db()
    assert acme.city == "Campinas"


def test_it_uploads_a_photo_and_refuses_an_oversized_one(bob_client, acme, settings):
    out = BytesIO()
    Image.new("RGB", (300, 300), "navy").save(out, format="JPEG")
    photo = SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")
    assert bob_client.post(_page(acme), _profile(acme, photo=photo)).status_code == 302
    acme.refresh_from_db()
    assert acme.photo_thumbnail.name
    settings.SPECIALIST_PHOTO_MAX_BYTES = 10
    big = SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")
    response = bob_client.post(_page(acme), _profile(acme, photo=big))
    assert response.status_code == 422 and "grande" in response.content.decode()


def test_it_saves_the_clients_additional_fields(bob_client, acme, org_a):
    field = AdditionalField.objects.create(
        organization=org_a, entity="client", label="Porte", field_type="choice", choices="P\nM"
    )
    AdditionalField.objects.create(organization=org_a, label="Só especialistas")
    body = bob_client.get(_page(acme, "additional")).content.decode()
    assert "Porte" in body and "Só especialistas" not in body
    bob_client.post(_page(acme), _profile(acme, **{f"field_{field.pk}": "M"}))
    assert acme.additional_values.get().value == "M"


def test_it_creates_from_the_full_page_with_the_profile(bob_client, org_a):
    response = bob_client.post(CREATE, {**VALID, "postal_code": "01310-100", "state": "SP"})
    client = Client.objects.get()
    assert response.status_code == 302 and response["Location"] == _page(client)
    assert client.state == "SP"


# Relation tabs


def test_it_associates_and_removes_companies_and_services(bob_client, acme, org_a, htmx_headers):
    company = Company.objects.create(organization=org_a, name="B2 Mídia Ltda")
    service = Service.objects.create(organization=org_a, name="Monitoramento")
    for kind, item in (("companies", company), ("services", service)):
        url = reverse("clients:relation_add", args=[acme.code, kind, item.code])
        body = bob_client.post(url, **htmx_headers).content.decode()
        assert 'id="tab-panel"' in body and item.name in body
        remove = reverse("clients:relation_remove", args=[acme.code, kind, item.code])
        assert bob_client.post(remove).status_code == 302
    assert not acme.companies.exists() and not acme.services.exists()


def test_it_searches_the_choices(bob_client, acme, org_a, htmx_headers):
    Company.objects.create(organization=org_a, name="Alfa")
    Company.objects.create(organization=org_a, name="Beta")
    url = reverse("clients:relation_choices", args=[acme.code, "companies"])
    body = bob_client.get(url, {"q": "alf"}, **htmx_headers).content.decode()
    assert "Alfa" in body and "Beta" not in body


def test_a_group_with_projects_asks_first(bob_client, acme, org_a, htmx_headers):
    varejo = ProjectFactory(organization=org_a, name="Varejo")
    group = ClientGroupFactory(organization=org_a, name="Shoppings")
    group.projects.add(varejo)
    url = reverse("clients:relation_add", args=[acme.code, "groups", group.code])
    asked = bob_client.post(url, **htmx_headers)
    assert asked["HX-Retarget"] == "#modal"
    assert "Varejo" in asked.content.decode() and not acme.groups.exists()
    assert '<dialog class="dialog" data-modal aria-labelledby="group-dialog-title"' in asked.text
    # Without JavaScript the question is a page.
    page = bob_client.get(url).text
    assert "Varejo" in page and "<dialog" not in page
    done = bob_client.post(url, {"with_projects": "yes"}, **htmx_headers)
    assert "vigia:close-modal" in done["HX-Trigger"]
    assert list(acme.groups.all()) == [group] and list(acme.projects.all()) == [varejo]


def test_only_the_group_when_so_chosen(bob_client, acme, org_a):
    group = ClientGroupFactory(organization=org_a)
    group.projects.add(ProjectFactory(organization=org_a))
    url = reverse("clients:relation_add", args=[acme.code, "groups", group.code])
    bob_client.post(url, {"with_projects": "no"})
    assert acme.groups.exists() and not acme.projects.exists()


def test_foreign_items_and_clients_are_404(bob_client, charlie_client, acme, org_b):
    foreign = Company.objects.create(organization=org_b, name="Deles")
    url = reverse("clients:relation_add", args=[acme.code, "companies", foreign.code])
    assert bob_client.post(url).status_code == 404
    assert not acme.companies.exists()
    mine = Company.objects.create(organization=acme.organization, name="Nossa")
    url = reverse("clients:relation_add", args=[acme.code, "companies", mine.code])
    assert charlie_client.post(url).status_code == 404
    assert (
        bob_client.post(
            reverse("clients:relation_add", args=[acme.code, "roles", mine.code])
        ).status_code
        == 404
    )


def test_it_adds_feedback_with_author_and_date(bob_client, bob, charlie_client, acme, htmx_headers):
    url = reverse("clients:feedback_add", args=[acme.code])
    response = bob_client.post(url, {"text": "Pediu visita técnica."}, **htmx_headers)
    body = response.content.decode()
    assert "Pediu visita técnica." in body and bob.get_full_name() in body
    refused = bob_client.post(url, {"text": "  "}, **htmx_headers)
    assert refused.status_code == 200 and "obrigatório" in refused.content.decode()
    assert charlie_client.post(url, {"text": "x"}).status_code == 404
    assert ClientFeedback.objects.count() == 1


# The map's search


class _Geocoder(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(
            [{"display_name": "Avenida Paulista, São Paulo", "lat": "-23.56", "lon": "-46.65"}]
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def geocoder():
    server = HTTPServer(("127.0.0.1", 0), _Geocoder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/search"
    server.shutdown()


def test_the_search_asks_the_geocoder(bob_client, settings, geocoder):
    settings.CLIENT_MAP_GEOCODER_URL = geocoder
    answer = bob_client.get(SEARCH, {"q": "paulista"}).json()
    assert answer == {
        "results": [{"label": "Avenida Paulista, São Paulo", "lat": -23.56, "lng": -46.65}],
        "geocoder": True,
    }


def test_the_search_falls_back_to_the_organizations_places(
    bob_client, charlie_client, org_a, settings
):
    settings.CLIENT_MAP_GEOCODER_URL = "http://127.0.0.1:9/unreachable"
    settings.CLIENT_MAP_GEOCODER_TIMEOUT = 0.5
    Location.objects.create(
        organization=org_a, name="Matriz Paulista", latitude="-23.5", longitude="-46.6"
    )
    ClientFactory(organization=org_a, street="Av. Paulista", latitude="-23.4", longitude="-46.5")
    ClientFactory(organization=org_a, street="Av. Paulista")  # no point: not a place
    answer = bob_client.get(SEARCH, {"q": "paulista"}).json()
    assert answer["geocoder"] is False and len(answer["results"]) == 2
    assert charlie_client.get(SEARCH, {"q": "paulista"}).json()["results"] == []


# The lists' screens (admins)


def test_admins_manage_the_lists(alice_client, bob_client, org_a):
    url = reverse("clients:catalog", args=["services"])
    assert bob_client.get(url).status_code == 403
    body = alice_client.get(url).content.decode()
    for kind in ("locations", "companies", "services", "groups"):
        assert reverse("clients:catalog", args=[kind]) in body
    save = reverse("clients:catalog_save", args=["services"])
    response = alice_client.post(save, {"name": "Monitoramento", "service_code": "MON"})
    assert response.status_code == 302
    service = Service.objects.get()
    assert service.service_code == "MON"
    duplicate = alice_client.post(save, {"name": "Monitoramento"})
    assert duplicate.status_code == 422
    location = alice_client.post(
        reverse("clients:catalog_save", args=["locations"]), {"name": "Matriz", "state": "ZZ"}
    )
    assert location.status_code == 422 and not Location.objects.exists()
    delete = reverse("clients:catalog_delete", args=["services", service.code])
    assert alice_client.post(delete).status_code == 302 and not Service.objects.exists()


def test_charlie_cannot_touch_the_lists(charlie_client, org_a, org_b, charlie):
    service = Service.objects.create(organization=org_a, name="Nosso")
    delete = reverse("clients:catalog_delete", args=["services", service.code])
    response = charlie_client.post(delete)
    assert response.status_code in (403, 404)
    assert Service.objects.filter(pk=service.pk).exists()


def test_only_the_clients_page_allows_the_map_tiles(bob_client, acme):
    policy = bob_client.get(_page(acme))["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org" in policy
    assert "openstreetmap" not in bob_client.get(reverse("clients:list"))["Content-Security-Policy"]


def test_the_client_page_shows_its_terminals_availability_and_maintenance(bob_client, org_a):
    client = ClientFactory(organization=org_a)
    page = bob_client.get(reverse("clients:edit", args=[client.code])).content.decode()
    assert 'id="client-availability"' in page
    assert reverse("terminals:client_maintenance", args=[client.code]) in page
