from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from specialists.models import (
    ADDRESS_FIELDS,
    AdditionalField,
    AdditionalFieldValue,
    Calendar,
    Feedback,
    Role,
    Shift,
    Specialist,
    SpecialistGroup,
)
from specialists.selectors import additional_field_list
from tenancy import additional_fields
from tenancy.auth import login_clash
from tenancy.group_projects import group_join
from tenancy.images import photo_save
from tenancy.models import Membership, Organization, Project, User
from tenancy.services import ownership_check

PROFILE_FIELDS = ("name", "email", "status", "culture", *ADDRESS_FIELDS)


def specialist_prepare(values: dict[str, Any]) -> dict[str, Any]:
    """The specialists' row rule, the one every writer applies (services, job import, admin
    import): trims the name and lower-cases the e-mail (it is also the login's user name)
    and the culture ("pt-BR" is "pt-br"). Only the fields present in `values` are touched,
    so a partial update stays partial; returns a new dict."""
    prepared = dict(values)
    for name in ("name", "email", "culture"):
        if isinstance(prepared.get(name), str):
            prepared[name] = prepared[name].strip()
    for name in ("email", "culture"):
        if isinstance(prepared.get(name), str):
            prepared[name] = prepared[name].lower()
    return prepared


def password_policy(*, password: str, user: User | None = None) -> list[tuple[str, bool]]:
    """Each configured password rule, as its help text and whether `password` meets it."""
    policy = []
    for validator in get_default_password_validators():
        try:
            validator.validate(password, user)
        except ValidationError:
            met = False
        else:
            met = bool(password)
        policy.append((validator.get_help_text(), met))
    return policy


def password_check(*, password: str, user: User | None = None) -> ValidationError | None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return exc
    return None


def _is_privileged(user: User) -> bool:
    if user.pk is None:
        return False
    admin = user.memberships.filter(role=Membership.Role.ADMIN).exists()
    return admin or user.is_staff or user.is_superuser


def _sync_login(specialist: Specialist, password: str, *, culture_changed: bool) -> None:
    """Keeps the specialist's login (user name = e-mail) in step with the profile: created
    when a password is first set, renamed with the e-mail, disabled while inactive."""
    if not password and specialist.user is None:
        return
    user = specialist.user or get_user_model()(first_name=specialist.name[:150])
    if specialist.user is None or culture_changed:
        # The Culture is the login's language; a language the specialist later picks from
        # the menu holds until an operator changes the Culture again.
        user.language = specialist.culture
    # Deactivating the specialist is what takes the access away: an inactive user cannot
    # log in and its open sessions end. The membership below stays, so reactivating gives
    # the same access back.
    active = specialist.status == Specialist.Status.ACTIVE
    if _is_privileged(user):
        # Any operator may edit a specialist; on a login promoted meanwhile, a new password
        # or e-mail (then a password reset) would let an operator take over an admin's
        # account, and a deactivation would lock an admin out.
        if password:
            raise ValidationError(
                {
                    "password": _(
                        "This login is an administrator's; only its owner changes its password."
                    )
                }
            )
        if user.username != specialist.email or user.is_active != active:
            raise ValidationError(
                _(
                    "This specialist's login is an administrator's: its e-mail and status "
                    "change only in the Django admin."
                )
            )
    user.username = user.email = specialist.email
    user.is_active = active
    if password:
        if (error := password_check(password=password, user=user)) is not None:
            raise ValidationError({"password": error.messages})
        user.set_password(password)
    # The login's user name is the e-mail: neither may name another user on the login form.
    if login_clash(username=specialist.email, email=specialist.email, pk=specialist.user_id):
        raise ValidationError(
            {"email": _("There is already a login with this e-mail; choose another one.")}
        )
    user.save()
    _membership_ensure(specialist.organization_id, user)
    specialist.user = user


def _membership_ensure(organization_id: int, user: User) -> None:
    # A login without a membership ends on "not a member of any organization": the
    # specialist works in its organization's back office as an operator. get_or_create,
    # not update: an admin may have promoted this user meanwhile.
    Membership.objects.get_or_create(
        organization_id=organization_id,
        user=user,
        defaults={"role": Membership.Role.OPERATOR},
    )


def specialist_password_seal(*, value: str, record: dict[str, Any]) -> str:
    """The imports' rule for a specialist's login password `value` (the "Senha" column, in
    the job import and in the admin's): the screen's rules for `record` (the row's fields;
    "id" when the specialist exists): the password policy, an administrator's login left to
    its owner, an e-mail no other login uses. Returns the hash to store; raises
    ValidationError."""
    user_id = None
    if record.get("id") is not None:
        user_id = (
            Specialist.objects.filter(pk=record["id"]).values_list("user_id", flat=True).first()
        )
    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is not None and _is_privileged(user):
        raise ValidationError(
            _("This login is an administrator's; only its owner changes its password.")
        )
    email = record["email"]
    if login_clash(username=email, email=email, pk=user_id):
        raise ValidationError(_("There is already a login with this e-mail; choose another one."))
    user = user or get_user_model()(username=email, email=email)
    user.first_name = user.first_name or record["name"][:150]
    if (error := password_check(password=value, user=user)) is not None:
        raise error
    return make_password(value)


