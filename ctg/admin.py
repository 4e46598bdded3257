from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from ctg.models import Amendment, Axis, Convention, Objective, Service, Signatory, Territory, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "service", "is_active"]
    list_filter = ["role", "service", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Rôle dans Pilote CTG", {"fields": ["role", "service"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        ("Rôle dans Pilote CTG", {"fields": ["first_name", "last_name", "email", "role", "service"]}),
    ]


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0


class AmendmentInline(admin.TabularInline):
    model = Amendment
    extra = 0


@admin.register(Convention)
class ConventionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "status", "start_date", "end_date"]
    inlines = [SignatoryInline, AmendmentInline]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "is_qpv"]
    list_filter = ["kind", "is_qpv"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "head"]


@admin.register(Axis)
class AxisAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "convention", "theme"]
    list_filter = ["convention"]


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "axis", "level"]
    list_filter = ["axis__convention", "level"]


admin.site.register(Signatory)
admin.site.register(Amendment)
admin.site.site_header = "Pilote CTG – administration technique"
