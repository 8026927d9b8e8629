"""Answers, their judgements and the invitations answers come through.

Administrators correct an answer or override the engine's judgement through the
services the report page uses. They read the answers of the rounds that quote
them (``privacy``), in pseudonym order, by the day, with no invitation beside
them and no id or time to filter by; of an anonymous round's invitations they
see nothing that tells who answered."""

from django import forms
from django.contrib import admin
from django.db.models import Q

from assessments import privacy, services
from assessments.admin.common import (
    AuditedAdmin,
    TabularInline,
    plural,
    refuses_lookup,
    respondent_name,
    sees_everything,
)
from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.forms import ConstraintErrorsBesideTheirField
from assessments.models import (
    AWAITING_REVIEW,
    TEAM_RATING_FIELDS,
    AnswerJudgement,
    Invitation,
    MailKind,
    MailStatus,
    Response,
)

# What an anonymous round's invitation may not tell of its person: whether they
# answered, and anything of a reminder (sent only to those who had not).
INVITATION_LOOKUPS_REFUSED = (
    "status",
    "reminded_at",
    "mail_kind",
    "mail_status",
    "mail_attempts",
    "mail_error",
    "mail_retry_at",
    "response",
)
LATEST_EMAIL_FIELDS = ("mail_status", "mail_attempts", "mail_error", "mail_retry_at")


def tells_nothing_of_answering(invitation: Invitation) -> bool:
    """Whether an invitation's latest email can be shown in an anonymous round:
    an invitation says nothing of answering, a reminder does."""
    return invitation.mail_kind == MailKind.INVITATION


class AnsweredFilter(admin.SimpleListFilter):
    """Invitations by whether their person answered: named rounds only, for in
    an anonymous round that is nobody's to find out."""

    title = "answered (named rounds)"
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return (
            ("yes", "Answered"),
            ("no", "Not answered"),
            ("revoked", "Revoked (any round)"),
        )

    def queryset(self, request, queryset):
        named = queryset.filter(assessment__anonymous=False)
        if self.value() == "yes":
            return named.filter(status=Invitation.Status.RESPONDED)
        if self.value() == "no":
            return named.filter(status=Invitation.Status.PENDING)
        if self.value() == "revoked":
            return queryset.filter(status=Invitation.Status.REVOKED)
        return queryset


