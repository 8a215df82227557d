from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from specialists import services
from specialists.models import AdditionalField, AdditionalFieldValue, Shift, Specialist
from tenancy.models import Membership, User
from tests.factories import (
    AdditionalFieldFactory,
    CalendarFactory,
    RoleFactory,
    ShiftFactory,
    SpecialistFactory,
    SpecialistGroupFactory,
    UserFactory,
)
from tests.specialists.conftest import png_upload

STRONG = "Turno-Noturno-2026"


def test_it_creates_a_specialist_with_address(org_a):
    specialist = services.specialist_create(
        organization=org_a, name="Bia Lima", email="bia@example.com", city="Recife", state="PE"
    )
    assert specialist.organization == org_a
    assert (specialist.city, specialist.state) == ("Recife", "PE")
    assert specialist.user is None


def test_it_refuses_a_duplicate_email_in_the_same_organization(org_a, specialist_a):
    with pytest.raises(ValidationError) as exc:
        services.specialist_create(organization=org_a, name="Outra", email="ana@example.com")
    assert "email" in exc.value.message_dict
    assert Specialist.objects.for_org(org_a).count() == 1


def test_it_allows_the_same_email_in_another_organization(org_b, specialist_a):
    other = services.specialist_create(organization=org_b, name="Ana B", email="ana@example.com")
    assert other.organization == org_b


def test_it_gives_a_login_with_a_valid_password(org_a):
    specialist = services.specialist_create(
        organization=org_a, name="Caio", email="caio@example.com", password=STRONG
    )
    assert specialist.user.username == "caio@example.com"
    assert specialist.user.check_password(STRONG)


@pytest.mark.parametrize("password", ["123", "12345678901", "password123", "caioexample"])
def test_it_refuses_a_password_that_breaks_the_policy(org_a, password):
    with pytest.raises(ValidationError) as exc:
        services.specialist_create(
            organization=org_a, name="Caio", email="caio@example.com", password=password
        )
    assert "password" in exc.value.message_dict
    assert not Specialist.objects.for_org(org_a).exists()


def test_it_reports_the_password_policy_item_by_item():
    # Long enough, but common and entirely numeric.
    met = [met for _text, met in services.password_policy(password="12345678901")]
    assert met == [True, True, False, False]
    assert all(met for met in dict(services.password_policy(password=STRONG)).values())
    assert not any(dict(services.password_policy(password="")).values())


def test_it_stores_a_photo_and_a_thumbnail(org_a, specialist_a, media_root):
    services.specialist_update(
        organization=org_a, specialist=specialist_a, photo=png_upload(size=(1200, 900))
    )
    specialist_a.refresh_from_db()
    assert specialist_a.photo.name.endswith(".png")
    with Image.open(specialist_a.photo_thumbnail.path) as thumb:
        assert max(thumb.size) <= 160


def test_it_refuses_a_photo_that_is_not_an_image(org_a, specialist_a, media_root):
    fake = SimpleUploadedFile("foto.png", b"not an image at all", content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        services.specialist_update(organization=org_a, specialist=specialist_a, photo=fake)
    assert "photo" in exc.value.message_dict
    specialist_a.refresh_from_db()
    assert not specialist_a.photo


def test_it_refuses_to_update_another_organizations_specialist(org_b, specialist_a):
    with pytest.raises(ValidationError):
        services.specialist_update(
            organization=org_b, specialist=specialist_a, name="X", password=STRONG
        )
    specialist_a.refresh_from_db()
    assert (specialist_a.name, specialist_a.user) == ("Ana Souza", None)
    assert not User.objects.filter(username="ana@example.com").exists()


def test_it_adds_a_shift(org_a, specialist_a, calendar_a):
    shift = services.shift_create(
        organization=org_a,
        specialist=specialist_a,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 7),
        calendar=calendar_a,
    )
    assert shift.specialist == specialist_a


