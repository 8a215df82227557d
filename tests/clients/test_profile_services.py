"""The client profile's rules: client_prepare's address, culture and point checks, the
profile fields through the services, associations (groups with their projects), feedback,
additional values and the lists' entries. Run on PostgreSQL and on the embedded SQLite."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clients import services
from clients.models import Client, ClientAdditionalValue, Company, Location, Service
from clients.services import client_prepare
from specialists.models import AdditionalField
from tenancy.group_projects import group_missing_projects
from tests.factories import ClientFactory, ClientGroupFactory, ProjectFactory

BASE = {"cnpj": "11.222.333/0001-81", "razao_social": "Ótica Três Irmãos ME"}


def _png(size=(400, 300)) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", size, "teal").save(out, format="PNG")
    return SimpleUploadedFile("foto.png", out.getvalue(), content_type="image/png")


# client_prepare, the row rule of every writer


def test_it_normalizes_cep_uf_culture_and_coordinates():
    prepared = client_prepare(
        {
            "postal_code": " 01310100 ",
            "state": "sp",
            "culture": "PT-BR",
            "latitude": "-23,5613",
            "longitude": -46.6565512345,
        }
    )
    assert prepared["postal_code"] == "01310-100"
    assert prepared["state"] == "SP"
    assert prepared["culture"] == "pt-br"
    assert prepared["latitude"] == Decimal("-23.561300")
    assert prepared["longitude"] == Decimal("-46.656551")


def test_it_leaves_absent_profile_fields_absent():
    prepared = client_prepare({"cnpj": "11.222.333/0001-81"})
    assert not {"postal_code", "state", "culture", "latitude", "longitude"} & prepared.keys()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"postal_code": "1234-567"}, "postal_code"),
        ({"postal_code": "ABCDE-FGH"}, "postal_code"),
        ({"state": "XX"}, "state"),
        ({"state": "São Paulo"}, "state"),
        ({"culture": "fr"}, "culture"),
        ({"latitude": "91", "longitude": "0"}, "latitude"),
        ({"latitude": "0", "longitude": "-180.5"}, "longitude"),
        ({"latitude": "abc", "longitude": "1"}, "latitude"),
        ({"latitude": "nan", "longitude": "1"}, "latitude"),
        ({"latitude": "10", "longitude": ""}, "longitude"),
    ],
)
def test_it_refuses_bad_profile_values_naming_the_field(values, field):
    with pytest.raises(ValidationError) as caught:
        client_prepare(values)
    assert field in caught.value.message_dict


def test_it_checks_cep_and_uf_only_for_brazilian_addresses():
    prepared = client_prepare({"country": "Portugal", "postal_code": "1000-001", "state": "Lisboa"})
    assert prepared["postal_code"] == "1000-001" and prepared["state"] == "Lisboa"


# The services


def test_it_creates_a_client_with_the_profile(org_a, bob):
    location = Location.objects.create(organization=org_a, name="Shopping Center Norte")
    client = services.client_create(
        organization=org_a,
        actor=bob,
        **BASE,
        culture="es",
        location=location,
        postal_code="02170-901",
        street="Travessa Casalbuono",
        number="120",
        city="São Paulo",
        state="sp",
        latitude="-23.5168",
        longitude="-46.6174",
        photo=_png(),
    )
    client.refresh_from_db()
    assert client.culture == "es" and client.location == location and client.state == "SP"
    assert client.latitude == Decimal("-23.516800")
    assert client.photo.name and client.photo_thumbnail.name
    with Image.open(client.photo_thumbnail) as thumb:
        assert max(thumb.size) <= 160


def test_a_new_location_fills_an_empty_address(org_a, bob):
    location = Location.objects.create(
        organization=org_a,
        name="Matriz",
        postal_code="01310-100",
        street="Av. Paulista",
        city="São Paulo",
        state="SP",
    )
    client = ClientFactory(organization=org_a)
    services.client_update(organization=org_a, client=client, actor=bob, location=location)
    client.refresh_from_db()
    assert (client.street, client.postal_code, client.state) == ("Av. Paulista", "01310-100", "SP")
    # An address typed with it is the operator's adjustment: it stays.
    other = Location.objects.create(organization=org_a, name="Filial", street="Rua B")
    services.client_update(
        organization=org_a, client=client, actor=bob, location=other, street="Rua B, fundos"
    )
    client.refresh_from_db()
    assert client.street == "Rua B, fundos"


def test_it_refuses_another_organizations_location(org_a, org_b, bob):
    foreign = Location.objects.create(organization=org_b, name="Deles")
    client = ClientFactory(organization=org_a)
    with pytest.raises(ValidationError) as caught:
        services.client_update(organization=org_a, client=client, actor=bob, location=foreign)
    assert "location" in caught.value.message_dict
    client.refresh_from_db()
    assert client.location is None


def test_it_refuses_a_file_that_is_no_image(org_a, bob):
    fake = SimpleUploadedFile("foto.png", b"not an image", content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        services.client_create(organization=org_a, actor=bob, **BASE, photo=fake)
    assert "photo" in caught.value.message_dict
    assert not Client.objects.exists()


def test_it_keeps_the_data_on_a_refused_update(org_a, bob):
    client = ClientFactory(organization=org_a, postal_code="01310-100")
    with pytest.raises(ValidationError):
        services.client_update(
            organization=org_a, client=client, actor=bob, postal_code="123", razao_social="X"
        )
    client.refresh_from_db()
    assert client.postal_code == "01310-100" and client.razao_social != "X"


def test_it_associates_a_group_and_optionally_its_projects(org_a, bob):
    varejo, atacado = ProjectFactory(organization=org_a), ProjectFactory(organization=org_a)
    group = ClientGroupFactory(organization=org_a)
    group.projects.set([varejo, atacado])
    client = ClientFactory(organization=org_a)
    client.projects.add(varejo)
    assert list(group_missing_projects(member=client, group=group)) == [atacado]
    assert services.client_associate(organization=org_a, client=client, item=group) == []
    assert set(client.projects.all()) == {varejo}
    joined = services.client_associate(
        organization=org_a, client=client, item=group, with_projects=True
    )
    assert joined == [atacado]
    assert set(client.projects.all()) == {varejo, atacado} and list(client.groups.all()) == [group]


@pytest.mark.parametrize("model", [Company, Service])
def test_it_refuses_foreign_list_entries(org_a, org_b, model):
    client = ClientFactory(organization=org_a)
    foreign = model.objects.create(organization=org_b, name="Deles")
    with pytest.raises(ValidationError):
        services.client_associate(organization=org_a, client=client, item=foreign)
    assert not getattr(client, services.RELATIONS[model]).exists()


def test_it_associates_and_dissociates_companies_and_services(org_a):
    client = ClientFactory(organization=org_a)
    company = Company.objects.create(organization=org_a, name="B2 Mídia Ltda")
    service = Service.objects.create(organization=org_a, name="Monitoramento", service_code="MON")
    services.client_associate(organization=org_a, client=client, item=company)
    services.client_associate(organization=org_a, client=client, item=service)
    assert list(client.companies.all()) == [company] and list(client.services.all()) == [service]
    services.client_dissociate(organization=org_a, client=client, item=company)
    assert not client.companies.exists()


def test_it_stores_feedback_with_its_author(org_a, bob):
    client = ClientFactory(organization=org_a)
    feedback = services.client_feedback_create(
        organization=org_a, client=client, author=bob, text="  Ligou pedindo visita.  "
    )
    assert feedback.text == "Ligou pedindo visita." and feedback.author == bob
    with pytest.raises(ValidationError):
        services.client_feedback_create(organization=org_a, client=client, author=bob, text=" ")


def test_it_stores_the_clients_additional_values_only(org_a, org_b, bob):
    size = AdditionalField.objects.create(
        organization=org_a, entity="client", label="Porte", field_type="choice", choices="P\nM\nG"
    )
    since = AdditionalField.objects.create(
        organization=org_a, entity="client", label="Cliente desde", field_type="date"
    )
    specialists_field = AdditionalField.objects.create(organization=org_a, label="Matrícula")
    foreign = AdditionalField.objects.create(organization=org_b, entity="client", label="X")
    client = services.client_create(
        organization=org_a,
        actor=bob,
        **BASE,
        additional={
            size.pk: "M",
            since.pk: "2019-03-01",
            specialists_field.pk: "1",
            foreign.pk: "2",
        },
    )
    stored = dict(ClientAdditionalValue.objects.values_list("field__label", "value"))
    assert stored == {"Porte": "M", "Cliente desde": "2019-03-01"}
    with pytest.raises(ValidationError) as caught:
        services.client_update(
            organization=org_a, client=client, actor=bob, additional={size.pk: "XG"}
        )
    assert f"field_{size.pk}" in caught.value.message_dict


def test_the_same_label_may_name_a_specialists_and_a_clients_field(org_a):
    AdditionalField.objects.create(organization=org_a, label="Região")
    AdditionalField.objects.create(organization=org_a, entity="client", label="Região")


def test_it_saves_list_entries_with_their_rules(org_a, org_b):
    location = services.catalog_save(
        organization=org_a, instance=Location(), name=" Matriz ", postal_code="01310100", state="sp"
    )
    assert (location.name, location.postal_code, location.state) == ("Matriz", "01310-100", "SP")
    with pytest.raises(ValidationError) as caught:
        services.catalog_save(organization=org_a, instance=Location(), name="Matriz")
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.catalog_save(organization=org_a, instance=Location(), name="B", state="ZZ")
    assert "state" in caught.value.message_dict
    group = ClientGroupFactory(organization=org_a)
    foreign_project = ProjectFactory(organization=org_b)
    with pytest.raises(ValidationError):
        services.catalog_save(
            organization=org_a, instance=group, name=group.name, projects=[foreign_project]
        )
    assert not group.projects.exists()


def test_a_client_photo_loses_its_gps_position_and_is_served_to_members_only(
    org_a, bob, bob_client, charlie_client
):
    from tests.specialists.test_photos import _jpeg_with_gps_turned

    client = services.client_create(
        organization=org_a, actor=bob, **BASE, photo=_jpeg_with_gps_turned()
    )
    client.refresh_from_db()
    with Image.open(client.photo) as image:
        assert not image.getexif() and "comment" not in image.info
    page = bob_client.get(f"/clientes/{client.code}/").content.decode()
    assert f"/fotos/clientes/{client.code}/miniatura/" in page
    photo = bob_client.get(f"/fotos/clientes/{client.code}/foto/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert charlie_client.get(f"/fotos/clientes/{client.code}/foto/").status_code == 404
