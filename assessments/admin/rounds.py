"""Rounds: one list of every team's rounds with their counts and readiness at a
fixed number of queries, and a round's page with its steps inline and a bounded
view of its answers. Its actions and its import page live beside it."""

from functools import partial

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from assessments import privacy, services
from assessments.admin import round_actions
from assessments.admin.answers_import import answers_import
from assessments.admin.common import respondent_name, responses_url
from assessments.admin.readiness import (
    STEP_NUMBERS,
    ReadinessFilter,
    readiness_badge,
    readiness_column,
    step_status,
)
from assessments.admin.steps import (
    ActionItemInline,
    AlignmentRatingInline,
    CommitmentInline,
    RoundPredictionInline,
    VisionInline,
    revised_row_save,
)
from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.forms import RevisedForm
from assessments.models import (
    AnswerJudgement,
    Assessment,
    EngagementQuestionKey,
    Invitation,
    Response,
)

ANSWERS_SHOWN = 20


def _count_per_round(queryset) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.filter(assessment=OuterRef("pk"))
            .order_by()
            .values("assessment")
            .annotate(count=Count("pk"))
            .values("count")
        ),
        0,
    )


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = (
        "round",
        "team",
        "parent_team",
        "status",
        "answered",
        "engaged_share",
        *(f"{key}_readiness" for key in STEP_NUMBERS),
        "opened_at",
        "closed_at",
    )
    list_display_links = ("round",)
    list_filter = (
        "status",
        ReadinessFilter,
        ("team", admin.RelatedOnlyFieldListFilter),
        ("team__parent", admin.RelatedOnlyFieldListFilter),
        "opened_at",
        "anonymous",
    )
    list_select_related = ("team__parent",)
    search_fields = (
        "title",
        "team__name",
        "team__parent__name",
        "team__managers__email",
    )
    autocomplete_fields = ("team",)
    date_hierarchy = "created_at"
    actions = (
        round_actions.recompute_scores,
        round_actions.close_rounds,
        round_actions.open_rounds,
        round_actions.retry_failed_emails,
        round_actions.export_answers,
        round_actions.import_answers,
    )
    inlines = (
        VisionInline,
        AlignmentRatingInline,
        CommitmentInline,
        ActionItemInline,
        RoundPredictionInline,
    )

    vision_readiness = readiness_column("vision")
    engagement_readiness = readiness_column("engagement")
    alignment_readiness = readiness_column("alignment")
    commitment_readiness = readiness_column("commitment")

    def get_queryset(self, request):
        """Counts and readiness as subqueries: one query for any number of rows.
        The engaged share only where the round shows scores (``privacy``)."""
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_responses=privacy.respondents_per_round(),
                n_engaged=_count_per_round(
                    privacy.counted_responses().filter(engaged=True)
                ),
                n_invitations=_count_per_round(
                    Invitation.objects.exclude(status=Invitation.Status.REVOKED)
                ),
                share_engaged=Case(
                    When(
                        privacy.scores_shown("n_responses"),
                        then=F("n_engaged") * 1.0 / F("n_responses"),
                    ),
                    output_field=FloatField(),
                ),
                **{f"{key}_status": step_status(key) for key in STEP_NUMBERS},
            )
        )

    # --- Columns and computed fields ---

    @admin.display(description="round", ordering="title")
    def round(self, obj):
        return str(obj)

    @admin.display(description="parent team", ordering="team__parent__name")
    def parent_team(self, obj):
        return obj.team.parent  # None shows as the admin's empty value

    @admin.display(description="answered / invited", ordering="n_responses")
    def answered(self, obj):
        return format_html(
            '<a href="{}">{}</a> / {}',
            responses_url(obj.pk),
            f"{obj.n_responses:,}",
            f"{obj.n_invitations:,}",
        )

    def _visibility(self, obj) -> privacy.Visibility:
        return privacy.visibility(obj, obj.n_responses)

    @admin.display(description="engaged", ordering="share_engaged")
    def engaged_share(self, obj):
        if obj.share_engaged is None:
            return format_html(
                '<span title="{}">&ndash;</span>', self._visibility(obj).reason
            )
        return f"{obj.share_engaged:.0%}"

    @admin.display(description="readiness")
    def readiness(self, obj):
        return format_html(
            "{} {} {} {}",
            *(
                readiness_badge(key, getattr(obj, f"{key}_status"))
                for key in STEP_NUMBERS
            ),
        )

    @admin.display(description="answers")
    def answer_counts(self, obj):
        share = (
            self._visibility(obj).reason
            if obj.share_engaged is None
            else f"{obj.share_engaged:.0%}"
        )
        return format_html(
            "{} answered of {} invited; engaged: {}",
            f"{obj.n_responses:,}",
            f"{obj.n_invitations:,}",
            share,
        )

    @admin.display(description="readiness report")
    def report_link(self, obj):
        return format_html(
            '<a href="{}">Open the readiness report</a>',
            reverse("assessments:report", args=(obj.pk,)),
        )

    # --- The change page ---

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ("team", "title", "status", "opened_at", "closed_at")}),
            (
                "Privacy",
                {
                    "fields": services.PRIVACY_FIELDS,
                    "description": "Frozen once the round opens.",
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
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Reminders and closing",
                    {
                        "fields": (*services.TIMETABLE_FIELDS, "reminders_sent"),
                        "description": "Set on the round's settings page, which "
                        "schedules them.",
                    },
                )
            )
            fieldsets.append(
                (
                    "Results",
                    {
                        "fields": (
                            "readiness",
                            "answer_counts",
                            "withheld_reason",
                            "report_link",
                        )
                    },
                )
            )
        fieldsets.append(
            ("Record", {"fields": ("catalogue_version", "created_by", "created_at")})
        )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = [
            "catalogue_version",
            "created_by",
            "created_at",
            "readiness",
            "answer_counts",
            "withheld_reason",
            "report_link",
        ]
        if obj is not None:
            # The round's life goes through the actions, which call the services.
            fields += ["status", "opened_at", "closed_at", "reminders_sent"]
            fields += services.TIMETABLE_FIELDS
            if obj.status != Assessment.Status.DRAFT:
                fields += [*services.PRIVACY_FIELDS, "team_rates_alignment"]
        return fields

    def get_inlines(self, request, obj):
        if obj is None:  # a new round gets its vision and commitment rows itself
            return (AlignmentRatingInline, ActionItemInline)
        return self.inlines

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """Step rows edited inline are saved over the revision they were opened
        at, as on their own pages."""
        if not issubclass(formset.form, RevisedForm):
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)
        for row_form in formset.saved_forms:
            revised_row_save(row_form, request.user)
        for row in formset.deleted_objects:
            row.delete()
        formset.save_m2m()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        assessment = self.get_object(request, unquote(object_id))
        if assessment is not None:
            extra_context = {
                **(extra_context or {}),
                "answers": self.answers_summary(request, assessment),
                "import_url": reverse(
                    "admin:assessments_assessment_import", args=(assessment.pk,)
                ),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def answers_summary(self, request, assessment: Assessment) -> dict:
        """A bounded view of the round's answers with their judgements: the latest
        few, or in an anonymous round a few in no telling order; none where the
        round does not quote them (``privacy``)."""
        total = assessment.n_responses
        summary = {
            "total": total,
            "url": responses_url(assessment.pk),
            "withheld": "",
            "rows": [],
            "random_order": False,
        }
        shown = privacy.visibility(assessment, total, staff=True)
        if not shown.shows_quotes:
            summary["withheld"] = shown.reason
            return summary
        responses = Response.objects.released().filter(assessment=assessment)
        responses = responses.prefetch_related(
            Prefetch("judgements", queryset=AnswerJudgement.objects.order_by())
        )
        if assessment.anonymous:
            responses = responses.order_by("respondent_key")
            summary["random_order"] = True
        else:
            # Ids are random: the latest by the time stored (the day in
            # anonymous rounds).
            responses = responses.select_related("invitation").order_by(
                "-created_at", "-pk"
            )
        questions = dict(EngagementQuestionKey.choices)
        for response in responses[:ANSWERS_SHOWN]:
            response.assessment = assessment
            judgements = {j.question_key: j for j in response.judgements.all()}
            summary["rows"].append(
                {
                    "respondent": respondent_name(response),
                    "engaged": response.engaged,
                    "url": reverse(
                        "admin:assessments_response_change", args=(response.pk,)
                    ),
                    "answers": [
                        {
                            "question": questions[key],
                            "text": Truncator(response.answer_for(key)).words(40),
                            "judgement": judgements.get(key),
                        }
                        for key in ENGAGEMENT_KEYS
                    ],
                }
            )
        return summary

    def get_urls(self):
        return [
            path(
                "<path:object_id>/import/",
                self.admin_site.admin_view(partial(answers_import, self)),
                name="assessments_assessment_import",
            ),
            *super().get_urls(),
        ]