def test_it_refuses_a_shift_ending_before_it_starts(org_a, specialist_a, calendar_a):
    with pytest.raises(ValidationError) as exc:
        services.shift_create(
            organization=org_a,
            specialist=specialist_a,
            starts_on=date(2026, 12, 7),
            ends_on=date(2026, 12, 1),
            calendar=calendar_a,
        )
    assert "ends_on" in exc.value.message_dict
    assert not Shift.objects.exists()


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [
        (date(2026, 12, 7), date(2026, 12, 10)),  # touches the last day
        (date(2026, 11, 25), date(2026, 12, 1)),  # touches the first day
        (date(2026, 12, 3), date(2026, 12, 4)),  # inside
        (date(2026, 11, 1), date(2027, 1, 1)),  # around
    ],
)
def test_it_refuses_an_overlapping_shift(org_a, specialist_a, calendar_a, starts_on, ends_on):
    ShiftFactory(
        specialist=specialist_a,
        calendar=calendar_a,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 7),
    )
    with pytest.raises(ValidationError) as exc:
        services.shift_create(
            organization=org_a,
            specialist=specialist_a,
            starts_on=starts_on,
            ends_on=ends_on,
            calendar=calendar_a,
        )
    assert "01/12/2026" in exc.value.messages[0]
    assert Shift.objects.count() == 1


def test_it_allows_adjacent_shifts_and_other_specialists(org_a, specialist_a, calendar_a):
    ShiftFactory(
        specialist=specialist_a,
        calendar=calendar_a,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 7),
    )
    services.shift_create(
        organization=org_a,
        specialist=specialist_a,
        starts_on=date(2026, 12, 8),
        ends_on=date(2026, 12, 9),
        calendar=calendar_a,
    )
    other = SpecialistFactory(organization=org_a)
    services.shift_create(
        organization=org_a,
        specialist=other,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 7),
        calendar=calendar_a,
    )
    assert Shift.objects.count() == 3


def test_it_refuses_another_organizations_calendar(org_a, org_b, specialist_a):
    with pytest.raises(ValidationError) as exc:
        services.shift_create(
            organization=org_a,
            specialist=specialist_a,
            starts_on=date(2026, 12, 1),
            ends_on=date(2026, 12, 2),
            calendar=CalendarFactory(organization=org_b),
        )
    assert "calendar" in exc.value.message_dict
    assert not Shift.objects.exists()


def test_it_associates_groups_and_roles(org_a, specialist_a):
    group = SpecialistGroupFactory(organization=org_a)
    role = RoleFactory(organization=org_a)
    services.specialist_associate(organization=org_a, specialist=specialist_a, item=group)
    services.specialist_associate(organization=org_a, specialist=specialist_a, item=role)
    assert list(specialist_a.groups.all()) == [group]
    assert list(specialist_a.roles.all()) == [role]
    services.specialist_dissociate(organization=org_a, specialist=specialist_a, item=role)
    assert not specialist_a.roles.exists()
    assert list(specialist_a.groups.all()) == [group]


def test_it_refuses_a_foreign_group(org_a, org_b, specialist_a):
    with pytest.raises(ValidationError):
        services.specialist_associate(
            organization=org_a,
            specialist=specialist_a,
            item=SpecialistGroupFactory(organization=org_b),
        )
    assert not specialist_a.groups.exists()


def test_it_refuses_to_dissociate_for_another_organization(org_b, specialist_a):
    group = SpecialistGroupFactory(organization=specialist_a.organization)
    specialist_a.groups.add(group)
    with pytest.raises(ValidationError):
        services.specialist_dissociate(organization=org_b, specialist=specialist_a, item=group)
    assert list(specialist_a.groups.all()) == [group]


def test_it_adds_feedback_with_its_author(org_a, specialist_a, alice):
    feedback = services.feedback_create(
        organization=org_a, specialist=specialist_a, author=alice, text="  Muito atencioso.  "
    )
    assert (feedback.author, feedback.text) == (alice, "Muito atencioso.")


def test_it_refuses_empty_feedback(org_a, specialist_a, alice):
    with pytest.raises(ValidationError):
        services.feedback_create(
            organization=org_a, specialist=specialist_a, author=alice, text=" "
        )


