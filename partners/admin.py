from django.contrib import admin, messages
from django.db import models
from django.shortcuts import redirect
from simple_history.admin import SimpleHistoryAdmin

from partners.forms import ContactAdminForm
from partners.models import Agreement, Contact, Facility, FundingLine, Partner
from partners.services import PartnerInUse, agreement_delete, partner_delete


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # the default of Django 6
    list_display = ["name", "kind", "siret"]
    list_filter = ["kind"]
    search_fields = ["name", "siret"]
    filter_horizontal = ["territories"]

    def delete_model(self, request, obj):
        partner_delete(pk=obj.pk, by=request.user)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            partner_delete(pk=pk, by=request.user)

    def delete_view(self, request, object_id, extra_context=None):
        """A record attached between the confirmation page's check and the deletion: said, not a 500."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except PartnerInUse as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:partners_partner_change", object_id)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except PartnerInUse as error:
            self.message_user(request, str(error), messages.ERROR)
            return redirect("admin:partners_partner_changelist")


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    form = ContactAdminForm
    list_display = ["name", "partner", "function", "email", "phone", "checked_at"]
    list_filter = ["partner__kind"]
    search_fields = ["name", "email", "partner__name"]
    list_select_related = ["partner"]
    date_hierarchy = "checked_at"

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        Contact.history.filter(id=pk).delete()

    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        Contact.history.filter(id__in=pks).delete()


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["title", "partner", "kind", "start_date", "end_date", "annual_amount", "notice_months"]
    list_filter = ["kind", "partner__kind"]
    search_fields = ["title", "reference", "partner__name"]
    list_select_related = ["partner"]
    date_hierarchy = "end_date"
    filter_horizontal = ["actions"]

    def delete_model(self, request, obj):
        agreement_delete(pk=obj.pk, by=request.user)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            agreement_delete(pk=pk, by=request.user)


class FundingLineInline(admin.TabularInline):
    model = FundingLine
    extra = 0
    fields = [
        "year",
        "scheme",
        "funder",
        "quantity",
        "unit_rate",
        "flat_amount",
        "stage",
        "planned",
        "notified",
        "paid",
    ]


@admin.register(Facility)
class FacilityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "capacity", "manager", "district"]
    list_filter = ["kind"]
    search_fields = ["name", "manager__name"]
    list_select_related = ["manager", "district"]
    inlines = [FundingLineInline]


@admin.register(FundingLine)
class FundingLineAdmin(SimpleHistoryAdmin):
    list_display = ["facility", "year", "scheme", "funder", "stage", "planned", "notified", "paid"]
    list_filter = ["year", "scheme", "funder", "stage"]
    search_fields = ["facility__name"]
    list_select_related = ["facility"]
