from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from specialists.models import AdditionalField, Feedback, Shift, Specialist
from tests.factories import (
    AdditionalFieldFactory,
    FeedbackFactory,
    ProjectFactory,
    RoleFactory,
    ShiftFactory,
    SpecialistFactory,
    SpecialistGroupFactory,
)
from tests.specialists.conftest import png_upload


def _detail(specialist, tab: str = "") -> str:
    url = reverse("specialists:detail", kwargs={"code": specialist.code})
    return f"{url}?tab={tab}" if tab else url


def _profile(**overrides) -> dict:
    data = {"name": "Bia Lima", "email": "bia@example.com", "status": "active", "culture": "pt-br"}
    data.update(overrides)
    return data


def test_it_checks_ownership(charlie_client, specialist_a, calendar_a):
    group = SpecialistGroupFactory(organization=specialist_a.organization)
    shift = ShiftFactory(specialist=specialist_a, calendar=calendar_a)
    code = specialist_a.code
    gets = [
        _detail(specialist_a),
        _detail(specialist_a, "tokens"),
        reverse("specialists:shift_remove", kwargs={"code": code, "shift_code": shift.code}),
        reverse("specialists:association_choices", kwargs={"code": code, "kind": "groups"}),
    ]
    for url in gets:
        assert charlie_client.get(url).status_code == 404, url
    posts = [
        reverse("specialists:update", kwargs={"code": code}),
        reverse("specialists:feedback_add", kwargs={"code": code}),
        reverse("specialists:shift_add", kwargs={"code": code}),
        reverse("specialists:shift_remove", kwargs={"code": code, "shift_code": shift.code}),
        reverse(
            "specialists:association_add",
            kwargs={"code": code, "kind": "groups", "item_code": group.code},
        ),
    ]
    for url in posts:
        assert charlie_client.post(url, _profile(text="x")).status_code == 404, url
    assert Shift.objects.filter(pk=shift.pk).exists()
    assert not specialist_a.groups.exists()
    specialist_a.refresh_from_db()
    assert specialist_a.name == "Ana Souza"


def test_it_lists_and_searches(alice_client, org_a, org_b, django_assert_max_num_queries):
    for n in range(30):
        SpecialistFactory(organization=org_a, name=f"Pessoa {n:02d}")
    SpecialistFactory(organization=org_a, name="Zélia Inativa", status="inactive")
    SpecialistFactory(organization=org_b, name="Pessoa de fora")
    with django_assert_max_num_queries(8):
        response = alice_client.get(reverse("specialists:list"))
    assert response.status_code == 200
    assert "Pessoa 00" in response.text and "Pessoa de fora" not in response.text
    response = alice_client.get(reverse("specialists:list"), {"status": "inactive"})
    assert "Zélia" in response.text and "Pessoa 00" not in response.text
    response = alice_client.get(reverse("specialists:list"), {"q": "especialista"})
    assert "Pessoa 00" in response.text  # factory e-mails are especialistaN@


def test_it_answers_the_search_with_the_results_fragment(alice_client, specialist_a, htmx_headers):
    response = alice_client.get(reverse("specialists:list"), {"q": "ana"}, **htmx_headers)
    assert 'id="results"' in response.text
    assert "<html" not in response.text
    assert "Ana Souza" in response.text


def test_it_shows_the_create_page_with_later_tabs_disabled(alice_client):
    response = alice_client.get(reverse("specialists:create"))
    assert response.status_code == 200
    assert 'aria-disabled="true"' in response.text
    assert "Novo" in alice_client.get(reverse("specialists:list")).text


def test_it_creates_a_specialist(alice_client, org_a, media_root):
    field = AdditionalFieldFactory(organization=org_a, label="Matrícula")
    response = alice_client.post(
        reverse("specialists:create_submit"),
        {
            **_profile(city="Recife", password="Turno-Noturno-2026"),
            f"field_{field.pk}": "A-17",
            "photo": png_upload(),
        },
    )
    specialist = Specialist.objects.get(organization=org_a)
    assert response.status_code == 302
    assert response.url == _detail(specialist)
    assert specialist.city == "Recife"
    assert specialist.user.check_password("Turno-Noturno-2026")
    assert specialist.photo_thumbnail
    assert specialist.additional_values.get().value == "A-17"


