from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import AnnualReport, Reminder, ReportVersion


class ReportVersionInline(admin.TabularInline):
    model = ReportVersion
    extra = 0
    can_delete = False
    fields = ["number", "state", "sha256", "page_count", "requested_by", "generated_at"]
    readonly_fields = fields


@admin.register(AnnualReport)
class AnnualReportAdmin(SimpleHistoryAdmin):
    list_display = ["year", "convention", "status", "transmitted_on"]
    list_filter = ["status", "convention"]
    inlines = [ReportVersionInline]


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    """Versions are written by the app only: a frozen file must never be edited by hand."""

    list_display = ["report", "number", "state", "sha256", "generated_at"]
    readonly_fields = [field.name for field in ReportVersion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "year", "service", "recipient", "missing_updates", "missing_actuals"]
    list_filter = ["year", "service"]
