from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

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
from tenancy.models import Organization, Project, User

THUMBNAIL_SIZE = (160, 160)
PROFILE_FIELDS = ("name", "email", "status", "culture", *ADDRESS_FIELDS)


def _thumbnail(photo: UploadedFile) -> ContentFile:
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            image = image.convert("RGB")
            image.thumbnail(THUMBNAIL_SIZE)
            out = BytesIO()
            image.save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError) as exc:
        raise ValidationError({"photo": _("The photo is not an image we can read.")}) from exc
    return ContentFile(out.getvalue(), name="thumbnail.jpg")


def _set_photo(specialist: Specialist, photo: UploadedFile) -> None:
    thumbnail = _thumbnail(photo)
    photo.seek(0)
    specialist.photo.save(photo.name, photo, save=False)
    specialist.photo_thumbnail.save(thumbnail.name, thumbnail, save=False)


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


def _login_taken(specialist: Specialist) -> bool:
    others = get_user_model().objects.filter(username__iexact=specialist.email)
    if specialist.user_id:
        others = others.exclude(pk=specialist.user_id)
    return others.exists()


def _sync_login(specialist: Specialist, password: str) -> None:
    """Keeps the specialist's login (user name = e-mail) in step with the profile: created
    when a password is first set, renamed with the e-mail, disabled while inactive."""
    if not password and specialist.user is None:
        return
    user = specialist.user or get_user_model()(first_name=specialist.name[:150])
    user.username = user.email = specialist.email
    user.is_active = specialist.status == Specialist.Status.ACTIVE
    if password:
        if (error := password_check(password=password, user=user)) is not None:
            raise ValidationError({"password": error.messages})
        user.set_password(password)
    if _login_taken(specialist):
        raise ValidationError(
            {"email": _("There is already a login with this e-mail; choose another one.")}
        )
    user.save()
    specialist.user = user


def _save_profile(specialist: Specialist, password: str, photo: UploadedFile | None) -> None:
    # The unique e-mail is checked by the database below, with a clearer message.
    specialist.full_clean(exclude=["organization", "photo", "photo_thumbnail", "user"])
    if photo is not None:
        _set_photo(specialist, photo)
    _sync_login(specialist, password)
    try:
        with transaction.atomic():
            specialist.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"email": _("There is already a specialist with this e-mail.")}
        ) from exc


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
    password it also gets a login, with a photo a thumbnail."""
    specialist = Specialist(
        organization=organization, **{k: v for k, v in fields.items() if k in PROFILE_FIELDS}
    )
    _save_profile(specialist, password, photo)
    if project is not None:
        _check_owner(organization, project)
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
    _check_owner(organization, specialist)
    for name, value in fields.items():
        if name in PROFILE_FIELDS:
            setattr(specialist, name, value)
    _save_profile(specialist, password, photo)
    if additional is not None:
        additional_values_save(organization=organization, specialist=specialist, values=additional)
    return specialist


def _check_owner(organization: Organization, *objects: Any) -> None:
    # Services trust no caller: every object must belong to the organization they act in.
    for obj in objects:
        if obj.organization_id != organization.pk:
            raise ValidationError(_("This object does not belong to the organization."))


def additional_value_clean(*, field: AdditionalField, value: Any) -> str:
    """The canonical text form of `value` for `field`, or ValidationError."""
    if value is None or str(value).strip() == "":
        if field.required:
            raise ValidationError(_("“%(field)s” is required.") % {"field": field.label})
        return ""
    text = str(value).strip()
    if field.field_type == AdditionalField.Type.NUMBER:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation as exc:
            raise ValidationError(
                _("“%(field)s” must be a number.") % {"field": field.label}
            ) from exc
        if not number.is_finite():
            raise ValidationError(_("“%(field)s” must be a number.") % {"field": field.label})
        return format(number.normalize(), "f")
    if field.field_type == AdditionalField.Type.DATE:
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise ValidationError(
                _("“%(field)s” must be a date (YYYY-MM-DD).") % {"field": field.label}
            ) from exc
    if field.field_type == AdditionalField.Type.CHOICE and text not in field.choice_list:
        raise ValidationError(
            _("“%(value)s” is not an option of “%(field)s”.")
            % {"value": text, "field": field.label}
        )
    return text


@transaction.atomic
def additional_values_save(
    *, organization: Organization, specialist: Specialist, values: dict[int, Any]
) -> None:
    """Stores the specialist's values of the organization's additional fields (by field id);
    fields left out are untouched, empty values are removed."""
    _check_owner(organization, specialist)
    fields = {f.pk: f for f in AdditionalField.objects.for_org(organization).filter(pk__in=values)}
    errors: dict[str, list[str]] = {}
    cleaned: dict[int, str] = {}
    for field_id, raw in values.items():
        field = fields.get(field_id)
        if field is None:
            continue
        try:
            cleaned[field_id] = additional_value_clean(field=field, value=raw)
        except ValidationError as exc:
            errors[f"field_{field_id}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    AdditionalFieldValue.objects.filter(
        specialist=specialist, field_id__in=[k for k, v in cleaned.items() if not v]
    ).delete()
    AdditionalFieldValue.objects.bulk_create(
        [
            AdditionalFieldValue(specialist=specialist, field_id=k, value=v)
            for k, v in cleaned.items()
            if v
        ],
        update_conflicts=True,
        unique_fields=["specialist", "field"],
        update_fields=["value"],
    )


def specialist_group_add(
    *, organization: Organization, specialist: Specialist, group: SpecialistGroup
) -> None:
    _check_owner(organization, specialist, group)
    specialist.groups.add(group)


def specialist_group_remove(
    *, organization: Organization, specialist: Specialist, group: SpecialistGroup
) -> None:
    _check_owner(organization, specialist, group)
    specialist.groups.remove(group)


def specialist_role_add(*, organization: Organization, specialist: Specialist, role: Role) -> None:
    _check_owner(organization, specialist, role)
    specialist.roles.add(role)


def specialist_role_remove(
    *, organization: Organization, specialist: Specialist, role: Role
) -> None:
    _check_owner(organization, specialist, role)
    specialist.roles.remove(role)


def feedback_create(
    *, organization: Organization, specialist: Specialist, author: User, text: str
) -> Feedback:
    _check_owner(organization, specialist)
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
    _check_owner(organization, specialist, calendar)
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
    _check_owner(organization, shift)
    shift.delete()


def catalog_save(*, organization: Organization, instance: Any, name: str, description: str = ""):
    """Creates or renames a group, role or calendar of the organization."""
    if instance.pk is None:
        instance.organization = organization
    _check_owner(organization, instance)
    instance.name = name.strip()
    instance.description = description.strip()
    instance.full_clean(exclude=["organization"])
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError({"name": _("There is already one with this name.")}) from exc
    return instance


def catalog_delete(*, organization: Organization, instance: Any) -> None:
    _check_owner(organization, instance)
    if isinstance(instance, Calendar) and instance.shifts.exists():
        raise ValidationError(_("This calendar is used by shifts; remove them first."))
    instance.delete()


def additional_field_save(
    *, organization: Organization, instance: AdditionalField, **fields: Any
) -> AdditionalField:
    """Creates or changes one of the organization's additional fields."""
    if instance.pk is None:
        instance.organization = organization
    _check_owner(organization, instance)
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
    """Deletes the field and every specialist's value of it."""
    _check_owner(organization, instance)
    instance.delete()
