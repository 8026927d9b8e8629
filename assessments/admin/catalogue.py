"""The framework's steps and questions, and the teams rounds are run for."""

from django.contrib import admin

from assessments.models import Question, Step, Team


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("position", "key", "text", "hint")
    extra = 0


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "version", "moment_of_truth")
    list_filter = ("version",)
    search_fields = ("name", "moment_of_truth")
    inlines = (QuestionInline,)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "key", "step", "position")
    list_filter = ("step__version", "step__key")
    list_select_related = ("step",)
    search_fields = ("text", "key")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "parent", "created_at")
    list_filter = ("level",)
    list_select_related = ("parent",)
    search_fields = ("name", "managers__email")
    autocomplete_fields = ("parent",)
    filter_horizontal = ("managers",)
