"""The readiness report of a round: the four steps in order, the answers for
review (those the engine asks the manager to decide first) with the engine's
reasons and the manager's overrides, and their export."""

from dataclasses import dataclass
from http import HTTPStatus

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from assessments import pdf, privacy, reports, services
from assessments.answers_csv import csv_lines
from assessments.charts import alignment_chart, engagement_chart
from assessments.forms import JudgementOverrideForm, ReportPdfForm
from assessments.models import (
    PEOPLE_SORT_DEFAULT,
    PEOPLE_SORTS,
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


# The per-person table of a named round: its columns, by the sort key of each.
PEOPLE_PER_PAGE = 50
PEOPLE_PAGE = "people"  # its own page parameter, beside the answers' "page"
PEOPLE_COLUMNS = (
    ("name", "Name"),
    ("engaged", "Engaged"),
    ("vision", "The vision"),
    ("meaning", "What it means"),
    ("contribution", "Their contribution"),
)


@dataclass(frozen=True)
class SortLink:
    """A column heading of the per-person table: a link that sorts by it, and
    how the table is sorted by it now (``aria-sort``), if it is."""

    label: str
    href: str
    aria_sort: str | None


def _sort_of(request: HttpRequest) -> str:
    sort = request.GET.get("sort", PEOPLE_SORT_DEFAULT)
    return sort if sort.removeprefix("-") in PEOPLE_SORTS else PEOPLE_SORT_DEFAULT


def _people_url(request: HttpRequest, **params: str) -> str:
    query = request.GET.copy()
    for name, value in params.items():
        query[name] = value
    return f"?{query.urlencode()}#people"


def _sort_links(request: HttpRequest, sort: str) -> list[SortLink]:
    """Each heading sorts by its column, ascending, or descending when it is
    sorted ascending already; sorting starts again on the first page."""
    links = []
    for key, label in PEOPLE_COLUMNS:
        state = {key: "ascending", f"-{key}": "descending"}.get(sort)
        query = request.GET.copy()
        query.pop(PEOPLE_PAGE, None)
        query["sort"] = f"-{key}" if state == "ascending" else key
        links.append(SortLink(label, f"?{query.urlencode()}#people", state))
    return links


def _people(request: HttpRequest, assessment: Assessment, respondents: int) -> dict:
    """The per-person table of a named round: one page of it, sorted as asked,
    with its headings' sort links and the links to its other pages."""
    sort = _sort_of(request)
    rows = _Counted(Response.objects.for_people(assessment, sort), respondents)
    page = Paginator(rows, PEOPLE_PER_PAGE).get_page(request.GET.get(PEOPLE_PAGE))
    return {
        "page": page,
        "columns": _sort_links(request, sort),
        "previous": _people_url(request, **{PEOPLE_PAGE: str(page.number - 1)})
        if page.has_previous()
        else None,
        "next": _people_url(request, **{PEOPLE_PAGE: str(page.number + 1)})
        if page.has_next()
        else None,
    }


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


def _report_context(assessment: Assessment, summary: reports.RoundReport) -> dict:
    """What the report's page and its PDF both show."""
    steps = {step.key: step for step in catalogue_steps(assessment.catalogue_version)}
    return {
        "assessment": assessment,
        "summary": summary,
        "report": summary.report,
        "today": timezone.localdate(),
        "steps": [
            (
                steps[step.key],
                StepResult(step=steps[step.key], status=step.status, score=step.score),
            )
            for step in summary.report.steps
        ],
        "engagement_chart": engagement_chart(summary),
        "alignment_chart": alignment_chart(summary, assessment.min_group_for_scores),
    }


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
    page = (
        _answers_page(request, assessment, summary.respondents)
        if summary.shows_verbatims
        else None
    )
    people = (
        _people(request, assessment, summary.respondents)
        if privacy.shows_people(assessment, summary.visibility)
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
            **_report_context(assessment, summary),
            "page": page,
            "show_names": not assessment.anonymous,
            "people": people,
            "awaiting_review": reports.awaiting_review_message(
                summary.answers_awaiting_review
            ),
            "override_form": JudgementOverrideForm(),
            "pdf_form": ReportPdfForm(),
            "failed_pk": failed.judgement_pk if failed else None,
            "failed_form": failed.form if failed else None,
            "failed_error": failed.error if failed else "",
            "predict_link": summary.predicts,
        },
    )


PDF_PAPER = "Choose A4 or Letter for the PDF."
PDF_FAILED = (
    "The PDF could not be made just now. The report below is complete: try the "
    "PDF again in a minute, or print this page."
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


@never_cache
@require_GET
def readiness_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as a PDF to hand on: its summary on page one, quoted answers,
    and names beside them, only when ticked and only where the round shows them.
    Writes nothing."""
    assessment = get_object_or_404(_managed(request, pk).for_report())
    form = ReportPdfForm(request.GET)
    if not form.is_valid():
        messages.error(request, PDF_PAPER)
        return redirect("assessments:report", pk=pk)
    summary = reports.round_report(assessment, today=timezone.localdate())
    quotes = form.cleaned_data["quotes"] and summary.shows_verbatims
    html = render_to_string(
        "assessments/report_pdf.html",
        {
            **_report_context(assessment, summary),
            "pdf": True,
            "page": Response.objects.for_review(assessment) if quotes else None,
            "show_names": quotes
            and form.cleaned_data["names"]
            and not assessment.anonymous,
        },
        request=request,
    )
    try:
        document = pdf.render_pdf(html, paper=form.cleaned_data["paper"])
    except pdf.PdfFailed:
        return render(
            request,
            "assessments/report_pdf_failed.html",
            {"assessment": assessment, "message": PDF_FAILED},
            status=HTTPStatus.SERVICE_UNAVAILABLE,
        )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="servicecult-round-{assessment.pk}-report.pdf"'
    )
    return response


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