def test_it_refuses_a_weak_password_and_creates_nothing(alice_client, org_a):
    response = alice_client.post(reverse("specialists:create_submit"), _profile(password="123"))
    assert response.status_code == 422
    assert "pelo menos 8 caracteres" in response.text
    assert not Specialist.objects.exists()


def test_it_refuses_a_photo_that_is_not_an_image(alice_client, specialist_a, media_root):
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = alice_client.post(
        reverse("specialists:update", kwargs={"code": specialist_a.code}),
        {**_profile(), "photo": fake},
    )
    assert response.status_code == 422
    assert "imagem" in response.text
    specialist_a.refresh_from_db()
    assert specialist_a.name == "Ana Souza"


def test_it_refuses_a_50_mb_photo(alice_client, specialist_a, media_root):
    big = SimpleUploadedFile("foto.png", b"\0" * (50 * 1024 * 1024), content_type="image/png")
    response = alice_client.post(
        reverse("specialists:update", kwargs={"code": specialist_a.code}),
        {**_profile(), "photo": big},
    )
    assert response.status_code == 422
    assert "grande" in response.text
    specialist_a.refresh_from_db()
    assert not specialist_a.photo


def test_it_updates_and_returns_to_the_tab(alice_client, specialist_a):
    response = alice_client.post(
        reverse("specialists:update", kwargs={"code": specialist_a.code}),
        {**_profile(name="Ana S.", email="ana@example.com", street="Rua A"), "tab": "address"},
    )
    assert response.url == _detail(specialist_a, "address")
    specialist_a.refresh_from_db()
    assert (specialist_a.name, specialist_a.street) == ("Ana S.", "Rua A")


@pytest.mark.parametrize(
    "tab", ["details", "address", "additional", "groups", "roles", "feedback", "shifts", "tokens"]
)
def test_it_renders_every_tab(alice_client, specialist_a, tab, htmx_headers):
    response = alice_client.get(_detail(specialist_a, tab))
    assert response.status_code == 200
    fragment = alice_client.get(_detail(specialist_a, tab), **htmx_headers)
    assert fragment.text.lstrip().startswith('<div id="tab-panel">')


def test_it_checks_the_password_policy_while_typing(alice_client):
    response = alice_client.post(
        reverse("specialists:password_check"), {"password": "Turno-Noturno-2026"}
    )
    assert response.text.count('class="met"') == 4
    response = alice_client.post(reverse("specialists:password_check"), {"password": "1234"})
    assert 'class="met"' in response.text and response.text.count('class="met"') < 4


def test_it_adds_a_shift(alice_client, specialist_a, calendar_a, htmx_headers):
    response = alice_client.post(
        reverse("specialists:shift_add", kwargs={"code": specialist_a.code}),
        {"starts_on": "2026-12-01", "ends_on": "2026-12-07", "calendar": calendar_a.pk},
        **htmx_headers,
    )
    assert response.status_code == 200
    assert "Comercial" in response.text
    assert Shift.objects.get().starts_on == date(2026, 12, 1)


def test_it_refuses_a_shift_ending_before_it_starts(alice_client, specialist_a, calendar_a):
    response = alice_client.post(
        reverse("specialists:shift_add", kwargs={"code": specialist_a.code}),
        {"starts_on": "2026-12-07", "ends_on": "2026-12-01", "calendar": calendar_a.pk},
    )
    assert response.status_code == 422
    assert "“Até” não pode ser antes de “Desde”" in response.text
    assert not Shift.objects.exists()


def test_it_refuses_an_overlapping_shift(alice_client, specialist_a, calendar_a, htmx_headers):
    ShiftFactory(
        specialist=specialist_a,
        calendar=calendar_a,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 7),
    )
    response = alice_client.post(
        reverse("specialists:shift_add", kwargs={"code": specialist_a.code}),
        {"starts_on": "2026-12-05", "ends_on": "2026-12-09", "calendar": calendar_a.pk},
        **htmx_headers,
    )
    assert response.status_code == 200
    assert "sobrepõe" in response.text
    assert Shift.objects.count() == 1


