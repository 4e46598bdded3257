from contextlib import suppress

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from governance.models import AgendaItem, Attendance, Body, Decision, DiscussionRequest, Meeting, MeetingAttachment
from governance.services import GovernanceError, attachment_delete, meeting_delete


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["action"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["user", "contact"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "convention"]
    list_filter = ["kind", "convention"]
    filter_horizontal = ["users", "contacts"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # the default of Django 6
    list_display = ["body", "date", "start_time", "mode", "status"]
    list_filter = ["status", "mode", "body__kind"]
    inlines = [AgendaItemInline, AttendanceInline]

    def delete_model(self, request, obj):
        """Through `meeting_delete`: the meeting locked first, the attachments' files removed once committed."""
        with suppress(GovernanceError):  # deleted meanwhile: what the admin wanted
            meeting_delete(pk=obj.pk, by=request.user)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            self.delete_model(request, Meeting(pk=pk))


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "order"]
    raw_id_fields = ["action"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["meeting", "user", "contact", "status"]
    list_filter = ["status"]


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "meeting", "owner", "due_on", "done"]
    list_filter = ["done"]
    filter_horizontal = ["actions"]


@admin.register(DiscussionRequest)
class DiscussionRequestAdmin(admin.ModelAdmin):
    list_display = ["action", "requested_by", "requested_at"]


@admin.register(MeetingAttachment)
class MeetingAttachmentAdmin(admin.ModelAdmin):
    """Read and deleted here; added on the meeting's page, which checks the file."""

    list_display = ["title", "meeting", "uploaded_by", "uploaded_at"]
    readonly_fields = ["file", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["meeting"]

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        with suppress(GovernanceError):
            attachment_delete(pk=obj.pk, by=request.user)

    def delete_queryset(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            self.delete_model(request, MeetingAttachment(pk=pk))
