from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from evaluation.models import (
    Answer,
    AnswerCount,
    Assessment,
    Indicator,
    IndicatorTarget,
    Measurement,
    Question,
    Response,
    Survey,
    Workshop,
)
from evaluation.services import statuses_refresh


class TargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 0


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Values are entered in the app (locked, bounds checked, statuses computed), targets with their indicator;
    survey answers come from the public page, which keeps their counts."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "convention"]
    list_filter = ["kind", "convention"]
    search_fields = ["code", "name"]
    inlines = [TargetInline]

    def save_related(self, request, form, formsets, change):
        """The baseline, direction or targets may have changed: the statuses of the values follow."""
        super().save_related(request, form, formsets, change)
        statuses_refresh(indicator_ids=[form.instance.pk])


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "year", "value"]


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "year", "period", "value", "status", "provenance", "author"]
    list_filter = ["provenance", "year", "status"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Survey)
class SurveyAdmin(SimpleHistoryAdmin):
    list_display = ["title", "opens_on", "closes_on", "convention"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "survey", "kind", "order"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["survey", "submitted_at"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["question", "value"]


@admin.register(AnswerCount)
class AnswerCountAdmin(ReadOnlyAdmin):
    list_display = ["question", "value", "count"]


@admin.register(Workshop)
class WorkshopAdmin(SimpleHistoryAdmin):
    list_display = ["topic", "held_on", "kind", "inhabitants", "professionals"]


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["action", "kind", "year", "recommendation"]