class EmailFilter(admin.SimpleListFilter):
    """Invitations by the state of their latest email; in anonymous rounds,
    invitation emails only."""

    title = "email"
    parameter_name = "email"

    def lookups(self, request, model_admin):
        return MailStatus.choices

    def queryset(self, request, queryset):
        if self.value() not in MailStatus.values:
            return queryset
        return queryset.filter(
            Q(assessment__anonymous=False) | Q(mail_kind=MailKind.INVITATION),
            mail_status=self.value(),
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations; of an anonymous round's, nothing that says who answered:
    the round's page gives the counts. People are invited, and their addresses
    changed, on the manager's page, which keeps one invitation per person."""

    list_display = (
        "__str__",
        "assessment",
        "answered",
        "sent_at",
        "latest_email",
        "created_at",
    )
    list_filter = (AnsweredFilter, EmailFilter)
    list_select_related = ("assessment__team",)
    search_fields = ("name", "email", "assessment__team__name")
    raw_id_fields = ("assessment",)
    # The worker's record of the latest email: retried from the round's actions.
    readonly_fields = (
        "name",
        "email",
        "token_hash",
        "created_at",
        "mail_status",
        "mail_kind",
        "mail_attempts",
        "mail_error",
        "mail_retry_at",
    )

    @admin.display(description="answered")
    def answered(self, obj):
        if obj.assessment.anonymous and obj.status != Invitation.Status.REVOKED:
            return None  # shown as the admin's empty value
        return obj.get_status_display()

    @admin.display(description="latest email")
    def latest_email(self, obj):
        if obj.assessment.anonymous and not tells_nothing_of_answering(obj):
            return None
        state = f"{obj.get_mail_kind_display()}: {obj.get_mail_status_display()}"
        if obj.mail_attempts:
            state += f" ({plural(obj.mail_attempts, 'attempt')})"
        return state

    def has_add_permission(self, request):
        return False

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or not obj.assessment.anonymous:
            return fields
        hidden = {"status", "reminded_at", "mail_kind"}
        if not tells_nothing_of_answering(obj):
            hidden.update(LATEST_EMAIL_FIELDS)
        return [name for name in fields if name not in hidden]

    def lookup_allowed(self, lookup, value, request):
        if refuses_lookup(lookup, INVITATION_LOOKUPS_REFUSED):
            return False
        return super().lookup_allowed(lookup, value, request)


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

    @admin.display(description="answer changed since the decision", boolean=True)
    def changed_since_decision(self, obj):
        """Whether the answer changed since the override (None without one)."""
        return obj.answer_changed if obj.pk and obj.is_overridden else None

    @admin.display(description="review")
    def review(self, obj):
        if obj.pk is None:
            return None
        sure = f"confidence {obj.confidence:.2f}, language {obj.language}"
        if obj.awaits_review:
            return f"needs review ({sure})"
        if obj.needs_review:
            return f"settled by the override ({sure})"
        return sure


class NeedsReviewFilter(admin.SimpleListFilter):
    """Judgements by whether they await a person's decision: the engine was
    unsure and nobody has overridden it (``AWAITING_REVIEW``)."""

    title = "needs review"
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return (("yes", "Needs review"), ("no", "Settled"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(AWAITING_REVIEW)
        if self.value() == "no":
            return queryset.exclude(AWAITING_REVIEW)
        return queryset


class AnswerJudgementInline(JudgementDisplay, TabularInline):
    model = AnswerJudgement
    form = OverrideForm
    fields = (
        "question_key",
        "engine_judgement",
        "reasons_text",
        "review",
        "override_clear",
        "override_consistent",
        "override_reason",
        "overridden_by",
        "changed_since_decision",
    )
    readonly_fields = (
        "question_key",
        "engine_judgement",
        "reasons_text",
        "review",
        "overridden_by",
        "changed_since_decision",
    )
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("response")

    def has_add_permission(self, request, obj=None):
        return False


# Ids number answers in the order they came, times date them, and the
# invitation is who gave them: a changelist filters by none of them.
RESPONSE_LOOKUPS_REFUSED = (
    "pk",
    "id",
    "invitation",
    "judgements",
    "created_at",
    "updated_at",
)
# "response__gt" would number the answers as "id__gt" does.
JUDGEMENT_LOOKUPS_REFUSED = ("pk", "id", "response", "scored_at", "overridden_at")
ANSWER_HISTORY = "admin/assessments/answer_history_list.html"


@admin.register(Response)
class ResponseAdmin(AuditedAdmin):
    """Answers of the rounds that quote them (``privacy``), in pseudonym order,
    as on the report: it follows nobody's answering time."""

    list_display = ("respondent", "assessment", "engaged", "received")
    list_filter = ("engaged",)
    list_select_related = ("assessment__team", "invitation")
    search_fields = services.ANSWER_FIELDS
    ordering = ("assessment", "respondent_key")
    inlines = (AnswerJudgementInline,)
    hides_rows = True
    object_history_list_template = ANSWER_HISTORY

    def get_queryset(self, request):
        # Ordered by key too, so a sort on any column breaks its ties by key.
        return (
            super()
            .get_queryset(request)
            .released()
            .filter(assessment__in=privacy.rounds_quoting_answers(staff=True))
            .order_by("respondent_key")
        )

    def lookup_allowed(self, lookup, value, request):
        if refuses_lookup(lookup, RESPONSE_LOOKUPS_REFUSED):
            return False
        return super().lookup_allowed(lookup, value, request)

    def _times(self, request, obj) -> tuple[str, ...]:
        """A named round's exact times, for superusers."""
        named = obj is not None and not obj.assessment.anonymous
        return (
            ("created_at", "updated_at") if named and sees_everything(request) else ()
        )

    def get_fields(self, request, obj=None):
        return (
            "assessment",
            "respondent",
            *services.ANSWER_FIELDS,
            "engaged",
            *TEAM_RATING_FIELDS,
            "received",
            *self._times(request, obj),
        )

    def get_readonly_fields(self, request, obj=None):
        return (
            "assessment",
            "respondent",
            "engaged",
            *TEAM_RATING_FIELDS,
            "received",
            *self._times(request, obj),
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
    """Judgements of the rounds that quote their answers, in pseudonym order."""

    form = OverrideForm
    list_display = (
        "respondent",
        "question_key",
        "clear",
        "consistent",
        "score",
        "awaits_review",
        "overridden",
    )
    list_filter = ("question_key", "clear", "consistent", NeedsReviewFilter)
    list_select_related = ("response__assessment", "response__invitation")
    search_fields = ("override_reason",)
    ordering = ("response__respondent_key", "question_key")
    hides_rows = True
    object_history_list_template = ANSWER_HISTORY
    fields = (
        "response",
        "question_key",
        "engine_judgement",
        "reasons_text",
        "confidence",
        "language",
        "review",
        "engine_version",
        "override_clear",
        "override_consistent",
        "override_reason",
        "overridden_by",
        "overridden_at",
        "changed_since_decision",
    )
    readonly_fields = (
        "response",
        "question_key",
        "engine_judgement",
        "reasons_text",
        "confidence",
        "language",
        "review",
        "engine_version",
        "overridden_by",
        "overridden_at",
        "changed_since_decision",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(
                response__release__isnull=False,
                response__assessment__in=privacy.rounds_quoting_answers(staff=True),
            )
            .order_by("response__respondent_key", "question_key")
        )

    def lookup_allowed(self, lookup, value, request):
        if refuses_lookup(lookup, JUDGEMENT_LOOKUPS_REFUSED):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="respondent", ordering="response__respondent_key")
    def respondent(self, obj):
        return respondent_name(obj.response)

    @admin.display(description="overridden", boolean=True)
    def overridden(self, obj):
        return obj.is_overridden

    @admin.display(description="needs review", boolean=True)
    def awaits_review(self, obj):
        return obj.awaits_review

    def has_add_permission(self, request):
        return False  # the engine writes judgements

    def save_model(self, request, obj, form, change):
        override(obj, form.cleaned_data, request.user)
