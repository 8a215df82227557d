"""Demo data: one organization with an admin, an operator, projects, clients, contacts,
device types and terminals. Idempotent: rows are found by natural keys and random data
comes from a fixed seed, so a second run changes nothing. The bulk writes apply each app's
row rule (client_prepare, contact_prepare, terminal_prepare), as every writer must."""

from __future__ import annotations

import random
import unicodedata
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import slugify

from catalogs.models import Catalog
from catalogs.services import catalog_create, document_add
from clients import cnpj
from clients.models import Client, ClientGroup
from clients.services import client_prepare
from contacts.models import Contact
from contacts.services import contact_prepare
from portal.b2b import b2b_user_get, b2b_user_save
from specialists.models import Calendar, Role, Specialist, SpecialistGroup
from tenancy.models import Membership, Organization, Project, User
from terminals.models import DeviceType, Terminal
from terminals.services import terminal_prepare

DEMO_PASSWORD = "vigia-demo-2026"  # noqa: S105 - printed on purpose: demo credentials
PORTAL_DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - printed on purpose, as the above
# Platform staff, belonging to no organization: made only when asked (--platform-superuser).
PLATFORM_USER = "plataforma"
USERS = (
    ("admin", "Ana", "Administradora", Membership.Role.ADMIN),
    ("operador", "Otávio", "Operador", Membership.Role.OPERATOR),
)
PREFIXES = (
    "Comércio de",
    "Distribuidora",
    "Supermercados",
    "Farmácias",
    "Padaria",
    "Auto Posto",
    "Lojas",
    "Restaurante",
    "Hotel",
    "Academia",
    "Clínica",
    "Construtora",
    "Transportes",
)
NAMES = (
    "São João",
    "Bela Vista",
    "Ipiranga",
    "Paulista",
    "Açaí do Norte",
    "Três Irmãos",
    "Boa Esperança",
    "Mercês",
    "Santa Luzia",
    "Pão de Ouro",
    "Jardim Botânico",
    "Itaú",
    "Cruzeiro",
    "Horizonte",
    "Araucária",
    "Guanabara",
    "Nossa Senhora",
    "Porto Alegre",
)
SUFFIXES = ("Ltda", "S.A.", "ME", "EIRELI", "Ltda.")
CITIES = ("sp", "rj", "bh", "poa", "cwb", "rec", "ssa", "bsb")
FIRST = (
    "Maria",
    "João",
    "Ana",
    "Pedro",
    "Luiza",
    "Carlos",
    "Fernanda",
    "Rafael",
    "Juliana",
    "Bruno",
)
LAST = ("Silva", "Souza", "Oliveira", "Santos", "Pereira", "Lima", "Costa", "Almeida", "Gomes")
PROCEDURE = """<ol>
<li>Verifique se o equipamento {name} está ligado na tomada e se o LED de energia está aceso.</li>
<li>Confira o cabo de rede ou o Wi-Fi: abra as configurações de rede do {name} e confirme a conexão.</li>
<li>Reinicie o equipamento: desligue-o da tomada por 30 segundos e ligue novamente.</li>
<li>Aguarde cinco minutos. Se o terminal continuar desconectado, responda este e-mail.</li>
</ol>"""
DEVICE_TYPES = ("Android", "Windows", "LG webOS", "Samsung Tizen", "BrightSign")


def unaccented(text: str) -> str:
    # E-mail addresses take no accents: "joão" would fail validation.
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _portal_contacts(organization: Organization, now) -> None:
    """The Contatos screen with every status: invited, active (password PORTAL_DEMO_PASSWORD,
    terms accepted), deactivated, and two people without a company, not registered."""
    from django.contrib.auth.hashers import make_password

    from portal.models import PortalAccount

    for n, name in enumerate(("Helena Prado", "Otávio Reis")):
        values = {
            "name": name,
            "email": f"{unaccented(name).replace(' ', '.').lower()}@gmail.com",
            "phone": f"(21) 98877-000{n}",
        }
        Contact.objects.create(organization=organization, client=None, **contact_prepare(values))
    password = make_password(PORTAL_DEMO_PASSWORD)
    statuses = ("inactive", "active", "active", "deactivated", "inactive", "active")
    picked = Contact.objects.for_org(organization).exclude(client=None).order_by("id")[:6]
    PortalAccount.objects.bulk_create(
        PortalAccount(
            organization=organization,
            kind=PortalAccount.Kind.CONTACT,
            contact=contact,
            client_id=contact.client_id,
            status=status,
            password="" if status == "inactive" else password,
            invited_at=now - timedelta(days=3 + i),
            activated_at=None if status == "inactive" else now - timedelta(days=2),
            terms_accepted_at=now - timedelta(days=2) if status == "active" else None,
        )
        for i, (contact, status) in enumerate(zip(picked, statuses, strict=False))
    )