def test_it_stores_additional_values_in_canonical_form(org_a, specialist_a):
    number = AdditionalFieldFactory(organization=org_a, field_type=AdditionalField.Type.NUMBER)
    day = AdditionalFieldFactory(organization=org_a, field_type=AdditionalField.Type.DATE)
    choice = AdditionalFieldFactory(
        organization=org_a, field_type=AdditionalField.Type.CHOICE, choices="P\nM\nG"
    )
    services.additional_values_save(
        organization=org_a,
        specialist=specialist_a,
        values={number.pk: "12,50", day.pk: date(2026, 1, 31), choice.pk: "M"},
    )
    stored = dict(AdditionalFieldValue.objects.values_list("field_id", "value"))
    assert stored == {number.pk: "12.5", day.pk: "2026-01-31", choice.pk: "M"}
    services.additional_values_save(
        organization=org_a, specialist=specialist_a, values={number.pk: ""}
    )
    assert not AdditionalFieldValue.objects.filter(field=number).exists()


@pytest.mark.parametrize(
    ("field_type", "value"),
    [("number", "doze"), ("number", "NaN"), ("date", "31/02/2026"), ("choice", "XG")],
)
def test_it_refuses_bad_additional_values(org_a, specialist_a, field_type, value):
    field = AdditionalFieldFactory(organization=org_a, field_type=field_type, choices="P\nM")
    with pytest.raises(ValidationError) as exc:
        services.additional_values_save(
            organization=org_a, specialist=specialist_a, values={field.pk: value}
        )
    assert f"field_{field.pk}" in exc.value.message_dict
    assert not AdditionalFieldValue.objects.exists()


def test_it_requires_required_additional_fields(org_a, specialist_a):
    field = AdditionalFieldFactory(organization=org_a, required=True, label="Matrícula")
    with pytest.raises(ValidationError) as exc:
        services.additional_values_save(
            organization=org_a, specialist=specialist_a, values={field.pk: ""}
        )
    assert "Matrícula" in exc.value.messages[0]


def test_it_ignores_another_organizations_additional_field(org_a, org_b, specialist_a):
    foreign = AdditionalFieldFactory(organization=org_b)
    services.additional_values_save(
        organization=org_a, specialist=specialist_a, values={foreign.pk: "x"}
    )
    assert not AdditionalFieldValue.objects.exists()


def test_it_manages_catalogs(org_a):
    group = services.catalog_save(
        organization=org_a, instance=SpecialistGroupFactory.build(), name=" Campo ", description=""
    )
    assert group.name == "Campo"
    with pytest.raises(ValidationError) as exc:
        services.catalog_save(
            organization=org_a, instance=SpecialistGroupFactory.build(), name="Campo"
        )
    assert "name" in exc.value.message_dict


def test_it_keeps_a_calendar_that_shifts_use(org_a, specialist_a, calendar_a):
    ShiftFactory(specialist=specialist_a, calendar=calendar_a)
    with pytest.raises(ValidationError):
        services.catalog_delete(organization=org_a, instance=calendar_a)
    calendar_a.refresh_from_db()
    assert Shift.objects.filter(calendar=calendar_a).count() == 1


def test_it_refuses_to_delete_another_organizations_field(org_b, org_a):
    field = AdditionalFieldFactory(organization=org_a)
    with pytest.raises(ValidationError):
        services.additional_field_delete(organization=org_b, instance=field)
    assert AdditionalField.objects.filter(pk=field.pk).exists()


def test_it_creates_a_specialist_in_the_current_project(org_a, project_a):
    specialist = services.specialist_create(
        organization=org_a, project=project_a, name="Caio", email="caio@example.com"
    )
    assert list(specialist.projects.all()) == [project_a]


def test_it_keeps_the_login_in_step_with_the_profile(org_a):
    specialist = services.specialist_create(
        organization=org_a, name="Caio", email="caio@example.com", password=STRONG
    )
    services.specialist_update(
        organization=org_a, specialist=specialist, email="caio.novo@example.com", status="inactive"
    )
    specialist.user.refresh_from_db()
    assert specialist.user.username == "caio.novo@example.com"
    assert not specialist.user.is_active
    assert specialist.user.check_password(STRONG)


