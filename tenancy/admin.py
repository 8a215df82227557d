"""The Django admin, scoped by organization.

Superusers are the platform's staff and see every organization. An organization's admin
(a staff user with an admin membership) uses the same admin limited to the organizations
they administer: TenantAdminMixin, used by every app's ModelAdmin of tenant rows, filters
the lists, the choices of every reference, the import and export rows and the history.
Anyone else (operators, staff without an admin membership) sees no model at all."""

from __future__ import annotations

from auditlog.context import disable_auditlog
from auditlog.mixins import AuditlogHistoryAdminMixin
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from import_export.admin import ImportExportModelAdmin

from tenancy import audit
from tenancy.auth import login_clash
from tenancy.models import Membership, Organization, Project, TenantModel, User

# The user's fields only platform staff may set: they grant rights beyond any organization.
PLATFORM_FIELDS = ("is_superuser", "groups", "user_permissions")


def admin_organization_ids(request) -> list[int] | None:
    """The organizations whose rows `request.user` manages in the admin: None for a superuser
    (every one), else those where the user is an active staff admin member (often none)."""
    if not hasattr(request, "_admin_organization_ids"):
        user = request.user
        if user.is_active and user.is_superuser:
            ids = None
        elif user.is_active and user.is_staff:
            ids = list(
                Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values_list(
                    "organization_id", flat=True
                )
            )
        else:
            ids = []
        request._admin_organization_ids = ids
    return request._admin_organization_ids


def scope_queryset(
    queryset: models.QuerySet, ids: list[int] | None, path: str | None = None
) -> models.QuerySet:
    """`queryset` limited to the rows of the organizations `ids` (all when None); `path`
    names the organization of a model that has none of its own ("specialist__organization")."""
    if ids is None:
        return queryset
    if path is not None:
        return queryset.filter(**{f"{path}__in": ids})
    model = queryset.model
    if issubclass(model, Organization):
        return queryset.filter(pk__in=ids)
    if issubclass(model, User):
        members = Membership.objects.filter(organization__in=ids).values("user_id")
        return queryset.filter(pk__in=members)
    if issubclass(model, TenantModel):
        return queryset.filter(organization__in=ids)
    # A model that belongs to no organization is not an organization admin's business.
    return queryset.none()


class TenantAdminMixin(AuditlogHistoryAdminMixin):
    """Scopes a ModelAdmin (or an inline) to the organizations the user administers.

    Rights come from the membership, not from Django's permission tables: an organization's
    admin may view, add, change and delete the rows of their organizations, and nothing else.
    A foreign row is missing (its change page redirects as for a deleted row), a foreign
    reference is not a choice (the form refuses it), and the organization of a row is chosen
    among theirs on add and kept on change."""

    # For a model without an organization of its own: the lookup path to its owner's.
    organization_path: str | None = None
    # Each row of a list links to its history (auditlog's page, scoped like the rest).
    show_auditlog_history_link = True

    def get_queryset(self, request):
        return scope_queryset(
            super().get_queryset(request), admin_organization_ids(request), self.organization_path
        )

    def _allowed(self, request) -> bool:
        return bool(admin_organization_ids(request))

    def has_module_permission(self, request) -> bool:
        if request.user.is_superuser:
            return super().has_module_permission(request)
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return super().has_view_permission(request, obj)
        return self._allowed(request)

    def has_add_permission(self, request, *args) -> bool:
        if request.user.is_superuser:
            return super().has_add_permission(request, *args)
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return super().has_change_permission(request, obj)
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return super().has_delete_permission(request, obj)
        return self._allowed(request)

    def auditlog_history_view(self, request, object_id, extra_context=None):
        # auditlog's view would render a page for a row it did not find (and fail): a foreign
        # or missing row is answered as Django's own views answer a deleted one.
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().auditlog_history_view(request, object_id, extra_context)

    def _limit_choices(self, db_field, request, kwargs: dict) -> None:
        ids = admin_organization_ids(request)
        if ids is None:
            return
        related = db_field.remote_field.model
        queryset = kwargs.get("queryset", related._default_manager.all())
        kwargs["queryset"] = scope_queryset(queryset, ids)
        # Not in an inline: a row left as offered would count as not filled in.
        if related is Organization and len(ids) == 1 and isinstance(self, admin.ModelAdmin):
            kwargs["initial"] = ids[0]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        # Moving a row to another organization would leave its references behind.
        if (
            isinstance(obj, self.model)
            and not request.user.is_superuser
            and any(f.name == "organization" for f in self.model._meta.fields)
        ):
            fields = (*fields, "organization")
        return fields

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        # A related filter lists every row of the related table (every organization's name);
        # RelatedOnlyFieldListFilter lists those the scoped rows point to.
        return tuple(
            (name, admin.RelatedOnlyFieldListFilter)
            if isinstance(name, str) and self._is_relation(name)
            else name
            for name in filters
        )

    def _is_relation(self, name: str) -> bool:
        try:
            field = self.model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a lookup path ("client__status") is no relation
            return False
        return field.is_relation