def random_cnpj(rng: random.Random, alphanumeric: bool) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ" if alphanumeric else "0123456789"
    base = "".join(rng.choice(alphabet) for _ in range(8)) + "0001"
    return base + cnpj.check_digits(base)


class Command(BaseCommand):
    help = "Creates (or keeps) the demo organization, its users and realistic data."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=300)
        parser.add_argument(
            "--platform-superuser",
            action="store_true",
            help=f"Also create the platform's superuser ({PLATFORM_USER}), who sees every "
            "organization in the Django admin.",
        )

    @transaction.atomic
    def handle(self, *args, clients: int, platform_superuser: bool = False, **options):
        rng = random.Random(2026)  # noqa: S311 - demo data, not secrets
        organization, _ = Organization.objects.get_or_create(
            slug="vigia-demo",
            defaults={"name": "Vigia Demo", "sender_email": "alertas@vigia.example"},
        )
        for username, first, last, role in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@vigia.example",
                },
            )
            # The organization's admin uses the Django admin scoped to the organization; only
            # the platform's staff are superusers (an older demo made its admin one).
            user.is_staff, user.is_superuser = role == Membership.Role.ADMIN, False
            if created:
                user.set_password(DEMO_PASSWORD)
            user.save()
            Membership.objects.get_or_create(
                organization=organization, user=user, defaults={"role": role}
            )
        projects = [
            Project.objects.get_or_create(organization=organization, name=name)[0]
            for name in ("Varejo", "Farmácias")
        ]
        device_types = [
            DeviceType.objects.get_or_create(
                organization=organization,
                name=name,
                defaults={"reconnection_procedure": PROCEDURE.format(name=name)},
            )[0]
            for name in DEVICE_TYPES
        ]
        for model, names in (
            (SpecialistGroup, ("Suporte N1", "Suporte N2", "Campo")),
            (Role, ("Técnico de campo", "Analista de monitoramento")),
            (Calendar, ("Comercial 8h–18h", "Plantão 24h")),
            (ClientGroup, ("Shoppings", "Rua", "Franquias")),
        ):
            for name in names:
                model.objects.get_or_create(organization=organization, name=name)
        Specialist.objects.get_or_create(
            organization=organization,
            email="integracao@vigia.example",
            defaults={"name": "Integração Players"},
        )
        self._seed_clients(organization, projects, device_types, clients, rng)
        self._seed_association(organization, projects)
        self._seed_catalogs(organization)
        self._seed_client_profiles(organization, projects)
        self._seed_console(organization, rng)
        portal_person = self._seed_requests(organization)
        usernames = [username for username, *_ in USERS]
        if platform_superuser:
            user, created = User.objects.get_or_create(
                username=PLATFORM_USER,
                defaults={"email": f"{PLATFORM_USER}@vigia.example", "first_name": "Plataforma"},
            )
            user.is_staff = user.is_superuser = True
            if created:
                user.set_password(DEMO_PASSWORD)
            user.save()
            usernames.append(PLATFORM_USER)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        for username in usernames:
            self.stdout.write(f"  user: {username}  password: {DEMO_PASSWORD}")
        if portal_person:
            self.stdout.write(
                f"  client portal: /portal/{organization.slug}/  "
                f"login: {portal_person}  password: {PORTAL_DEMO_PASSWORD}"
            )

    def _seed_requests(self, organization) -> str:
        """Solicitações from three active portal people, sent and moved along through the
        requests' services (an attachment each, one received, one in processing with a
        reply). Returns the e-mail of a person who can log in to the portal."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from portal.models import PortalAccount
        from servicerequests.models import ServiceRequest
        from servicerequests.services import request_reply, request_status_set, request_submit

        # People whose company has terminals first: the portal's Início then shows some.
        people = list(
            PortalAccount.objects.for_org(organization)
            .filter(status=PortalAccount.Status.ACTIVE, kind=PortalAccount.Kind.CONTACT)
            .annotate(
                with_terminals=Exists(Terminal.objects.filter(client_id=OuterRef("client_id")))
            )
            .select_related("contact", "client")
            .order_by("-with_terminals", "id")[:3]
        )
        if not people:
            return ""
        if ServiceRequest.objects.for_org(organization).exists():
            return people[0].contact.email
        operator = User.objects.get(username=USERS[-1][0])
        asks = (
            ("Player sem som no totem da entrada", "Desde ontem o player toca sem áudio."),
            ("Trocar o conteúdo da vitrine", "Segue a nova campanha para a vitrine da loja."),
            ("Tela piscando no caixa 2", "A tela pisca a cada poucos minutos."),
        )
        for n, (account, (subject, description)) in enumerate(zip(people, asks, strict=False)):
            note = SimpleUploadedFile("detalhes.txt", description.encode(), "text/plain")
            sent = request_submit(
                organization=organization,
                subject=subject,
                description=description,
                files=[note],
                requester_name=account.contact.name,
                requester_email=account.contact.email,
                client=account.client,
                account=account,
                contact=account.contact,
            )
            for status in ("received", "processing")[:n]:
                request_status_set(
                    organization=organization, service_request=sent, status=status, actor=operator
                )
            if n == 2:
                request_reply(
                    organization=organization,
                    service_request=sent,
                    body="Um técnico passa na loja amanhã de manhã.",
                    actor=operator,
                )
        return people[0].contact.email

    def _seed_client_profiles(self, organization, projects):
        """The client page's lists (locations, companies, services, an additional field) and a
        few complete profiles, written through the clients' services (client_prepare)."""
        from clients import services as client_services
        from clients.models import Company, Location, Service
        from specialists.models import AdditionalField

        places = (
            (
                "Shopping Center Norte",
                "02170-901",
                "Travessa Casalbuono",
                "120",
                "São Paulo",
                "-23.516800",
                "-46.617400",
            ),
            (
                "Matriz Paulista",
                "01310-100",
                "Avenida Paulista",
                "1578",
                "São Paulo",
                "-23.561400",
                "-46.655900",
            ),
        )
        locations = []
        for name, cep, street, number, city, lat, lng in places:
            location, _ = Location.objects.get_or_create(
                organization=organization,
                name=name,
                defaults={
                    "postal_code": cep,
                    "street": street,
                    "number": number,
                    "city": city,
                    "state": "SP",
                    "latitude": lat,
                    "longitude": lng,
                },
            )
            locations.append(location)
        companies = [
            Company.objects.get_or_create(organization=organization, name=name)[0]
            for name in ("B2 Mídia Ltda", "B2 Mídia Serviços de Campo Ltda")
        ]
        catalog = [
            Service.objects.get_or_create(
                organization=organization, name=name, defaults={"service_code": code}
            )[0]
            for name, code in (("Monitoramento 24h", "MON"), ("Visita técnica", "VT"))
        ]
        AdditionalField.objects.get_or_create(
            organization=organization,
            entity=AdditionalField.Entity.CLIENT,
            label="Porte",
            defaults={"field_type": "choice", "choices": "Pequeno\nMédio\nGrande"},
        )
        ClientGroup.objects.get(organization=organization, name="Shoppings").projects.add(
            projects[0]
        )
        for client, location in zip(
            Client.objects.for_org(organization).filter(location=None).order_by("id")[:2],
            locations,
            strict=False,
        ):
            client_services.client_update(
                organization=organization,
                client=client,
                actor=None,
                culture="pt-br",
                location=location,
                latitude=location.latitude,
                longitude=location.longitude,
            )
            client.companies.add(companies[0])
            client.services.add(*catalog)

    def _seed_association(self, organization, projects):
        """Association mode has something to show: specialists split between the projects,
        and an archived project (out of the selector) that keeps a few clients."""
        names = ("Ana Souza", "Bruno Lima", "Carla Dias", "Diego Rocha", "Elisa Nunes")
        for i, name in enumerate(names):
            specialist, _ = Specialist.objects.get_or_create(
                organization=organization,
                email=f"{unaccented(name).lower().replace(' ', '.')}@vigia.example",
                defaults={"name": name},
            )
            specialist.projects.add(projects[i % 2])
        archived, _ = Project.objects.get_or_create(
            organization=organization, name="Piloto 2025", defaults={"archived": True}
        )
        archived.clients.add(*Client.objects.for_org(organization).order_by("pk")[:5])

    def _seed_clients(self, organization, projects, device_types, count, rng):
        now = timezone.now()
        grace = timedelta(minutes=organization.alert_grace_minutes)
        existing = set(Client.objects.for_org(organization).values_list("cnpj", flat=True))
        new_clients, seen = [], set(existing)
        for i in range(count):
            number = random_cnpj(rng, alphanumeric=i % 10 == 0)
            name = f"{rng.choice(PREFIXES)} {rng.choice(NAMES)}"
            city = rng.choice(CITIES)
            suffix = rng.choice(SUFFIXES)
            # Every random draw happens before this test, so a re-run draws the same sequence.
            if number in seen:
                continue
            seen.add(number)
            values = {
                "cnpj": number,
                "razao_social": f"{name} {suffix}",
                "nome_fantasia": name,
                "conta": f"{city}-{i:04d}",
                "email_wvds": f"wvds.{city}{i % 40:02d}@b2midia.com.br",
                "status": Client.Status.ACTIVE if i % 9 else Client.Status.INACTIVE,
            }
            new_clients.append(Client(organization=organization, **client_prepare(values)))
        Client.objects.bulk_create(new_clients)
        if not new_clients:
            return
        created = list(
            Client.objects.for_org(organization).filter(cnpj__in=[c.cnpj for c in new_clients])
        )
        through = Client.projects.through
        through.objects.bulk_create(
            [through(client_id=c.pk, project_id=projects[i % 2].pk) for i, c in enumerate(created)]
        )
        contacts, terminals = [], []
        for i, client in enumerate(created):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            mobile = rng.randint(10000000, 99999999)
            # Typed as operators type them; the row rule stores one spelling of each.
            values = {
                "name": f"{first} {last}",
                "email": f"{unaccented(first)}.{unaccented(last)}{i}@Example.com.br",
                "phone": f"(11) 9{mobile // 10000:04d}-{mobile % 10000:04d}",
                "auto_dispatch": i % 3 == 0,
            }
            contacts.append(
                Contact(organization=organization, client=client, **contact_prepare(values))
            )
            for j in range(rng.randint(0, 3)):
                minutes = rng.choice((None, 1, 2, 3, 5, 8, 45, 180, 3000))
                heartbeat = None if minutes is None else now - timedelta(minutes=minutes)
                prepared = terminal_prepare(
                    {
                        "identifier": f"TRM-{client.conta.upper()}-{j + 1}",
                        "email_wvds": client.email_wvds,
                    }
                )
                terminals.append(
                    Terminal(
                        organization=organization,
                        name=f"{client.nome_fantasia} · tela {j + 1}",
                        device_type=rng.choice(device_types),
                        **prepared,
                        client=client if j < 2 else None,
                        last_heartbeat_at=heartbeat,
                        # Stale terminals start connected with a deadline already past: the
                        # first sweep turns them disconnected and sends the real alerts.
                        status=Terminal.Status.NEVER_SEEN
                        if heartbeat is None
                        else Terminal.Status.CONNECTED,
                        alert_after=None if heartbeat is None else heartbeat + grace,
                    )
                )
        Contact.objects.bulk_create(contacts)
        _portal_contacts(organization, now)
        Terminal.objects.bulk_create(terminals, ignore_conflicts=True)

    def _seed_console(self, organization, rng):
        """The monitoring console's month: past disconnections of some terminals (one of
        them acknowledged) and a client in maintenance. Only once: the episodes of later
        days are the sweep's."""
        from terminals.models import Episode
        from terminals.services import (
            episode_acknowledge,
            episodes_record_past,
            maintenance_create,
        )

        if Episode.objects.for_org(organization).exists():
            return
        now = timezone.now()
        reporting = list(
            Terminal.objects.for_org(organization)
            .exclude(status=Terminal.Status.NEVER_SEEN)
            .order_by("id")[:60]
        )
        episodes = []
        for terminal in reporting[::2]:
            for _ in range(rng.randint(1, 4)):
                started = now - timedelta(days=rng.uniform(1, 30))
                episodes.append(
                    Episode(
                        organization=organization,
                        terminal=terminal,
                        client_id=terminal.client_id,
                        started_at=started,
                        last_heartbeat_at=started - timedelta(minutes=15),
                        ended_at=started + timedelta(minutes=rng.choice((10, 25, 90, 240, 600))),
                    )
                )
        episodes = episodes_record_past(organization=organization, episodes=episodes)
        operator = User.objects.get(username=USERS[-1][0])
        if episodes:
            episode_acknowledge(
                organization=organization,
                episode=episodes[0],
                actor=operator,
                note="Loja sem energia; técnico confirmou a volta.",
            )
        linked = [terminal for terminal in reporting if terminal.client_id]
        if linked:
            maintenance_create(
                organization=organization,
                actor=operator,
                client=linked[-1].client,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(days=2),
                reason="Reforma da loja",
            )

    def _seed_catalogs(self, organization):
        """Firenze's B2B access: two catalogs of links, and B2B users (named after the CNPJ
        root) for the first clients of the list, each with its catalogs released."""
        if Catalog.objects.for_org(organization).exists():
            return
        summer = catalog_create(
            organization=organization,
            name="Coleção Verão 2027",
            description="Lançamentos da estação, preços e fichas técnicas.",
        )
        winter = catalog_create(organization=organization, name="Coleção Inverno 2027")
        documents = ((summer, "Lookbook"), (summer, "Tabela de preços"), (winter, "Lookbook"))
        for catalog, title in documents:
            document_add(
                organization=organization,
                catalog=catalog,
                title=title,
                url=f"https://vigia.example/catalogos/{catalog.pk}/{slugify(title)}.pdf",
            )
        first_clients = Client.objects.for_org(organization).order_by("razao_social")[:3]
        for n, client in enumerate(first_clients):
            if b2b_user_get(client=client) is None:
                b2b_user_save(
                    organization=organization,
                    client=client,
                    email=f"compras{n}@cliente.example",
                    password=DEMO_PASSWORD,
                    catalogs=[summer] if n else [summer, winter],
                )