def test_it_refuses_another_organizations_calendar(alice_client, specialist_a, org_b):
    from tests.factories import CalendarFactory

    foreign = CalendarFactory(organization=org_b)
    response = alice_client.post(
        reverse("specialists:shift_add", kwargs={"code": specialist_a.code}),
        {"starts_on": "2026-12-01", "ends_on": "2026-12-02", "calendar": foreign.pk},
    )
    assert response.status_code == 422
    assert not Shift.objects.exists()


def test_it_associates_and_removes_a_group(alice_client, specialist_a, htmx_headers):
    group = SpecialistGroupFactory(organization=specialist_a.organization, name="Plantão")
    kwargs = {"code": specialist_a.code, "kind": "groups", "item_code": group.code}
    response = alice_client.post(
        reverse("specialists:association_add", kwargs=kwargs), **htmx_headers
    )
    assert "Plantão" in response.text
    assert list(specialist_a.groups.all()) == [group]
    response = alice_client.post(reverse("specialists:association_remove", kwargs=kwargs))
    assert response.status_code == 302
    assert not specialist_a.groups.exists()


def test_it_searches_roles_to_associate(alice_client, specialist_a, htmx_headers):
    RoleFactory(organization=specialist_a.organization, name="Supervisor")
    RoleFactory(organization=specialist_a.organization, name="Técnico")
    url = reverse(
        "specialists:association_choices", kwargs={"code": specialist_a.code, "kind": "roles"}
    )
    response = alice_client.get(url, {"q": "super"}, **htmx_headers)
    assert "Supervisor" in response.text and "Técnico" not in response.text


def test_it_refuses_an_unknown_association_kind(alice_client, specialist_a):
    url = reverse(
        "specialists:association_choices", kwargs={"code": specialist_a.code, "kind": "hacks"}
    )
    assert alice_client.get(url).status_code == 404


def test_it_adds_feedback_newest_first(alice_client, specialist_a, alice):
    FeedbackFactory(specialist=specialist_a, text="Comentário antigo")
    alice_client.post(
        reverse("specialists:feedback_add", kwargs={"code": specialist_a.code}),
        {"text": "Comentário novo"},
    )
    text = alice_client.get(_detail(specialist_a, "feedback")).text
    assert text.index("Comentário novo") < text.index("Comentário antigo")
    assert Feedback.objects.filter(author=alice).count() == 1


def test_it_manages_catalogs_as_admin_only(alice_client, bob_client, org_a):
    url = reverse("specialists:catalog_save", kwargs={"kind": "roles"})
    assert bob_client.post(url, {"name": "Líder"}).status_code == 403
    assert alice_client.post(url, {"name": "Líder", "description": "Lidera"}).status_code == 302
    page = bob_client.get(reverse("specialists:catalog", kwargs={"kind": "roles"}))
    assert "Líder" in page.text
    assert alice_client.post(url, {"name": "Líder"}).status_code == 422


def test_it_manages_client_groups(alice_client, org_a):
    from clients.models import ClientGroup

    url = reverse("specialists:catalog_save", kwargs={"kind": "client-groups"})
    alice_client.post(url, {"name": "Varejo"})
    assert ClientGroup.objects.get(organization=org_a).name == "Varejo"


def test_it_hides_other_organizations_catalog_entries(charlie_client, org_a):
    group = SpecialistGroupFactory(organization=org_a, name="Segredo de A")
    page = charlie_client.get(reverse("specialists:catalog", kwargs={"kind": "specialist-groups"}))
    assert "Segredo de A" not in page.text
    delete = reverse(
        "specialists:catalog_delete", kwargs={"kind": "specialist-groups", "code": group.code}
    )
    assert charlie_client.post(delete).status_code == 404


def test_it_lets_admins_define_additional_fields(alice_client, bob_client, org_a):
    url = reverse("specialists:field_save")
    data = {"label": "Camiseta", "field_type": "choice", "choices": "P\nM\nG", "position": 1}
    assert bob_client.post(url, data).status_code == 403
    assert bob_client.get(reverse("specialists:fields")).status_code == 403
    assert alice_client.post(url, data).status_code == 302
    field = AdditionalField.objects.get(organization=org_a)
    assert field.choice_list == ["P", "M", "G"]
    assert "Camiseta" in alice_client.get(reverse("specialists:fields")).text