def test_it_normalizes_a_row_with_the_one_row_rule():
    prepared = services.specialist_prepare(
        {"name": "  Caio  ", "email": " Caio@Example.COM ", "culture": "pt-BR", "city": " X "}
    )
    assert prepared == {
        "name": "Caio",
        "email": "caio@example.com",
        "culture": "pt-br",
        "city": " X ",
    }
    # A partial update stays partial.
    assert services.specialist_prepare({"status": "inactive"}) == {"status": "inactive"}


def test_it_applies_the_row_rule_when_creating_and_updating(org_a):
    specialist = services.specialist_create(
        organization=org_a, name=" Caio ", email="Caio@Example.com", password=STRONG
    )
    assert (specialist.name, specialist.email) == ("Caio", "caio@example.com")
    assert specialist.user.username == "caio@example.com"
    services.specialist_update(organization=org_a, specialist=specialist, email="CAIO@X.COM")
    specialist.refresh_from_db()
    assert specialist.email == specialist.user.username == "caio@x.com"


def test_it_makes_a_login_an_operator_of_the_organization_in_its_culture(org_a):
    specialist = services.specialist_create(
        organization=org_a, name="Caio", email="caio@example.com", culture="es", password=STRONG
    )
    membership = Membership.objects.get(user=specialist.user)
    assert (membership.organization, membership.role) == (org_a, Membership.Role.OPERATOR)
    assert specialist.user.language == "es"


def test_it_gives_a_login_to_an_existing_specialist_with_its_membership(org_a, specialist_a):
    services.specialist_update(organization=org_a, specialist=specialist_a, password=STRONG)
    assert Membership.objects.filter(organization=org_a, user=specialist_a.user).exists()
    assert specialist_a.user.language == specialist_a.culture


def test_it_follows_a_change_of_culture_but_keeps_the_users_own_choice(org_a):
    specialist = services.specialist_create(
        organization=org_a, name="Caio", email="caio@example.com", password=STRONG
    )
    user = specialist.user
    user.language = "en"  # picked from the language menu
    user.save()
    services.specialist_update(organization=org_a, specialist=specialist, city="Recife")
    user.refresh_from_db()
    assert user.language == "en"
    services.specialist_update(organization=org_a, specialist=specialist, culture="es")
    user.refresh_from_db()
    assert user.language == "es"


def test_it_keeps_a_promoted_login_admin(org_a):
    specialist = services.specialist_create(
        organization=org_a, name="Caio", email="caio@example.com", password=STRONG
    )
    Membership.objects.filter(user=specialist.user).update(role=Membership.Role.ADMIN)
    services.specialist_update(organization=org_a, specialist=specialist, name="Caio Lima")
    assert Membership.objects.get(user=specialist.user).role == Membership.Role.ADMIN


def test_it_refuses_to_change_the_password_of_a_promoted_login(org_a):
    specialist = services.specialist_create(
        organization=org_a, name="Caio", email="caio@example.com", password=STRONG
    )
    Membership.objects.filter(user=specialist.user).update(role=Membership.Role.ADMIN)
    with pytest.raises(ValidationError) as exc:
        services.specialist_update(
            organization=org_a, specialist=specialist, name="Outro", password="Outra-Senha-2026"
        )
    assert "password" in exc.value.message_dict
    specialist.refresh_from_db()
    specialist.user.refresh_from_db()
    assert specialist.name == "Caio"
    assert specialist.user.check_password(STRONG)


def test_it_takes_a_deleted_specialists_access_away(org_a, org_b):
    specialist = services.specialist_create(
        organization=org_a, name="Caio", email="caio@example.com", password=STRONG
    )
    user = specialist.user
    with pytest.raises(ValidationError):
        services.specialist_delete(organization=org_b, specialist=specialist)
    assert Specialist.objects.exists() and Membership.objects.filter(user=user).exists()
    services.specialist_delete(organization=org_a, specialist=specialist)
    user.refresh_from_db()
    assert not Specialist.objects.exists()
    assert not Membership.objects.filter(user=user).exists()
    assert not user.is_active


