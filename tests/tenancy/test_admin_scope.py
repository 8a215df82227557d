"""The Django admin as an organization's admin: scoped to the organizations they administer
(lists, references, import and export rows, users); superusers are the platform's staff."""

from __future__ import annotations

import io

import pytest
import tablib
from auditlog.models import LogEntry
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse

from clients.models import Client
from clients.resources import CLIENT_FORMAT, ClientResource
from importexport.admin_resources import ORGANIZATION_HEADER
from tenancy.admin import TenantAdminMixin
from tenancy.models import Membership, Organization, TenantModel, User
from terminals.models import Terminal
from terminals.resources import TerminalResource
from tests.factories import (
    PASSWORD,
    ClientFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)

MARKER = "SEGREDO-DA-ORG-A"


@pytest.fixture
def staff_charlie(charlie) -> HttpClient:
    """Charlie, organization B's admin, with access to the Django admin."""
    charlie.is_staff = True
    charlie.save()
    client = HttpClient()
    client.force_login(charlie)
    return client


@pytest.fixture
def client_a(org_a):
    return ClientFactory(organization=org_a, razao_social=f"{MARKER} Ltda", nome_fantasia=MARKER)


@pytest.fixture
def client_b(org_b):
    return ClientFactory(organization=org_b, razao_social="Padaria da B Ltda")


def test_it_lists_only_the_rows_of_the_admins_organizations(staff_charlie, client_a, client_b):
    response = staff_charlie.get(reverse("admin:clients_client_changelist"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Padaria da B" in body and MARKER not in body
    # The organization filter names only organization B, never A.
    assert "Organização A" not in body


def test_it_treats_a_foreign_row_as_missing(staff_charlie, client_a):
    for name in ("change", "delete", "history"):
        response = staff_charlie.get(reverse(f"admin:clients_client_{name}", args=[client_a.pk]))
        assert response.status_code in (302, 404), name
        assert MARKER not in response.content.decode()
    assert staff_charlie.post(
        reverse("admin:clients_client_delete", args=[client_a.pk]), {"post": "yes"}
    ).status_code in (302, 404)
    assert Client.objects.filter(pk=client_a.pk).exists()


def test_it_offers_only_the_admins_organizations_and_their_rows(staff_charlie, org_a, org_b):
    ProjectFactory(organization=org_a, name=f"{MARKER} projeto")
    ProjectFactory(organization=org_b, name="Projeto da B")
    response = staff_charlie.get(reverse("admin:clients_client_add"))
    form = response.context["adminform"].form
    assert list(form.fields["organization"].queryset) == [org_b]
    assert form.fields["organization"].initial == org_b.pk
    assert [p.name for p in form.fields["projects"].queryset] == ["Projeto da B"]
    assert MARKER not in response.content.decode()


def test_it_refuses_a_row_for_another_organization_or_with_a_foreign_reference(
    staff_charlie, org_a, org_b
):
    data = {
        "cnpj": "11222333000181",
        "razao_social": "Invasora Ltda",
        "nome_fantasia": "",
        "conta": "",
        "email_wvds": "",
        "status": "active",
        "anotacoes": "",
    }
    url = reverse("admin:clients_client_add")
    assert staff_charlie.post(url, {**data, "organization": org_a.pk}).status_code == 200
    project_a = ProjectFactory(organization=org_a)
    response = staff_charlie.post(
        url, {**data, "organization": org_b.pk, "projects": [project_a.pk]}
    )
    assert response.status_code == 200
    assert not Client.objects.filter(razao_social="Invasora Ltda").exists()


def test_it_keeps_a_rows_organization_on_change(staff_charlie, client_b):
    response = staff_charlie.get(reverse("admin:clients_client_change", args=[client_b.pk]))
    assert "organization" not in response.context["adminform"].form.fields


def test_operators_and_staff_without_an_admin_membership_see_no_model(bob, client_a):
    bob.is_staff = True
    bob.save()
    client = HttpClient()
    client.force_login(bob)
    assert client.get(reverse("admin:index")).context["available_apps"] == []
    assert client.get(reverse("admin:clients_client_changelist")).status_code == 403
    assert client.get(reverse("admin:clients_client_import")).status_code == 403
    assert client.get(reverse("admin:clients_client_export")).status_code == 403


def test_every_admin_of_tenant_rows_is_scoped(org_b, charlie):
    """A ModelAdmin of organization rows either uses TenantAdminMixin or shows nothing to an
    organization's admin (Django's permission tables grant them nothing)."""
    charlie.is_staff = True
    request = type("Request", (), {"user": charlie})()
    for model, model_admin in admin.site._registry.items():
        if issubclass(model, TenantModel | Organization | User):
            assert isinstance(model_admin, TenantAdminMixin) or not (
                model_admin.has_module_permission(request)
            ), model


def test_the_users_admin_shows_members_only_and_grants_no_platform_rights(
    staff_charlie, charlie, org_a, org_b, alice
):
    bea = UserFactory(username="bea")
    MembershipFactory(organization=org_b, user=bea)
    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    MembershipFactory(organization=org_b, user=root)
    response = staff_charlie.get(reverse("admin:tenancy_user_changelist"))
    body = response.content.decode()
    assert "bea" in body and "alice" not in body
    # Alice is not theirs; the superuser is not theirs to edit.
    assert (
        staff_charlie.get(reverse("admin:tenancy_user_change", args=[alice.pk])).status_code == 302
    )
    # The superuser is a member: shown, read-only, and a post changes nothing.
    root_url = reverse("admin:tenancy_user_change", args=[root.pk])
    assert not staff_charlie.get(root_url).context["has_change_permission"]
    assert staff_charlie.post(root_url, {"username": "mine"}).status_code == 403
    assert (
        staff_charlie.get(reverse("admin:auth_user_password_change", args=[root.pk])).status_code
        == 403
    )
    form = (
        staff_charlie.get(reverse("admin:tenancy_user_change", args=[bea.pk]))
        .context["adminform"]
        .form
    )
    assert not {"is_superuser", "groups", "user_permissions"} & set(form.fields)


def test_a_user_with_rights_elsewhere_is_not_theirs_to_edit(staff_charlie, org_a, org_b, alice):
    MembershipFactory(organization=org_b, user=alice, role=Membership.Role.OPERATOR)
    url = reverse("admin:tenancy_user_change", args=[alice.pk])
    assert not staff_charlie.get(url).context["has_change_permission"]
    assert staff_charlie.post(url, {"username": "mine"}).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[alice.pk])
    assert staff_charlie.post(password_url, {"password1": "x", "password2": "x"}).status_code == 403


def test_the_organizations_admin_shows_theirs_only(staff_charlie, org_a, org_b):
    body = staff_charlie.get(reverse("admin:tenancy_organization_changelist")).content.decode()
    assert "Organização B" in body and "Organização A" not in body
    assert staff_charlie.get(reverse("admin:tenancy_organization_add")).status_code == 403


def _client_row(org, cnpj="11222333000181", **cells) -> dict:
    headers = [column.header for column in CLIENT_FORMAT.columns]
    row = dict.fromkeys(headers, "")
    row.update({"CNPJ": cnpj, "Razão social": "Padaria Pão Dourado", "Status": "active"})
    row.update(cells)
    return {**row, ORGANIZATION_HEADER: org.slug}


def _dataset(*rows: dict) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(rows[0]))
    for row in rows:
        dataset.append(list(row.values()))
    return dataset


