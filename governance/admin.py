from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from governance.models import AgendaItem, Attendance, Body, Decision, DiscussionRequest, Meeting


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
