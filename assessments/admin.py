from django.contrib import admin

from assessments.models import (
    ActionItem,
    AlignmentRating,
    AnswerJudgement,
    Assessment,
    Commitment,
    Invitation,
    Question,
    Response,
    Step,
    StepResult,
    Team,
    Vision,
)


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
    search_fields = ("name", "managers__username", "managers__email")
    autocomplete_fields = ("parent",)
    filter_horizontal = ("managers",)


class VisionInline(admin.StackedInline):
    model = Vision
    fields = ("statement", "has_vision")
    extra = 0


class AlignmentRatingInline(admin.TabularInline):
    model = AlignmentRating
    fields = ("question", "rating", "evidence")
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "question":
            kwargs["queryset"] = Question.objects.of_step("alignment").select_related(
                "step"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CommitmentInline(admin.StackedInline):
    model = Commitment
    fields = (
        "hours_per_week",
        "budget",
        "attention",
        "owner",
        "sponsor",
        "reassess_on",
    )
    extra = 0


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    fields = ("title", "owner", "due_on", "done_on")
    extra = 0


class ResponseInline(admin.StackedInline):
    model = Response
    fields = ("vision_answer", "meaning_answer", "contribution_answer", "engaged")
    readonly_fields = ("engaged",)
    extra = 0
    show_change_link = True


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "team", "status", "anonymous", "opened_at", "closed_at")
    list_filter = ("status", "anonymous", "created_at")
    list_select_related = ("team",)
    search_fields = ("title", "team__name", "team__managers__username")
    autocomplete_fields = ("team",)
    date_hierarchy = "created_at"
    readonly_fields = ("catalogue_version", "created_by", "created_at")
    fieldsets = (
        (None, {"fields": ("team", "title", "status", "opened_at", "closed_at")}),
        (
            "Privacy",
            {
                "fields": (
                    "anonymous",
                    "min_group_for_scores",
                    "min_group_for_verbatims",
                )
            },
        ),
        (
            "Readiness thresholds",
            {
                "fields": (
                    "ready_engaged_share",
                    "ready_min_respondents",
                    "ready_min_participation",
                    "team_rates_alignment",
                )
            },
        ),
        ("Record", {"fields": ("catalogue_version", "created_by", "created_at")}),
    )
    inlines = (
        VisionInline,
        AlignmentRatingInline,
        CommitmentInline,
        ActionItemInline,
        ResponseInline,
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Vision)
class VisionAdmin(admin.ModelAdmin):
    list_display = ("assessment", "has_vision", "updated_at")
    list_filter = ("has_vision",)
    list_select_related = ("assessment__team",)
    search_fields = ("statement", "assessment__team__name")
    raw_id_fields = ("assessment",)
    readonly_fields = ("revision", "updated_at", "updated_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "assessment", "status", "sent_at", "created_at")
    list_filter = ("status",)
    list_select_related = ("assessment__team",)
    search_fields = ("name", "email", "assessment__team__name")
    raw_id_fields = ("assessment",)
    readonly_fields = ("token_hash", "created_at")


class AnswerJudgementInline(admin.TabularInline):
    model = AnswerJudgement
    fields = (
        "question_key",
        "clear",
        "consistent",
        "score",
        "override_clear",
        "override_consistent",
        "override_reason",
    )
    readonly_fields = ("question_key", "clear", "consistent", "score")
    extra = 0
    can_delete = False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("__str__", "assessment", "engaged", "created_at")
    list_filter = ("engaged",)
    list_select_related = ("assessment__team",)
    search_fields = ("vision_answer", "meaning_answer", "contribution_answer")
    raw_id_fields = ("assessment", "invitation")
    readonly_fields = ("respondent_key", "engaged")
    inlines = (AnswerJudgementInline,)


@admin.register(AnswerJudgement)
class AnswerJudgementAdmin(admin.ModelAdmin):
    list_display = ("__str__", "question_key", "clear", "consistent", "score")
    list_filter = ("question_key", "clear", "consistent")
    list_select_related = ("response",)
    search_fields = ("override_reason",)
    raw_id_fields = ("response", "overridden_by")


@admin.register(AlignmentRating)
class AlignmentRatingAdmin(admin.ModelAdmin):
    list_display = ("assessment", "question", "rating", "updated_at")
    list_filter = ("rating", "question__key")
    list_select_related = ("assessment__team", "question")
    search_fields = ("evidence", "assessment__team__name")
    raw_id_fields = ("assessment",)


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("assessment", "owner", "sponsor", "hours_per_week", "reassess_on")
    list_select_related = ("assessment__team",)
    search_fields = ("owner", "sponsor", "assessment__team__name")
    raw_id_fields = ("assessment",)


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ("title", "assessment", "owner", "due_on", "done_on")
    list_filter = ("due_on", "done_on")
    list_select_related = ("assessment__team",)
    search_fields = ("title", "owner")
    raw_id_fields = ("assessment",)


@admin.register(StepResult)
class StepResultAdmin(admin.ModelAdmin):
    list_display = ("assessment", "step", "status", "score", "computed_at")
    list_filter = ("status", "step__key")
    list_select_related = ("assessment__team", "step")
    search_fields = ("assessment__team__name",)
    raw_id_fields = ("assessment",)
