"""The readiness report of a round: the four steps in order, the answers for
review (those the engine asks the manager to decide first) with the engine's
reasons and the manager's overrides, and their export."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from assessments import privacy, reports, services
from assessments.answers_csv import csv_lines
from assessments.charts import alignment_chart, engagement_chart
from assessments.forms import JudgementOverrideForm
from assessments.models import (
    AnswerJudgement,
    Assessment,
    Response,
    StepResult,
    catalogue_steps,
)

ANSWERS_PER_PAGE = 20
RESCORED = "Every answer is scored again against the whole team."
RESCORE_QUEUED = (
    "Every answer will be scored again against the whole team; until then the "
    "report shows the last complete scoring."
)
OVERRIDE_SAVED = "Your decision is saved; the report now uses it."
OVERRIDE_REMOVED = "Your decision is removed; the report uses the engine's again."
OVERRIDE_KEPT = "Your decision is kept for the answer as it is now."


def _managed(request: HttpRequest, pk: int):
    return Assessment.objects.for_manager(request.user).filter(pk=pk)


class _Counted:
    """A queryset whose size is already known, so paging it adds no COUNT query."""

    def __init__(self, queryset, count: int):
        self.queryset = queryset
        self._count = count

    def count(self) -> int:
        return self._count

    def __getitem__(self, key):
        return self.queryset[key]


def _answers_page(request: HttpRequest, assessment: Assessment, respondents: int):
    """One page of responses with their judgements (``Response.for_review``)."""
    responses = Response.objects.for_review(assessment)
    paginator = Paginator(_Counted(responses, respondents), ANSWERS_PER_PAGE)
    return paginator.get_page(request.GET.get("page"))


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


@dataclass(frozen=True)
class FailedForm:
    """An inline form of the report sent with an error: the page is shown again
    with it as sent, its error beside it, and the browser taken to it."""

    judgement_pk: int
    form: JudgementOverrideForm | None = None
    error: str = ""


def _render_report(
    request: HttpRequest, assessment: Assessment, *, failed: FailedForm | None = None
) -> HttpResponse:
    summary = reports.round_report(assessment, today=timezone.localdate())
    steps = {step.key: step for step in catalogue_steps(assessment.catalogue_version)}
    page = (
        _answers_page(request, assessment, summary.respondents)
        if summary.shows_verbatims
        else None
    )
    if failed is not None and not _on_page(page, failed.judgement_pk):
        # The answer has moved to another page meanwhile: say so at the top
        # rather than lose the error.
        errors = failed.form.errors.values() if failed.form else [[failed.error]]
        for error in (error for field in errors for error in field):
            messages.error(request, error)
        failed = None
    return render(
        request,
        "assessments/report.html",
        {
            "assessment": assessment,
            "summary": summary,
            "report": summary.report,
            "steps": [
                (
                    steps[step.key],
                    StepResult(
                        step=steps[step.key], status=step.status, score=step.score
                    ),
                )
                for step in summary.report.steps
            ],
            "engagement_chart": engagement_chart(summary),
            "alignment_chart": alignment_chart(
                summary, assessment.min_group_for_scores
            ),
            "page": page,
            "awaiting_review": reports.awaiting_review_message(
                summary.answers_awaiting_review
            ),
            "override_form": JudgementOverrideForm(),
            "failed_pk": failed.judgement_pk if failed else None,
            "failed_form": failed.form if failed else None,
            "failed_error": failed.error if failed else "",
        },
    )


def _on_page(page, judgement_pk: int) -> bool:
    """Whether the page of answers shows the judgement (read from the page's
    prefetched rows: no query)."""
    return page is not None and any(
        judgement.pk == judgement_pk
        for response in page
        for judgement in response.judgements.all()
    )


@never_cache
@require_GET
def readiness_report(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(_managed(request, pk).for_report())
    return _render_report(request, assessment)


@require_POST
def assessment_rescore_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(_managed(request, pk))
    task = services.assessment_rescore_request(assessment_id=assessment.pk)
    messages.success(request, RESCORED if task.is_finished else RESCORE_QUEUED)
    return redirect("assessments:report", pk=pk)


def _managed_judgement(
    request: HttpRequest, pk: int, judgement_pk: int
) -> AnswerJudgement:
    return get_object_or_404(
        AnswerJudgement.objects.filter(
            response__assessment__in=_managed(request, pk)
        ).select_related("response"),
        pk=judgement_pk,
    )


def _back(request: HttpRequest, pk: int) -> str:
    return reverse("assessments:report", args=(pk,)) + f"?page={_page_number(request)}"


@never_cache
@require_POST
def judgement_override_view(
    request: HttpRequest, pk: int, judgement_pk: int
) -> HttpResponse:
    """A manager's decision on one answer; refused, the report is shown again
    with that form open as it was sent and its error beside it."""
    judgement = _managed_judgement(request, pk, judgement_pk)
    form = JudgementOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.judgement_override(
                user=request.user, judgement=judgement, **form.decision()
            )
        except ValidationError as error:
            about_reason = error.code == "judgement_override_needs_a_reason"
            form.add_error("reason" if about_reason else None, error)
        else:
            decision = form.decision()
            removing = decision["clear"] is None and decision["consistent"] is None
            messages.success(request, OVERRIDE_REMOVED if removing else OVERRIDE_SAVED)
            return redirect(f"{_back(request, pk)}#judgement-{judgement.pk}")
    assessment = get_object_or_404(_managed(request, pk).for_report())
    return _render_report(
        request, assessment, failed=FailedForm(judgement_pk=judgement.pk, form=form)
    )


@never_cache
@require_POST
def judgement_override_keep_view(
    request: HttpRequest, pk: int, judgement_pk: int
) -> HttpResponse:
    """ "Keep my decision": the manager's decision stands for the changed answer."""
    judgement = _managed_judgement(request, pk, judgement_pk)
    try:
        services.judgement_override_keep(judgement=judgement, user=request.user)
    except ValidationError as error:
        assessment = get_object_or_404(_managed(request, pk).for_report())
        return _render_report(
            request,
            assessment,
            failed=FailedForm(judgement_pk=judgement.pk, error=error.messages[0]),
        )
    messages.success(request, OVERRIDE_KEPT)
    return redirect(f"{_back(request, pk)}#judgement-{judgement.pk}")


@never_cache
@require_GET
def answers_export(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(_managed(request, pk).select_related("team"))
    try:
        rows = reports.answers_export_rows(assessment)
    except privacy.Withheld as refusal:
        messages.error(request, str(refusal))
        return redirect("assessments:report", pk=assessment.pk)
    response = StreamingHttpResponse(
        csv_lines(reports.EXPORT_HEADER, rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="servicecult-round-{assessment.pk}-answers.csv"'
    )
    return response