class TenantImportExportAdmin(TenantAdminMixin, ImportExportModelAdmin):
    """A scoped admin with django-import-export: the file's rows are read and written only
    in the user's organizations (the resource refuses the others), and an import is one
    history entry per organization, not one per row."""

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "organization_ids": admin_organization_ids(request),
        }

    def get_export_resource_kwargs(self, request, **kwargs):
        return {
            **super().get_export_resource_kwargs(request, **kwargs),
            "organization_ids": admin_organization_ids(request),
        }

    def process_dataset(self, dataset, form, request, **kwargs):
        # Each row's save would write its own history entry; the import writes one.
        with disable_auditlog():
            result = super().process_dataset(dataset, form, request, **kwargs)
        audit.record_admin_import(
            result=result,
            model=self.model,
            file_name=form.cleaned_data.get("original_file_name") or "",
            actor=request.user,
        )
        return result

    def import_action(self, request, **kwargs):
        # The dry run is rolled back, its entries with it; none are written meanwhile.
        with disable_auditlog():
            return super().import_action(request, **kwargs)


class LoginClashMixin:
    """Refuses a user name or an e-mail that would name another user on the login form."""

    def clean(self):
        cleaned_data = super().clean()
        clash = login_clash(
            username=cleaned_data.get("username", ""),
            email=cleaned_data.get("email", ""),
            pk=self.instance.pk,
        )
        for field, message in clash.items():
            self.add_error(field, message)
        return cleaned_data


class VigiaUserCreationForm(LoginClashMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User


class VigiaUserChangeForm(LoginClashMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class UserMembershipInline(TenantAdminMixin, admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organization", "role")

    def get_formset(self, request, obj=None, **kwargs):
        # A user an organization's admin creates must join one of their organizations,
        # else it would vanish from their list at once.
        if not request.user.is_superuser:
            kwargs.update(min_num=1, validate_min=True)
        return super().get_formset(request, obj, **kwargs)


@admin.register(User)
class VigiaUserAdmin(TenantAdminMixin, UserAdmin):
    add_form = VigiaUserCreationForm
    form = VigiaUserChangeForm
    fieldsets = (*UserAdmin.fieldsets, ("Vigia", {"fields": ("language",)}))
    list_display = ("username", "email", "first_name", "last_name", "language", "is_staff")
    list_filter = (*UserAdmin.list_filter, "language")
    inlines = (UserMembershipInline,)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (
                name,
                {**options, "fields": [f for f in options["fields"] if f not in PLATFORM_FIELDS]},
            )
            for name, options in fieldsets
        ]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return tuple(f for f in filters if f not in PLATFORM_FIELDS)

    def _may_manage(self, request, obj) -> bool:
        """An organization's admin manages a user of theirs who is no superuser and belongs to
        no organization they do not administer (else they could take over an account with
        rights elsewhere)."""
        if request.user.is_superuser or obj is None or obj == request.user:
            return True
        if obj.is_superuser:
            return False
        ids = admin_organization_ids(request) or []
        return not obj.memberships.exclude(organization__in=ids).exists()

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_manage(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)


class MembershipInline(TenantAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


class ProjectInline(TenantAdminMixin, admin.TabularInline):
    model = Project
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "language", "alert_grace_minutes", "created_at")
    list_filter = ("language",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (MembershipInline, ProjectInline)

    # Organizations are created and removed by the platform's staff.
    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role", "organization")
    search_fields = ("user__username", "user__email", "organization__name")
    autocomplete_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("name", "organization", "created_at")
    list_filter = ("organization",)
    search_fields = ("name",)


class ViewOnlyMixin:
    """For rows whose every change goes through a service with rules of its own (files
    stored and deleted, e-mails sent, statuses checked): the admin only shows them."""

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
