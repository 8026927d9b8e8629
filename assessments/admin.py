"""The admin: administrators oversee every team's rounds, review the engine's
judgements, move answers in and out as CSV and read the audit trail.

Actions call the services the manager's pages use, so a change made here keeps
the same rules (scores, revisions, overrides) as one made there.

Anonymous rounds stay anonymous here too. Staff who are not superusers never see
an invitation next to an answer, a time finer than a day, or the answers of an
anonymous round with fewer respondents than it quotes answers from (one answer
and one invitation marked "Answered" would name its author). They cannot sort,
filter or search responses by anything that leads back to an invitation.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from assessments import reports, services
from assessments.answers_csv import (
    REQUIRED_COLUMNS,
    AnswersFileError,
    csv_lines,
    read_answers,
)
from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.models import (
    TEAM_RATING_FIELDS,
    ActionItem,
    AlignmentRating,
    AnswerJudgement,
    AnswersUpload,
    Assessment,
    Commitment,
    EngagementQuestionKey,
    Invitation,
    Question,
    Response,
    Step,
    StepKey,
    StepResult,
    Team,
    Vision,
)

ANSWERS_SHOWN = 20
PREVIEW_ROWS = 50
MAX_IMPORT_BYTES = 25 * 1024 * 1024

# Messages the admin shows; tests assert on them.
RESCORED = "Scored {rounds} again ({answers}); readiness is up to date."
CLOSED = "Closed {rounds}."
NOT_CLOSED_DRAFTS = "Not closed, never opened: {names}."
OPENED = "Opened {rounds}."
NOT_OPENED = "Not opened, already open or closed: {names}."
EXPORT_WITHHELD = (
    "Nothing was exported: answers of {names} are shown once the round's minimum "
    "group has answered."
)
ANSWERS_WITHHELD = (
    "Anonymous round: answers are shown once {needed} people have answered; "
    "{count} have so far."
)
IMPORT_ONE_ROUND = "Choose exactly one round to import answers into."
IMPORT_TOO_LARGE = (
    "{name} is over {limit} MB: import it with "
    "`manage.py import_answers {pk} FILE` instead."
)
IMPORT_CANCELLED = "Import cancelled; nothing was saved."
IMPORTED = "Imported {answers} into {round}; the round is scored again."


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def sees_everything(request) -> bool:
    return request.user.is_superuser


def rounds_withholding_answers():
    """Anonymous rounds with fewer respondents than they quote answers from."""
    return (
        Assessment.objects.filter(anonymous=True)
        .alias(respondents=Count("responses"))
        .filter(respondents__lt=F("min_group_for_verbatims"))
        .order_by()
        .values("pk")
    )


def withholds_answers(request, assessment: Assessment, respondents: int) -> bool:
    return (
        not sees_everything(request)
        and assessment.anonymous
        and respondents < assessment.min_group_for_verbatims
    )


def respondent_name(response: Response) -> str:
    """A named round's respondent by name; anyone else by a pseudonym."""
    name = None
    if not response.assessment.anonymous and response.invitation_id:
        name = response.invitation.name
    return reports.respondent_label(name, response.respondent_key)


def responses_url(assessment_pk: int) -> str:
    return (
        reverse("admin:assessments_response_changelist")
        + f"?assessment__id__exact={assessment_pk}"
    )


# --- The audit trail ----------------------------------------------------------------


class AuditedAdmin(SimpleHistoryAdmin):
    """History pages for what staff may see, read-only: a revert would skip the
    services that keep revisions, judgements and engaged flags in step."""

    def _require_visible(self, request, object_id) -> None:
        if sees_everything(request):
            return
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(("GET",))
        self._require_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class RevisedMixin:
    """An administrator's save counts as a revision, so a manager who opened the
    same form earlier is told it changed instead of overwriting it unseen."""

    def save_model(self, request, obj, form, change):
        services.step_row_save(row=obj, user=request.user)


# --- The catalogue and teams -------------------------------------------------------


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


# --- Rounds ------------------------------------------------------------------------


def _step_status(key: str) -> Subquery:
    return Subquery(
        StepResult.objects.filter(assessment=OuterRef("pk"), step__key=key).values(
            "status"
        )[:1]
    )


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


STEP_NAMES = dict(StepKey.choices)
STEP_NUMBERS = {key: number for number, key in enumerate(StepKey.values, start=1)}
STUCK_AT = {f"stuck-{number}": key for key, number in STEP_NUMBERS.items()}


