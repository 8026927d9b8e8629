"""Answers, their judgements and the invitations answers come through.

Staff correct an answer or override the engine's judgement through the services
the report page uses; in anonymous rounds they see answers only in pseudonym
order, by the day, with no invitation beside them."""

from django import forms
from django.contrib import admin

from assessments import services
from assessments.admin.common import (
    AuditedAdmin,
    respondent_name,
    rounds_withholding_answers,
    sees_everything,
)
from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.forms import ConstraintErrorsBesideTheirField
from assessments.models import (
    TEAM_RATING_FIELDS,
    AnswerJudgement,
    Invitation,
    Response,
)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "assessment",
        "status",
        "sent_at",
        "mail_status",
        "mail_attempts",
        "created_at",
    )
    list_filter = ("status", "mail_status", "mail_kind")
    list_select_related = ("assessment__team",)
    search_fields = ("name", "email", "assessment__team__name")
    raw_id_fields = ("assessment",)
    # The worker's record of the latest email: retried from the round's actions.
    readonly_fields = (
        "token_hash",
        "created_at",
        "mail_status",
        "mail_kind",
        "mail_attempts",
        "mail_error",
        "mail_retry_at",
    )


class OverrideForm(ConstraintErrorsBesideTheirField, forms.ModelForm):
    """An override needs a reason, as on the report page: the model's constraint
    says so, beside the reason."""

    class Meta:
        model = AnswerJudgement
        fields = ("override_clear", "override_consistent", "override_reason")


def override(judgement: AnswerJudgement, data: dict, user) -> None:
    services.judgement_override(
        judgement=judgement,
        clear=data["override_clear"],
        consistent=data["override_consistent"],
        reason=data["override_reason"],
        user=user,
    )


class JudgementDisplay:
    """The engine's side of a judgement, read-only, for the inline and the admin."""

    @admin.display(description="engine's judgement")
    def engine_judgement(self, obj):
        if obj.pk is None:
            return None
        clear = "clear" if obj.clear else "not clear"
        consistent = "consistent" if obj.consistent else "not consistent"
        return f"{clear}, {consistent} (score {obj.score:.2f})"

    @admin.display(description="reasons")
    def reasons_text(self, obj):
        return "; ".join(obj.reasons) if obj.pk else None


class AnswerJudgementInline(JudgementDisplay, admin.TabularInline):
    model = AnswerJudgement
    form = OverrideForm
    fields = (
        "question_key",
        "engine_judgement",
        "reasons_text",
        "override_clear",
        "override_consistent",
        "override_reason",
        "overridden_by",
    )
    readonly_fields = (
        "question_key",
        "engine_judgement",
        "reasons_text",
        "overridden_by",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(AuditedAdmin):
    list_filter = ("engaged",)
    list_select_related = ("assessment__team", "invitation")
    search_fields = services.ANSWER_FIELDS
    inlines = (AnswerJudgementInline,)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if sees_everything(request):
            return queryset
        # Pseudonym order, as on the report: it follows nobody's answering time.
        return queryset.exclude(assessment__in=rounds_withholding_answers()).order_by(
            "respondent_key"
        )

    def get_ordering(self, request):
        if sees_everything(request):
            return super().get_ordering(request)
        return ("assessment", "respondent_key")

    def get_list_display(self, request):
        if sees_everything(request):
            return ("respondent", "assessment", "engaged", "created_at")
        return ("respondent", "assessment", "engaged", "received")

    def lookup_allowed(self, lookup, value, request):
        if not sees_everything(request) and lookup.split("__")[0] in (
            "pk",
            "id",
            "invitation",
            "created_at",
            "updated_at",
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def _times(self, request) -> tuple[str, ...]:
        return ("created_at", "updated_at") if sees_everything(request) else ()

    def get_fields(self, request, obj=None):
        return (
            "assessment",
            "respondent",
            *services.ANSWER_FIELDS,
            "engaged",
            *TEAM_RATING_FIELDS,
            "received",
            *self._times(request),
        )

    def get_readonly_fields(self, request, obj=None):
        return (
            "assessment",
            "respondent",
            "engaged",
            *TEAM_RATING_FIELDS,
            "received",
            *self._times(request),
        )

    @admin.display(description="respondent", ordering="respondent_key")
    def respondent(self, obj):
        return respondent_name(obj)

    @admin.display(description="received on")
    def received(self, obj):
        # A deleted response's history has no time at all.
        return obj.created_at.date() if obj.created_at else None

    def has_add_permission(self, request):
        return False  # answers come through the survey or an import

    def save_model(self, request, obj, form, change):
        if set(form.changed_data) & set(services.ANSWER_FIELDS):
            services.response_correct(
                response=obj,
                answers={key: obj.answer_for(key) for key in ENGAGEMENT_KEYS},
            )
        else:
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """Overrides go through the service the report page uses."""
        changed = [f for f in formset.forms if f.has_changed()]
        for judgement_form in changed:
            override(judgement_form.instance, judgement_form.cleaned_data, request.user)
        # What formset.save() would leave for the change message.
        formset.new_objects, formset.deleted_objects = [], []
        formset.changed_objects = [(f.instance, f.changed_data) for f in changed]


@admin.register(AnswerJudgement)
class AnswerJudgementAdmin(JudgementDisplay, AuditedAdmin):
    form = OverrideForm
    list_display = (
        "__str__",
        "question_key",
        "clear",
        "consistent",
        "score",
        "overridden",
    )
    list_filter = ("question_key", "clear", "consistent")
    list_select_related = ("response",)
    search_fields = ("override_reason",)
    fields = (
        "response",
        "question_key",
        "engine_judgement",
        "reasons_text",
        "engine_version",
        "override_clear",
        "override_consistent",
        "override_reason",
        "overridden_by",
        "overridden_at",
    )
    readonly_fields = (
        "response",
        "question_key",
        "engine_judgement",
        "reasons_text",
        "engine_version",
        "overridden_by",
        "overridden_at",
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if sees_everything(request):
            return queryset
        return queryset.exclude(
            response__assessment__in=rounds_withholding_answers()
        ).order_by("response__respondent_key", "question_key")

    def get_ordering(self, request):
        if sees_everything(request):
            return super().get_ordering(request)
        return ("response__respondent_key", "question_key")

    @admin.display(description="overridden", boolean=True)
    def overridden(self, obj):
        return obj.is_overridden

    def has_add_permission(self, request):
        return False  # the engine writes judgements

    def save_model(self, request, obj, form, change):
        override(obj, form.cleaned_data, request.user)
