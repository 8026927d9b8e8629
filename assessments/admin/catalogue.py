"""The framework's steps and questions, the teams rounds are run for, and the
invitations to manage them."""

from django.contrib import admin

from assessments.admin.common import TabularInline
from assessments.models import ManagerInvitation, Question, Step, Team


class QuestionInline(TabularInline):
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


@admin.register(ManagerInvitation)
class ManagerInvitationAdmin(admin.ModelAdmin):
    """A record to read: invitations are sent, answered and withdrawn from the
    team's page, where the invited person proves they own the address."""

    list_display = ("email", "team", "status", "invited_by", "created_at", "sent_at")
    list_filter = ("status",)
    list_select_related = ("team", "invited_by")
    search_fields = ("email", "team__name")
    date_hierarchy = "created_at"
    fields = (
        "team",
        "email",
        "status",
        "invited_by",
        "accepted_by",
        "created_at",
        "sent_at",
        "closed_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False
