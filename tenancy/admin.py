from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from tenancy.auth import login_clash
from tenancy.models import Membership, Organization, Project, User


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


@admin.register(User)
class VigiaUserAdmin(UserAdmin):
    add_form = VigiaUserCreationForm
    form = VigiaUserChangeForm
    fieldsets = (*UserAdmin.fieldsets, ("Vigia", {"fields": ("language",)}))
    list_display = ("username", "email", "first_name", "last_name", "language", "is_staff")
    list_filter = (*UserAdmin.list_filter, "language")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "language", "alert_grace_minutes", "created_at")
    list_filter = ("language",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (MembershipInline, ProjectInline)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role", "organization")
    search_fields = ("user__username", "user__email", "organization__name")
    autocomplete_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "created_at")
    list_filter = ("organization",)
    search_fields = ("name",)
