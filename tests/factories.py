from __future__ import annotations

from datetime import datetime, timedelta

import factory
from django.utils import timezone

from clients import cnpj
from clients.models import Client, ClientGroup
from contacts.models import Contact
from contacts.services import contact_search_text
from specialists.models import (
    AdditionalField,
    Calendar,
    Feedback,
    Role,
    Shift,
    Specialist,
    SpecialistGroup,
)
from tenancy.models import Membership, Organization, Project, User
from terminals.models import DeviceType, Episode, Terminal

PASSWORD = "correct-horse-battery-staple"


def _cnpj(n: int) -> str:
    base = f"{n:08d}0001"
    return base + cnpj.check_digits(base)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    first_name = factory.Faker("first_name", locale="pt_BR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organização {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    sender_email = "alertas@example.com"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.OPERATOR


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Projeto {n}")


class ClientGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientGroup

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Grupo {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    organization = factory.SubFactory(OrganizationFactory)
    cnpj = factory.Sequence(lambda n: _cnpj(n + 1000))
    razao_social = factory.Sequence(lambda n: f"Comércio São João {n} Ltda")
    nome_fantasia = factory.Sequence(lambda n: f"São João {n}")
    conta = factory.Sequence(lambda n: f"conta-{n}")
    email_wvds = factory.Sequence(lambda n: f"wvds{n}@b2midia.com.br")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    organization = factory.SelfAttribute("client.organization")
    name = factory.Faker("name", locale="pt_BR")
    email = factory.Sequence(lambda n: f"contato{n}@example.com.br")
    phone = "+5511912345678"
    auto_dispatch = True
    search_text = factory.LazyAttribute(lambda o: contact_search_text(name=o.name, email=o.email))


class DeviceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceType
        django_get_or_create = ("organization", "name")

    organization = factory.SubFactory(OrganizationFactory)
    name = "Android"
    reconnection_procedure = "<ol><li>Reinicie o player.</li><li>Confira o Wi-Fi.</li></ol>"


class TerminalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Terminal

    organization = factory.SubFactory(OrganizationFactory)
    identifier = factory.Sequence(lambda n: f"TRM-{n:05d}")
    name = factory.Sequence(lambda n: f"Tela {n}")
    device_type = factory.SubFactory(
        DeviceTypeFactory, organization=factory.SelfAttribute("..organization")
    )
    email_wvds = "wvds@b2midia.com.br"
    last_heartbeat_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    status = Terminal.Status.CONNECTED


def episode_for(terminal: Terminal, started: datetime, ended: datetime | None = None) -> Episode:
    """A disconnection of `terminal` from `started`, open unless `ended` is given."""
    return Episode.objects.create(
        organization=terminal.organization, terminal=terminal, started_at=started, ended_at=ended
    )


class SpecialistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialist

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Faker("name", locale="pt_BR")
    email = factory.Sequence(lambda n: f"especialista{n}@example.com")


class SpecialistGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialistGroup

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Equipe {n}")


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Papel {n}")
    description = "Atende chamados de campo."


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Calendar

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Comercial {n}")


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    specialist = factory.SubFactory(SpecialistFactory)
    organization = factory.SelfAttribute("specialist.organization")
    calendar = factory.SubFactory(
        CalendarFactory, organization=factory.SelfAttribute("..organization")
    )
    starts_on = factory.LazyFunction(lambda: timezone.localdate())
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + timedelta(days=6))


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    specialist = factory.SubFactory(SpecialistFactory)
    organization = factory.SelfAttribute("specialist.organization")
    text = "Ótimo atendimento."


class AdditionalFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdditionalField

    organization = factory.SubFactory(OrganizationFactory)
    label = factory.Sequence(lambda n: f"Campo {n}")
    field_type = AdditionalField.Type.TEXT


class SearchableClientFactory(ClientFactory):
    """A client as the services store it: normalized, with its search text filled."""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from clients.services import client_fill_derived

        client = model_class(*args, **kwargs)
        client_fill_derived(client=client)
        client.save()
        return client


class CatalogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalogs.Catalog"
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Catálogo {n}")
    order = factory.Sequence(lambda n: n + 1)

    @factory.post_generation
    def clients(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.clients.set(extracted)


class CatalogDocumentFactory(factory.django.DjangoModelFactory):
    """A link document (a file document goes through catalogs.services.document_add)."""

    class Meta:
        model = "catalogs.CatalogDocument"

    catalog = factory.SubFactory(CatalogFactory)
    organization = factory.SelfAttribute("catalog.organization")
    title = factory.Sequence(lambda n: f"Documento {n}")
    url = factory.Sequence(lambda n: f"https://example.com/catalogo-{n}.pdf")
    order = factory.Sequence(lambda n: n + 1)