def test_it_refuses_a_login_that_another_user_has(org_a):
    UserFactory(username="caio@example.com")
    with pytest.raises(ValidationError) as exc:
        services.specialist_create(
            organization=org_a, name="Caio", email="CAIO@example.com", password=STRONG
        )
    assert "login" in exc.value.message_dict["email"][0]
    assert not Specialist.objects.exists()
    assert not Membership.objects.exists()


def test_it_refuses_a_login_whose_email_another_user_logs_in_with(org_a):
    # Another user's e-mail also logs that user in: the specialist's login may not take it.
    UserFactory(username="caio", email="Caio@Example.com")
    with pytest.raises(ValidationError) as exc:
        services.specialist_create(
            organization=org_a, name="Caio", email="caio@example.com", password=STRONG
        )
    assert "login" in exc.value.message_dict["email"][0]
    assert not Specialist.objects.exists()


@pytest.mark.parametrize(
    "change", [{"email": "meu@atacante.com"}, {"status": Specialist.Status.INACTIVE}]
)
def test_it_refuses_to_rename_or_deactivate_a_promoted_login(org_a, change):
    specialist = services.specialist_create(
        organization=org_a, name="Caio", email="caio@example.com", password=STRONG
    )
    Membership.objects.filter(user=specialist.user).update(role=Membership.Role.ADMIN)
    with pytest.raises(ValidationError):
        services.specialist_update(organization=org_a, specialist=specialist, **change)
    specialist.user.refresh_from_db()
    assert (specialist.user.email, specialist.user.is_active) == ("caio@example.com", True)
    assert Specialist.objects.get().email == "caio@example.com"


def test_it_sets_the_login_language_when_a_form_already_changed_the_culture(org_a):
    specialist = services.specialist_create(
        organization=org_a, name="Caio", email="caio@example.com", password=STRONG
    )
    # A ModelForm writes the cleaned value on the instance before the service runs.
    specialist.culture = "es"
    services.specialist_update(organization=org_a, specialist=specialist, culture="es")
    specialist.user.refresh_from_db()
    assert specialist.user.language == "es"


def test_a_deleted_specialists_login_stays_active_in_its_other_organization(org_a, org_b):
    specialist = services.specialist_create(
        organization=org_a, name="Caio", email="caio@example.com", password=STRONG
    )
    Membership.objects.create(organization=org_b, user=specialist.user)
    services.specialist_delete(organization=org_a, specialist=specialist)
    specialist.user.refresh_from_db()
    assert specialist.user.is_active
    assert list(Membership.objects.values_list("organization", flat=True)) == [org_b.pk]


def test_an_import_deactivates_and_reactivates_the_logins_it_touches_but_no_admins(
    org_a, tmp_path, alice
):
    from django.core.files.uploadedfile import SimpleUploadedFile as Upload

    from importexport import services as jobs
    from tests.importexport.conftest import write_xlsx

    bia = services.specialist_create(
        organization=org_a, name="Bia", email="bia@example.com", password="Plantao-Seguro-2026"
    )
    boss = services.specialist_create(organization=org_a, name="Chefe", email="chefe@example.com")
    boss.user = alice
    boss.save()

    def imported(status: str) -> None:
        rows = [["bia@example.com", "Bia", status], ["chefe@example.com", "Chefe", status]]
        path = write_xlsx(tmp_path / f"{status}.xlsx", ["E-mail", "Nome", "Status"], rows)
        job = jobs.import_schedule(
            organization=org_a,
            user=alice,
            entity="specialists",
            upload=Upload("s.xlsx", path.read_bytes()),
            language="pt-br",
        )
        job = jobs.import_run(job_id=job.id, organization_id=org_a.id)
        assert job.counts["failed"] == 0, job.counts

    imported("inactive")
    bia.user.refresh_from_db()
    alice.refresh_from_db()
    assert not bia.user.is_active and alice.is_active
    imported("active")
    bia.user.refresh_from_db()
    assert bia.user.is_active
