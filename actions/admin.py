from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from actions.models import Action, ActionPartner, BudgetLine, Milestone, ProgressUpdate, TargetPublic


class ActionPartnerInline(admin.TabularInline):
    model = ActionPartner
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "pilot_service", "status", "progress", "archived_at"]
    list_filter = ["status", "pilot_service", "objective__axis__convention"]
    search_fields = ["code", "title"]
    inlines = [ActionPartnerInline, MilestoneInline, BudgetLineInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    """Read-only: a point d'étape sets its action's status, progress and last update date when recorded
    (`action_record_progress`); changing or deleting one here would leave the action out of step."""

    list_display = ["action", "recorded_at", "author", "status", "progress"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(TargetPublic)
admin.site.register(ActionPartner, SimpleHistoryAdmin)
admin.site.register(Milestone, SimpleHistoryAdmin)
admin.site.register(BudgetLine, SimpleHistoryAdmin)