@transaction.atomic
def specialist_passwords_store(*, organization_id: int, values: dict[int, str]) -> None:
    """Sets imported login passwords (hashes from specialist_password_seal), by specialist id:
    a specialist without a login gets one, as on the screen (user name = e-mail, the
    Culture as its language, active while the specialist is, an operator's membership)."""
    specialists = Specialist.objects.filter(
        organization_id=organization_id, pk__in=values
    ).select_related("user")
    for specialist in specialists:
        user = specialist.user
        if user is None:
            user = get_user_model()(
                username=specialist.email,
                email=specialist.email,
                first_name=specialist.name[:150],
                language=specialist.culture,
                is_active=specialist.status == Specialist.Status.ACTIVE,
            )
        user.password = values[specialist.pk]
        user.save()
        _membership_ensure(organization_id, user)
        if specialist.user_id is None:
            Specialist.objects.filter(pk=specialist.pk).update(user=user)


def _save_profile(
    specialist: Specialist,
    password: str,
    photo: UploadedFile | None,
    *,
    culture_changed: bool = False,
) -> None:
    # The unique e-mail is checked by the database below, with a clearer message.
    specialist.full_clean(exclude=["organization", "photo", "photo_thumbnail", "user"])
    if photo is not None:
        photo_save(specialist, photo)
    _sync_login(specialist, password, culture_changed=culture_changed)
    try:
        with transaction.atomic():
            specialist.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"email": _("There is already a specialist with this e-mail.")}
        ) from exc


def _profile(fields: dict[str, Any]) -> dict[str, Any]:
    return specialist_prepare({k: v for k, v in fields.items() if k in PROFILE_FIELDS})


@transaction.atomic
def specialist_create(
    *,
    organization: Organization,
    password: str = "",
    photo: UploadedFile | None = None,
    additional: dict[int, Any] | None = None,
    project: Project | None = None,
    **fields: Any,
) -> Specialist:
    """Creates a specialist, in `project` when given (the one the operator works in); with a
    password it also gets a login to the organization's back office, with a photo a
    thumbnail."""
    if project is not None:
        ownership_check(organization, project)
    specialist = Specialist(organization=organization, **_profile(fields))
    _save_profile(specialist, password, photo)
    if project is not None:
        specialist.projects.add(project)
    if additional is not None:
        additional_values_save(organization=organization, specialist=specialist, values=additional)
    return specialist


@transaction.atomic
def specialist_update(
    *,
    organization: Organization,
    specialist: Specialist,
    password: str = "",
    photo: UploadedFile | None = None,
    additional: dict[int, Any] | None = None,
    **fields: Any,
) -> Specialist:
    ownership_check(organization, specialist)
    profile = _profile(fields)
    # Compared with the stored row: a ModelForm has already set the new value on the instance.
    stored = Specialist.objects.filter(pk=specialist.pk).values_list("culture", flat=True).get()
    culture_changed = profile.get("culture", specialist.culture) != stored
    for name, value in profile.items():
        setattr(specialist, name, value)
    _save_profile(specialist, password, photo, culture_changed=culture_changed)
    if additional is not None:
        additional_values_save(organization=organization, specialist=specialist, values=additional)
    return specialist


@transaction.atomic
def specialist_logins_sync(*, organization_id: int, ids: list[int]) -> None:
    """The logins of specialists written in bulk (the job and admin imports) follow their
    status, as _sync_login does for one: an inactive specialist's login cannot log in, a
    reactivated one can again. Administrators' logins are left alone, as on the screen."""
    specialists = Specialist.objects.filter(
        organization_id=organization_id, pk__in=ids, user__isnull=False
    )
    privileged = User.objects.filter(
        Q(is_staff=True) | Q(is_superuser=True) | Q(memberships__role=Membership.Role.ADMIN)
    )
    for active in (True, False):
        status = Specialist.Status.ACTIVE if active else Specialist.Status.INACTIVE
        users = specialists.filter(status=status).values("user_id")
        User.objects.filter(pk__in=users).exclude(pk__in=privileged.values("pk")).exclude(
            is_active=active
        ).update(is_active=active)


def specialist_delete(*, organization: Organization, specialist: Specialist) -> None:
    """Deletes the specialist and takes its login's access away: the login leaves the
    organization, and is deactivated when it belongs to no other organization and is no
    staff (kept, not deleted, so what its user wrote keeps an author)."""
    ownership_check(organization, specialist)
    user = specialist.user
    if user is not None:
        Membership.objects.filter(organization=organization, user=user).delete()
        if not (user.memberships.exists() or user.is_staff or user.is_superuser):
            type(user).objects.filter(pk=user.pk).update(is_active=False)
    specialist.delete()


# The shared rule under the name this module has always exported.
additional_value_clean = additional_fields.value_clean


