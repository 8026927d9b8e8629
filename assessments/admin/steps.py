"""The manager's answers to the four steps (vision, alignment ratings,
commitment, actions) as inlines of a round and admins of their own, each saved
over the revision its form was opened at, and the readiness the engine last
stored for each step."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from assessments import services
from assessments.admin.common import AuditedAdmin, TabularInline
from assessments.forms import COMMITMENT_VALUES, OPENED_REVISION, RevisedForm
from assessments.models import (
    ActionItem,
    AlignmentRating,
    Commitment,
    Question,
    RoundPrediction,
    StepResult,
    Vision,
)


def revised_row_save(form: RevisedForm, user) -> None:
    """Save a step row's admin form through the service, over the revision the
    form was opened at."""
    services.step_row_revise(
        row=form.instance,
        revision=form.cleaned_data[OPENED_REVISION],
        values=form.revised_values(),
        user=user,
    )


class RevisedMixin:
    """The form of a revised row carries the revision it was opened at and saves
    through the same service as a manager's page: an administrator who opened it
    before someone else saved is refused with the stale message instead of
    overwriting that change unseen, and the other way round."""

    form = RevisedForm

    def get_fields(self, request, obj=None):
        fields = tuple(super().get_fields(request, obj))
        return fields if OPENED_REVISION in fields else (*fields, OPENED_REVISION)

    def save_model(self, request, obj, form, change):
        revised_row_save(form, request.user)


class KeyIdeasShown:
    """The round's key ideas, read-only: the manager confirms them on step 1,
    where the service checks them and has the answers judged again."""

    @admin.display(description="key ideas")
    def key_ideas_shown(self, obj):
        ideas = obj.confirmed_ideas if obj is not None and obj.pk else ()
        if not ideas:
            return "Not confirmed: answers are judged against every specific word."
        shown = format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}{}</li>",
                (
                    (idea.idea, f" (team's words: {', '.join(idea.words)})")
                    if idea.words
                    else (idea.idea, "")
                    for idea in ideas
                ),
            ),
        )
        if obj.ideas_to_check:
            return format_html(
                "{}<p>The statement changed since they were confirmed.</p>", shown
            )
        return shown


class VisionInline(KeyIdeasShown, RevisedMixin, admin.StackedInline):
    model = Vision
    fields = (
        "statement",
        "has_vision",
        "key_ideas_shown",
        "revision",
        "updated_by",
        "updated_at",
    )
    readonly_fields = ("key_ideas_shown", "revision", "updated_by", "updated_at")
    extra = 0
    max_num = 1
    can_delete = False


class AlignmentRatingInline(RevisedMixin, TabularInline):
    model = AlignmentRating
    fields = ("question", "rating", "evidence", "revision", "updated_by")
    readonly_fields = ("revision", "updated_by")
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "question":
            kwargs["queryset"] = Question.objects.of_step("alignment").select_related(
                "step"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CommitmentInline(RevisedMixin, admin.StackedInline):
    model = Commitment
    fields = (*COMMITMENT_VALUES, "revision", "updated_by")
    readonly_fields = ("revision", "updated_by")
    extra = 0
    max_num = 1
    can_delete = False


class RoundPredictionInline(admin.StackedInline):
    """The manager's prediction, read-only: made on the manager's page, blind,
    before any answer showed; nobody may change it afterwards."""

    model = RoundPrediction
    fields = (
        "engaged_share",
        "rating_goals",
        "rating_hiring",
        "rating_training",
        "rating_empowerment",
        "rating_reinforcement",
        "updated_by",
        "updated_at",
        "created_at",
    )
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name = "manager's prediction"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ActionItemInline(RevisedMixin, TabularInline):
    model = ActionItem
    fields = ("title", "owner", "due_on", "done_on", "revision", "updated_by")
    readonly_fields = ("revision", "updated_by")
    extra = 0


@admin.register(Vision)
class VisionAdmin(KeyIdeasShown, RevisedMixin, AuditedAdmin):
    list_display = ("assessment", "has_vision", "updated_by", "updated_at")
    list_filter = ("has_vision",)
    list_select_related = ("assessment__team", "updated_by")
    search_fields = ("statement", "assessment__team__name")
    raw_id_fields = ("assessment",)
    readonly_fields = ("key_ideas_shown", "revision", "updated_at", "updated_by")


@admin.register(AlignmentRating)
class AlignmentRatingAdmin(RevisedMixin, AuditedAdmin):
    list_display = ("assessment", "question", "rating", "updated_by", "updated_at")
    list_filter = ("rating", "question__key")
    list_select_related = ("assessment__team", "question", "updated_by")
    search_fields = ("evidence", "assessment__team__name")
    raw_id_fields = ("assessment",)
    readonly_fields = ("revision", "updated_at", "updated_by")


@admin.register(Commitment)
class CommitmentAdmin(RevisedMixin, AuditedAdmin):
    list_display = (
        "assessment",
        "owner",
        "sponsor",
        "hours_per_week",
        "budget_shown",
        "reassess_on",
    )
    list_select_related = ("assessment__team",)
    search_fields = ("owner", "sponsor", "assessment__team__name")
    raw_id_fields = ("assessment",)
    readonly_fields = ("revision", "updated_at", "updated_by")

    @admin.display(description="Budget", ordering="budget")
    def budget_shown(self, commitment: Commitment) -> str:
        return commitment.budget_display


@admin.register(ActionItem)
class ActionItemAdmin(RevisedMixin, AuditedAdmin):
    list_display = ("title", "assessment", "owner", "due_on", "done_on")
    list_filter = ("due_on", "done_on")
    list_select_related = ("assessment__team",)
    search_fields = ("title", "owner")
    raw_id_fields = ("assessment",)
    readonly_fields = ("revision", "updated_at", "updated_by")


@admin.register(StepResult)
class StepResultAdmin(admin.ModelAdmin):
    """Readiness as the engine last computed it: rescore a round to change it."""

    list_display = ("assessment", "step", "status", "score", "computed_at")
    list_filter = ("status", "step__key")
    list_select_related = ("assessment__team", "step")
    search_fields = ("assessment__team__name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