def test_the_import_writes_only_in_the_admins_organizations(org_a, org_b):
    scoped = ClientResource(organization_ids=[org_b.pk])
    foreign = scoped.import_data(_dataset(_client_row(org_a)), dry_run=False)
    assert foreign.has_errors() or foreign.has_validation_errors()
    assert not Client.objects.exists()
    # Another organization's row is not found to be updated either.
    ClientFactory(organization=org_a, cnpj="11222333000181", razao_social=MARKER)
    assert scoped.import_data(_dataset(_client_row(org_a)), dry_run=False).has_errors()
    assert Client.objects.get(organization=org_a).razao_social == MARKER
    ours = scoped.import_data(_dataset(_client_row(org_b)), dry_run=False)
    assert not ours.has_errors() and not ours.has_validation_errors()
    assert Client.objects.filter(organization=org_b).count() == 1


def test_the_import_refuses_a_reference_to_another_organizations_row(org_a, org_b):
    from terminals.resources import TERMINAL_FORMAT

    client_a = ClientFactory(organization=org_a)
    row = dict.fromkeys([column.header for column in TERMINAL_FORMAT.columns], "")
    client_header = next(c.header for c in TERMINAL_FORMAT.columns if c.field == "client")
    identifier_header = next(c.header for c in TERMINAL_FORMAT.columns if c.field == "identifier")
    row.update({identifier_header: "TRM-X", client_header: client_a.cnpj})
    row[ORGANIZATION_HEADER] = org_b.slug
    result = TerminalResource(organization_ids=[org_b.pk]).import_data(_dataset(row), dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    assert not Terminal.objects.exists()


def test_the_export_writes_only_the_admins_rows(staff_charlie, client_a, client_b):
    url = reverse("admin:clients_client_export")
    form = staff_charlie.get(url).context["form"]
    csv = next(value for value, name in form.fields["format"].choices if name == "csv")
    data = {"format": csv, "resource": 0}
    data.update({name: "on" for name in form.fields if name not in (*data, "export_items")})
    response = staff_charlie.post(url, data)
    assert response.status_code == 200, response.context["form"].errors
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Padaria da B" in content and MARKER.encode() not in content


def test_the_admin_import_is_one_history_entry_and_refuses_foreign_rows(
    staff_charlie, org_a, org_b
):
    url = reverse("admin:clients_client_import")
    form = staff_charlie.get(url).context["form"]
    csv = next(value for value, name in form.fields["format"].choices if name == "csv")

    def upload(*rows):
        content = _dataset(*rows).export("csv").encode()
        file = SimpleUploadedFile("clientes.csv", content, content_type="text/csv")
        return staff_charlie.post(url, {"import_file": file, "format": csv, "resource": 0})

    refused = upload(_client_row(org_a))
    assert "confirm_form" not in refused.context or refused.context["confirm_form"] is None
    rows = [_client_row(org_b, cnpj=c) for c in ("11222333000181", "11444777000161")]
    preview = upload(*rows)
    confirm = preview.context["confirm_form"]
    before = LogEntry.objects.count()
    done = staff_charlie.post(
        reverse("admin:clients_client_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    assert done.status_code == 302
    assert Client.objects.filter(organization=org_b).count() == 2
    [entry] = LogEntry.objects.order_by("-pk")[: LogEntry.objects.count() - before]
    assert entry.additional_data["event"] == "import"
    assert entry.additional_data["created"] == 2
    assert entry.additional_data["file"] == "clientes.csv"
    assert entry.object_id == org_b.pk


def test_the_admin_import_screen_names_a_group_its_organization_lacks(staff_charlie, org_b):
    url = reverse("admin:clients_client_import")
    form = staff_charlie.get(url).context["form"]
    csv = next(value for value, name in form.fields["format"].choices if name == "csv")
    content = _dataset(_client_row(org_b, Grupos="Postos")).export("csv").encode()
    file = SimpleUploadedFile("clientes.csv", content, content_type="text/csv")
    preview = staff_charlie.post(url, {"import_file": file, "format": csv, "resource": 0})
    assert preview.context.get("confirm_form") is None
    assert "“Grupos”: não encontrado nesta organização: Postos." in preview.content.decode()
    assert not Client.objects.exists()


def test_seed_demo_makes_an_organization_admin_not_a_superuser(db):
    call_command("seed_demo", clients=3, stdout=io.StringIO())
    demo_admin = User.objects.get(username="admin")
    assert demo_admin.is_staff and not demo_admin.is_superuser
    assert demo_admin.memberships.get().role == Membership.Role.ADMIN
    assert not User.objects.filter(is_superuser=True).exists()
    call_command("seed_demo", clients=3, platform_superuser=True, stdout=io.StringIO())
    platform = User.objects.get(is_superuser=True)
    assert platform.is_staff and not platform.memberships.exists()


def test_the_admin_shows_a_rows_history(staff_charlie, client_b):
    client_b.conta = "nova"
    client_b.save()
    assert (
        "auditlog" in staff_charlie.get(reverse("admin:clients_client_changelist")).content.decode()
    )
    url = reverse("admin:clients_client_auditlog", args=[client_b.pk])
    response = staff_charlie.get(url)
    assert response.status_code == 200
    assert "nova" in response.content.decode()
    missing = reverse("admin:clients_client_auditlog", args=[client_b.pk + 1000])
    assert staff_charlie.get(missing).status_code == 302


def _new_user(organization, username="nova") -> dict:
    return {
        "username": username,
        "password1": "uma-senha-bem-longa-42",
        "password2": "uma-senha-bem-longa-42",
        "usable_password": "true",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "1",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-organization": organization.pk,
        "memberships-0-role": Membership.Role.OPERATOR,
    }


def test_a_user_an_organization_admin_adds_joins_one_of_their_organizations(
    staff_charlie, org_a, org_b
):
    url = reverse("admin:tenancy_user_add")
    assert staff_charlie.post(url, _new_user(org_a)).status_code == 200
    assert not User.objects.filter(username="nova").exists()
    without = {**_new_user(org_b), "memberships-TOTAL_FORMS": "0"}
    assert staff_charlie.post(url, without).status_code == 200
    assert not User.objects.filter(username="nova").exists()
    assert staff_charlie.post(url, _new_user(org_b)).status_code == 302
    user = User.objects.get(username="nova")
    assert not (user.is_staff or user.is_superuser)
    assert list(user.memberships.values_list("organization", flat=True)) == [org_b.pk]


def test_requests_and_portal_accounts_are_shown_scoped_and_never_changed(
    staff_charlie, org_a, org_b
):
    from portal.models import PortalAccount
    from servicerequests.models import ServiceRequest

    mine = ServiceRequest.objects.create(
        organization=org_b, subject="Pedido da B", requester_name="Bia", requester_email="b@b.br"
    )
    ServiceRequest.objects.create(
        organization=org_a, subject=MARKER, requester_name="Ana", requester_email="a@a.br"
    )
    account = PortalAccount.objects.create(organization=org_b, kind="b2b", username="loja-b")
    PortalAccount.objects.create(organization=org_a, kind="b2b", username=MARKER.lower())

    for model, row in (("servicerequests_servicerequest", mine), ("portal_portalaccount", account)):
        listing = staff_charlie.get(reverse(f"admin:{model}_changelist")).content.decode()
        assert str(row) in listing and MARKER not in listing and MARKER.lower() not in listing
        page = staff_charlie.get(reverse(f"admin:{model}_change", args=[row.pk]))
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert staff_charlie.get(reverse(f"admin:{model}_add")).status_code == 403
        assert (
            staff_charlie.post(reverse(f"admin:{model}_delete", args=[row.pk])).status_code == 403
        )