def additional_values_save(
    *, organization: Organization, specialist: Specialist, values: dict[int, Any]
) -> None:
    """Stores the specialist's values of the organization's additional fields (by field id);
    fields left out are untouched, empty values are removed."""
    ownership_check(organization, specialist)
    fields = additional_field_list(organization=organization).filter(pk__in=values)
    additional_fields.values_store(
        fields={f.pk: f for f in fields},
        values=values,
        value_model=AdditionalFieldValue,
        owner_name="specialist",
        owner=specialist,
    )


def _relation(specialist: Specialist, item: SpecialistGroup | Role):
    # Groups and roles are associated the same way; the item's model names the relation.
    if isinstance(item, SpecialistGroup):
        return specialist.groups
    if isinstance(item, Role):
        return specialist.roles
    raise TypeError(f"A specialist is associated with groups and roles, not {type(item)}.")


def specialist_associate(
    *,
    organization: Organization,
    specialist: Specialist,
    item: SpecialistGroup | Role,
    with_projects: bool = False,
) -> list[Project]:
    """Puts the specialist in a group or gives it a role (nothing when it already has it).
    For a group, `with_projects` also puts the specialist in the group's projects; returns
    the projects it joined."""
    ownership_check(organization, specialist, item)
    if isinstance(item, SpecialistGroup):
        return group_join(member=specialist, group=item, with_projects=with_projects)
    _relation(specialist, item).add(item)
    return []


def specialist_dissociate(
    *, organization: Organization, specialist: Specialist, item: SpecialistGroup | Role
) -> None:
    ownership_check(organization, specialist, item)
    _relation(specialist, item).remove(item)


def feedback_create(
    *, organization: Organization, specialist: Specialist, author: User, text: str
) -> Feedback:
    ownership_check(organization, specialist)
    feedback = Feedback(
        organization=organization, specialist=specialist, author=author, text=text.strip()
    )
    feedback.full_clean()
    feedback.save()
    return feedback


@transaction.atomic
def shift_create(
    *,
    organization: Organization,
    specialist: Specialist,
    starts_on: date,
    ends_on: date,
    calendar: Calendar,
) -> Shift:
    """Adds a shift; refuses one that ends before it starts or overlaps another shift of
    the same specialist (both ends count as days of the shift)."""
    ownership_check(organization, specialist, calendar=calendar)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("“Until” cannot be before “From”.")})
    # Locking the specialist serializes concurrent additions, so two overlapping shifts
    # cannot both pass the check below.
    Specialist.objects.select_for_update().filter(pk=specialist.pk).first()
    clash = (
        Shift.objects.filter(specialist=specialist, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .order_by("starts_on")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("This shift overlaps the shift from %(start)s to %(end)s.")
            % {
                "start": clash.starts_on.strftime("%d/%m/%Y"),
                "end": clash.ends_on.strftime("%d/%m/%Y"),
            }
        )
    shift = Shift(
        organization=organization,
        specialist=specialist,
        starts_on=starts_on,
        ends_on=ends_on,
        calendar=calendar,
    )
    shift.full_clean()
    shift.save()
    return shift


def shift_delete(*, organization: Organization, shift: Shift) -> None:
    ownership_check(organization, shift)
    shift.delete()


@transaction.atomic
def catalog_save(
    *,
    organization: Organization,
    instance: Any,
    name: str,
    description: str = "",
    projects: Iterable[Project] | None = None,
):
    """Creates or renames a group, role or calendar of the organization; a specialist
    group's `projects` are the ones offered to the specialists who join it."""
    if instance.pk is None:
        instance.organization = organization
    projects = None if projects is None else list(projects)
    ownership_check(organization, instance, *(projects or ()))
    instance.name = name.strip()
    instance.description = description.strip()
    instance.full_clean(exclude=["organization"])
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError({"name": _("There is already one with this name.")}) from exc
    if projects is not None:
        instance.projects.set(projects)
    return instance


def catalog_delete(*, organization: Organization, instance: Any) -> None:
    ownership_check(organization, instance)
    if isinstance(instance, Calendar) and instance.shifts.exists():
        raise ValidationError(_("This calendar is used by shifts; remove them first."))
    instance.delete()


def additional_field_save(
    *,
    organization: Organization,
    instance: AdditionalField,
    entity: str = AdditionalField.Entity.SPECIALIST,
    **fields: Any,
) -> AdditionalField:
    """Creates or changes one of the organization's additional fields; a new one is for
    `entity` (its specialists or its clients)."""
    if instance.pk is None:
        instance.organization = organization
        instance.entity = entity
    ownership_check(organization, instance)
    for name, value in fields.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)
    if instance.field_type == AdditionalField.Type.CHOICE and not instance.choice_list:
        raise ValidationError({"choices": _("A choice field needs at least one option.")})
    instance.full_clean(exclude=["organization"])
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError({"label": _("There is already a field with this label.")}) from exc
    return instance


def additional_field_delete(*, organization: Organization, instance: AdditionalField) -> None:
    """Deletes the field and every value of it."""
    ownership_check(organization, instance)
    instance.delete()