def test_it_refuses_a_choice_field_without_options(alice_client):
    response = alice_client.post(
        reverse("specialists:field_save"),
        {"label": "Camiseta", "field_type": "choice", "choices": "  \n", "position": 0},
    )
    assert response.status_code == 422
    assert "pelo menos uma opção" in response.text
    assert not AdditionalField.objects.exists()


def test_it_keeps_other_organizations_fields_apart(charlie_client, org_a):
    field = AdditionalFieldFactory(organization=org_a, label="Matrícula A")
    assert "Matrícula A" not in charlie_client.get(reverse("specialists:fields")).text
    delete = reverse("specialists:field_delete", kwargs={"code": field.code})
    assert charlie_client.post(delete).status_code == 404
    edit = charlie_client.post(
        reverse("specialists:field_save"),
        {"code": field.code, "label": "x", "field_type": "text", "position": 0},
    )
    assert edit.status_code == 404
    field.refresh_from_db()
    assert field.label == "Matrícula A"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"starts_on": "2026-02-31", "ends_on": "2026-03-01"}, "Informe uma data válida"),
        ({"starts_on": "", "ends_on": "2026-03-01"}, "Este campo é obrigatório"),
        (
            {"starts_on": "2026-03-01", "ends_on": "2026-03-02", "calendar": "999999"},
            "Faça uma escolha válida",
        ),
    ],
)
def test_it_refuses_malformed_shifts(alice_client, specialist_a, calendar_a, data, message):
    data.setdefault("calendar", calendar_a.pk)
    response = alice_client.post(
        reverse("specialists:shift_add", kwargs={"code": specialist_a.code}), data
    )
    assert response.status_code == 422
    assert message in response.text
    assert not Shift.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [{"email": "não-é-email"}, {"name": ""}, {"status": "zumbi"}, {"culture": "klingon"}],
)
def test_it_refuses_a_malformed_profile(alice_client, overrides):
    response = alice_client.post(reverse("specialists:create_submit"), _profile(**overrides))
    assert response.status_code == 422
    assert "Corrija os campos marcados em vermelho." in response.text
    assert not Specialist.objects.exists()


def test_it_shows_the_tab_with_the_error(alice_client, org_a):
    AdditionalFieldFactory(organization=org_a, label="Matrícula", required=True)
    response = alice_client.post(reverse("specialists:create_submit"), _profile())
    assert response.status_code == 422
    # The page opens on the Additional tab, marked as holding an error.
    assert re.search(r'data-tab-panel="additional"\s*>', response.text)
    assert re.search(r'data-tab-panel="details"\s*hidden', response.text)
    assert 'class="tab-error"' in response.text
    assert not Specialist.objects.exists()


def test_it_refuses_empty_or_huge_feedback(alice_client, specialist_a):
    url = reverse("specialists:feedback_add", kwargs={"code": specialist_a.code})
    assert alice_client.post(url, {"text": "   "}).status_code == 422
    assert alice_client.post(url, {"text": "x" * 4001}).status_code == 422
    assert not Feedback.objects.exists()


def test_it_falls_back_to_details_on_an_unknown_tab(alice_client, specialist_a):
    response = alice_client.get(_detail(specialist_a, "<script>"))
    assert response.status_code == 200
    assert 'id="profile-form"' in response.text


STRONG = "Turno-Noturno-2026"