class ReadinessFilter(admin.SimpleListFilter):
    """Rounds by their stored readiness: ready throughout, or where they stop."""

    title = "readiness"
    parameter_name = "readiness"

    def lookups(self, request, model_admin):
        return (
            ("ready", "Ready at every step"),
            *(
                (value, f"Stuck at step {STEP_NUMBERS[key]}: {STEP_NAMES[key]}")
                for value, key in STUCK_AT.items()
            ),
            ("unscored", "No report yet"),
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value == "ready":
            return queryset.filter(
                **{f"{key}_status": StepResult.Status.READY for key in STEP_NUMBERS}
            )
        if value == "unscored":
            return queryset.filter(vision_status__isnull=True)
        if value in STUCK_AT:
            # Earlier steps ready, this one not: later ones are blocked by it.
            stuck = STUCK_AT[value]
            before = list(STEP_NUMBERS)[: STEP_NUMBERS[stuck] - 1]
            return queryset.filter(
                ~Q(**{f"{stuck}_status": StepResult.Status.READY}),
                **{f"{key}_status": StepResult.Status.READY for key in before},
                **{f"{stuck}_status__isnull": False},
            )
        return queryset


def readiness_badge(key: str, status: str | None) -> str:
    name = f"{STEP_NUMBERS[key]}. {STEP_NAMES[key]}"
    if status is None:
        return format_html(
            '<span class="readiness readiness-none" title="{}: no report yet">'
            "&ndash;</span>",
            name,
        )
    label = StepResult.Status(status).label
    return format_html(
        '<span class="readiness readiness-{}" title="{}: {}">{}</span>',
        status,
        name,
        label,
        label,
    )


def _readiness_column(key: str):
    @admin.display(
        description=f"{STEP_NUMBERS[key]}. {STEP_NAMES[key]}",
        ordering=f"{key}_status",
    )
    def column(self, obj):
        return readiness_badge(key, getattr(obj, f"{key}_status"))

    column.__name__ = f"{key}_readiness"
    return column


class VisionInline(admin.StackedInline):
    model = Vision
    fields = ("statement", "has_vision", "revision", "updated_by", "updated_at")
    readonly_fields = ("revision", "updated_by", "updated_at")
    extra = 0
    max_num = 1
    can_delete = False


class AlignmentRatingInline(admin.TabularInline):
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


class CommitmentInline(admin.StackedInline):
    model = Commitment
    fields = (
        "hours_per_week",
        "budget",
        "attention",
        "owner",
        "sponsor",
        "reassess_on",
        "revision",
        "updated_by",
    )
    readonly_fields = ("revision", "updated_by")
    extra = 0
    max_num = 1
    can_delete = False


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    fields = ("title", "owner", "due_on", "done_on")
    extra = 0


class AnswersFileForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        allow_empty_file=True,  # read_answers says what is wrong with it
        help_text=(
            f"UTF-8 CSV whose header names {','.join(REQUIRED_COLUMNS)}; other "
            "columns (an export's judgements, say) are ignored."
        ),
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
        "team__managers__username",
        "team__managers__email",
    )
    autocomplete_fields = ("team",)
    date_hierarchy = "created_at"
    actions = (
        "recompute_scores",
        "close_rounds",
        "open_rounds",
        "export_answers",
        "import_answers",
    )
    inlines = (VisionInline, AlignmentRatingInline, CommitmentInline, ActionItemInline)

    vision_readiness = _readiness_column("vision")
    engagement_readiness = _readiness_column("engagement")
    alignment_readiness = _readiness_column("alignment")
    commitment_readiness = _readiness_column("commitment")

    class Media:
        css = {"all": ("css/admin.css",)}

    def get_queryset(self, request):
        """Counts and readiness as subqueries: one query for any number of rows."""
        responses = _count_per_round(Response.objects.all())
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_responses=responses,
                n_engaged=_count_per_round(Response.objects.filter(engaged=True)),
                n_invitations=_count_per_round(
                    Invitation.objects.exclude(status=Invitation.Status.REVOKED)
                ),
                share_engaged=Case(
                    When(
                        n_responses__gte=F("min_group_for_scores"),
                        then=F("n_engaged") * 1.0 / F("n_responses"),
                    ),
                    output_field=FloatField(),
                ),
                **{f"{key}_status": _step_status(key) for key in STEP_NUMBERS},
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

    @admin.display(description="engaged", ordering="share_engaged")
    def engaged_share(self, obj):
        if obj.share_engaged is None:
            return format_html(
                '<span title="Shown from {} answers, as in the report">&ndash;</span>',
                obj.min_group_for_scores,
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
            f"shown from {obj.min_group_for_scores} answers"
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
                ("Results", {"fields": ("readiness", "answer_counts", "report_link")})
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
            "report_link",
        ]
        if obj is not None:
            # The round's life goes through the actions, which call the services.
            fields += ["status", "opened_at", "closed_at"]
            if obj.status != Assessment.Status.DRAFT:
                fields += services.PRIVACY_FIELDS
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
        """Step rows edited inline count as revisions, as on their own pages."""
        if not hasattr(formset.model, "revision"):
            super().save_formset(request, form, formset, change)
            return
        for row in formset.save(commit=False):
            services.step_row_save(row=row, user=request.user)
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
        few, or for staff in an anonymous round a few in no telling order."""
        total = assessment.n_responses
        summary = {
            "total": total,
            "url": responses_url(assessment.pk),
            "withheld": "",
            "rows": [],
            "random_order": False,
        }
        if withholds_answers(request, assessment, total):
            summary["withheld"] = ANSWERS_WITHHELD.format(
                needed=assessment.min_group_for_verbatims, count=total
            )
            return summary
        responses = Response.objects.filter(assessment=assessment).prefetch_related(
            Prefetch("judgements", queryset=AnswerJudgement.objects.order_by())
        )
        if assessment.anonymous and not sees_everything(request):
            responses = responses.order_by("respondent_key")
            summary["random_order"] = True
        else:
            responses = responses.select_related("invitation").order_by("-pk")
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

    # --- Actions ---

    def _selected(self, queryset) -> list[Assessment]:
        return list(queryset.order_by("pk"))

    @admin.action(
        description="Score the selected rounds again", permissions=("change",)
    )
    def recompute_scores(self, request, queryset):
        rounds = self._selected(queryset)
        judged = sum(
            services.assessment_rescore(assessment=assessment) for assessment in rounds
        )
        self.message_user(
            request,
            RESCORED.format(
                rounds=plural(len(rounds), "round"), answers=plural(judged, "answer")
            ),
            messages.SUCCESS,
        )

    @admin.action(description="Close the selected rounds", permissions=("change",))
    def close_rounds(self, request, queryset):
        closed, drafts = [], []
        for assessment in self._selected(queryset):
            if assessment.status == Assessment.Status.CLOSED:
                continue
            try:
                services.assessment_close(assessment=assessment)
            except ValidationError:
                drafts.append(str(assessment))
            else:
                closed.append(assessment)
        self.message_user(
            request,
            CLOSED.format(rounds=plural(len(closed), "round")),
            messages.SUCCESS,
        )
        if drafts:
            self.message_user(
                request,
                NOT_CLOSED_DRAFTS.format(names=", ".join(drafts)),
                messages.WARNING,
            )

    @admin.action(description="Open the selected draft rounds", permissions=("change",))
    def open_rounds(self, request, queryset):
        opened, others = 0, []
        for assessment in self._selected(queryset):
            if assessment.status != Assessment.Status.DRAFT:
                others.append(str(assessment))
                continue
            services.assessment_open(assessment=assessment)
            opened += 1
        self.message_user(
            request, OPENED.format(rounds=plural(opened, "round")), messages.SUCCESS
        )
        if others:
            self.message_user(
                request, NOT_OPENED.format(names=", ".join(others)), messages.WARNING
            )

    @admin.action(description="Export the selected rounds' answers as CSV")
    def export_answers(self, request, queryset):
        rounds = self._selected(queryset)
        withheld = [
            str(assessment)
            for assessment in rounds
            if withholds_answers(request, assessment, assessment.n_responses)
        ]
        if withheld:
            self.message_user(
                request,
                EXPORT_WITHHELD.format(names=", ".join(withheld)),
                messages.ERROR,
            )
            return None

        def rows():
            for assessment in rounds:
                for row in reports.answers_export_rows(assessment):
                    yield [assessment.pk, *row]

        response = StreamingHttpResponse(
            csv_lines(("assessment", *reports.EXPORT_HEADER), rows()),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = (
            'attachment; filename="servicecult-answers-'
            f'{timezone.localdate():%Y-%m-%d}.csv"'
        )
        return response

    @admin.action(
        description="Import answers from a CSV file into the selected round",
        permissions=("change",),
    )
    def import_answers(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True)[:2])
        if len(pks) != 1:
            self.message_user(request, IMPORT_ONE_ROUND, messages.ERROR)
            return None
        return redirect("admin:assessments_assessment_import", pks[0])

    # --- Importing answers ---

    def get_urls(self):
        return [
            path(
                "<path:object_id>/import/",
                self.admin_site.admin_view(self.answers_import_view),
                name="assessments_assessment_import",
            ),
            *super().get_urls(),
        ]

    def answers_import_view(self, request, object_id):
        """Upload a file of answers, preview it with every bad line, then save all
        of it or none. The upload is kept between preview and confirmation, so
        the file is sent once."""
        assessment = self.get_object(request, unquote(object_id))
        if assessment is None:
            raise Http404
        if not (
            self.has_change_permission(request, assessment)
            and request.user.has_perm("assessments.add_response")
        ):
            raise PermissionDenied
        change_url = reverse(
            "admin:assessments_assessment_change", args=(assessment.pk,)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": assessment,
            "title": f"Import answers into {assessment}",
            "change_url": change_url,
            "form": AnswersFileForm(),
            "problems": [],
            "upload": None,
        }
        if request.method == "POST" and "cancel" in request.POST:
            services.answers_upload_cancel(
                upload_id=_whole_number(request.POST.get("upload", "")),
                assessment=assessment,
                user=request.user,
            )
            self.message_user(request, IMPORT_CANCELLED, messages.INFO)
            return redirect(change_url)
        if request.method == "POST" and "confirm" in request.POST:
            return self._import_confirmed(request, assessment, change_url)
        if request.method == "POST":
            form = AnswersFileForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                file = form.cleaned_data["file"]
                try:
                    upload = self._upload(request, assessment, file)
                except AnswersFileError as error:
                    context["problems"] = error.problems
                except ValidationError as error:
                    context["problems"] = error.messages
                else:
                    return redirect(f"{request.path}?upload={upload.pk}")
        elif "upload" in request.GET:
            upload = AnswersUpload.objects.filter(
                pk=_whole_number(request.GET["upload"]),
                assessment=assessment,
                uploaded_by=request.user,
            ).first()
            if upload is None:
                self.message_user(request, services.IMPORT_EXPIRED, messages.ERROR)
                return redirect(request.path)
            rows = read_answers(upload.content.encode(), upload.file_name)
            context.update(upload=upload, rows=rows[:PREVIEW_ROWS])
            context["more"] = max(0, len(rows) - PREVIEW_ROWS)
        return TemplateResponse(
            request, "admin/assessments/assessment/answers_import.html", context
        )

    def _upload(self, request, assessment, file) -> AnswersUpload:
        if file.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                IMPORT_TOO_LARGE.format(
                    name=file.name, limit=MAX_IMPORT_BYTES // 2**20, pk=assessment.pk
                )
            )
        return services.answers_upload_create(
            assessment=assessment,
            user=request.user,
            file_name=file.name,
            data=file.read(),
        )

    def _import_confirmed(self, request, assessment, change_url):
        try:
            count = services.answers_upload_confirm(
                upload_id=_whole_number(request.POST.get("upload", "")),
                assessment=assessment,
                user=request.user,
            )
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            # An expired preview is uploaded again; a refused import is final.
            return redirect(request.path if error.code == "expired" else change_url)
        self.message_user(
            request,
            IMPORTED.format(answers=plural(count, "answer"), round=assessment),
            messages.SUCCESS,
        )
        return redirect(change_url)


def _whole_number(value: str) -> int:
    return int(value) if value.isdigit() else 0


# --- The steps' rows ---------------------------------------------------------------


@admin.register(Vision)
class VisionAdmin(RevisedMixin, AuditedAdmin):
    list_display = ("assessment", "has_vision", "updated_by", "updated_at")
    list_filter = ("has_vision",)
    list_select_related = ("assessment__team", "updated_by")
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


class OverrideForm(forms.ModelForm):
    """An override needs a reason, as on the report page."""

    class Meta:
        model = AnswerJudgement
        fields = ("override_clear", "override_consistent", "override_reason")

    def clean(self):
        data = super().clean()
        overriding = (
            data.get("override_clear") is not None
            or data.get("override_consistent") is not None
        )
        if overriding and not data.get("override_reason", "").strip():
            self.add_error("override_reason", services.OVERRIDE_NEEDS_A_REASON)
        return data


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
    list_display = ("assessment", "owner", "sponsor", "hours_per_week", "reassess_on")
    list_select_related = ("assessment__team",)
    search_fields = ("owner", "sponsor", "assessment__team__name")
    raw_id_fields = ("assessment",)
    readonly_fields = ("revision", "updated_at", "updated_by")


@admin.register(ActionItem)
class ActionItemAdmin(AuditedAdmin):
    list_display = ("title", "assessment", "owner", "due_on", "done_on")
    list_filter = ("due_on", "done_on")
    list_select_related = ("assessment__team",)
    search_fields = ("title", "owner")
    raw_id_fields = ("assessment",)


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
