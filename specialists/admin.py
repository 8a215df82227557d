from django.contrib import admin

from specialists.models import Specialist


@admin.register(Specialist)
class SpecialistAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "status", "culture", "organization")
    list_filter = ("status", "culture", "organization")
    search_fields = ("name", "email")
    filter_horizontal = ("projects",)