def test_it_lets_a_specialist_with_a_password_into_the_back_office_in_its_culture(
    alice_client, org_a, client
):
    # Symptom 9: the login used to end on "not a member of any organization".
    alice_client.post(
        reverse("specialists:create_submit"),
        _profile(email="Bia@Example.com", culture="en", password=STRONG),
    )
    response = client.post(
        reverse("login"), {"username": "bia@example.com", "password": STRONG}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.text
    assert response.context["request"].organization == org_a


def test_it_takes_the_access_away_when_the_specialist_is_deactivated(alice_client, org_a, client):
    alice_client.post(reverse("specialists:create_submit"), _profile(password=STRONG))
    specialist = Specialist.objects.get(organization=org_a)
    client.post(reverse("login"), {"username": "bia@example.com", "password": STRONG})
    assert client.get(reverse("dashboard")).status_code == 200
    alice_client.post(
        reverse("specialists:update", kwargs={"code": specialist.code}),
        _profile(status="inactive"),
    )
    # The open session ends and the password no longer logs in.
    assert client.get(reverse("dashboard")).status_code == 302
    response = client.post(reverse("login"), {"username": "bia@example.com", "password": STRONG})
    assert response.status_code == 200  # the login form again, with its error
    assert client.get(reverse("dashboard")).status_code == 302


def test_it_lists_only_the_selected_projects_specialists(alice_client, org_a):
    # Symptom 7: the "Projeto" selector filtered nothing.
    varejo = ProjectFactory(organization=org_a, name="Varejo")
    atacado = ProjectFactory(organization=org_a, name="Atacado")
    SpecialistFactory(organization=org_a, name="Especialista do Varejo").projects.add(varejo)
    SpecialistFactory(organization=org_a, name="Especialista do Atacado").projects.add(atacado)
    for project, shown, hidden in ((atacado, "Atacado", "Varejo"), (varejo, "Varejo", "Atacado")):
        alice_client.post(reverse("project_switch"), {"project": project.code})
        text = alice_client.get(reverse("specialists:list")).text
        assert f"Especialista do {shown}" in text
        assert f"Especialista do {hidden}" not in text


def test_it_creates_a_specialist_in_the_selected_project(alice_client, org_a):
    ProjectFactory(organization=org_a, name="Varejo")
    atacado = ProjectFactory(organization=org_a, name="Atacado")
    alice_client.post(reverse("project_switch"), {"project": atacado.code})
    alice_client.post(reverse("specialists:create_submit"), _profile())
    assert list(Specialist.objects.get().projects.all()) == [atacado]
    assert "Bia Lima" in alice_client.get(reverse("specialists:list")).text


@pytest.mark.parametrize("what", ["field", "catalog", "shift"])
def test_it_asks_before_deleting_with_javascript_off(alice_client, specialist_a, calendar_a, what):
    if what == "field":
        item = AdditionalFieldFactory(organization=specialist_a.organization, label="Crachá")
        url = reverse("specialists:field_delete", kwargs={"code": item.code})
        question = "Excluir este campo e o valor dele em todos os especialistas?"
    elif what == "catalog":
        item = RoleFactory(organization=specialist_a.organization, name="Crachá")
        url = reverse("specialists:catalog_delete", kwargs={"kind": "roles", "code": item.code})
        question = "Excluir? Ele será removido de todos que o têm."
    else:
        item = ShiftFactory(specialist=specialist_a, calendar=calendar_a)
        url = reverse(
            "specialists:shift_remove", kwargs={"code": specialist_a.code, "shift_code": item.code}
        )
        question = "Remover este turno?"
    # The delete link opens a confirmation page; only its post deletes.
    page = alice_client.get(url)
    assert page.status_code == 200
    assert question in page.text
    assert type(item).objects.filter(pk=item.pk).exists()
    response = alice_client.post(url)
    assert response.status_code == 302
    assert not type(item).objects.filter(pk=item.pk).exists()


def test_it_deletes_a_field_with_htmx_and_reloads_the_page(alice_client, org_a, htmx_headers):
    field = AdditionalFieldFactory(organization=org_a)
    response = alice_client.post(
        reverse("specialists:field_delete", kwargs={"code": field.code}), **htmx_headers
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("specialists:fields")
    assert not AdditionalField.objects.exists()


def test_it_lets_only_admins_delete_fields_and_catalog_entries(bob_client, org_a):
    field = AdditionalFieldFactory(organization=org_a)
    role = RoleFactory(organization=org_a)
    urls = [
        reverse("specialists:field_delete", kwargs={"code": field.code}),
        reverse("specialists:catalog_delete", kwargs={"kind": "roles", "code": role.code}),
    ]
    for url in urls:
        assert bob_client.get(url).status_code == 403
        assert bob_client.post(url).status_code == 403
    assert AdditionalField.objects.exists() and role.__class__.objects.exists()


def test_it_refuses_a_duplicate_catalog_entry_in_place_for_htmx(alice_client, org_a, htmx_headers):
    RoleFactory(organization=org_a, name="Líder")
    url = reverse("specialists:catalog_save", kwargs={"kind": "roles"})
    assert alice_client.post(url, {"name": "Líder"}).status_code == 422
    assert alice_client.post(url, {"name": "Líder"}, **htmx_headers).status_code == 200
