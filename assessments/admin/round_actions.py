"""What administrators do to selected rounds from the list of rounds: score them
again, open or close them, retry their failed emails, export their answers,
import answers into one. Each calls the services the manager's pages use."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.tasks import TaskResultStatus
from django.utils import timezone

from assessments import privacy, reports, services
from assessments.admin.common import plural
from assessments.answers_csv import csv_lines
from assessments.models import Assessment

# Messages the admin shows; tests assert on them.
RESCORED = "Scored {rounds} again ({answers}); readiness is up to date."
RESCORE_QUEUED = (
    "Asked for {rounds} to be scored again: a worker scores them, and each "
    "round's report shows how far it has got."
)
CLOSED = "Closed {rounds}."
NOT_CLOSED_DRAFTS = "Not closed, never opened: {names}."
OPENED = "Opened {rounds}."
NOT_OPENED = "Not opened, already open or closed: {names}."
NOT_OPENED_CLOSES_ON = "Not opened: {name}. {reason}"
EMAILS_RETRIED = "Trying {emails} again in {rounds}."
NOT_RETRIED_CLOSED = "No emails retried in closed rounds: {names}."
EXPORT_WITHHELD = "Nothing was exported. {reasons}"
IMPORT_ONE_ROUND = "Choose exactly one round to import answers into."


def _selected(queryset) -> list[Assessment]:
    return list(queryset.order_by("pk"))


@admin.action(description="Score the selected rounds again", permissions=("change",))
def recompute_scores(modeladmin, request, queryset):
    rounds = _selected(queryset)
    queued = [
        services.assessment_rescore_request(assessment_id=assessment.pk)
        for assessment in rounds
    ]
    if all(task.status == TaskResultStatus.SUCCESSFUL for task in queued):
        # Tasks run in-process: the rounds are scored already.
        judged = sum(task.return_value or 0 for task in queued)
        message = RESCORED.format(
            rounds=plural(len(rounds), "round"), answers=plural(judged, "answer")
        )
    else:
        message = RESCORE_QUEUED.format(rounds=plural(len(rounds), "round"))
    modeladmin.message_user(request, message, messages.SUCCESS)


@admin.action(description="Close the selected rounds", permissions=("change",))
def close_rounds(modeladmin, request, queryset):
    closed, drafts = [], []
    for assessment in _selected(queryset):
        if assessment.status == Assessment.Status.CLOSED:
            continue
        try:
            services.assessment_close(assessment=assessment)
        except ValidationError:
            drafts.append(str(assessment))
        else:
            closed.append(assessment)
    modeladmin.message_user(
        request,
        CLOSED.format(rounds=plural(len(closed), "round")),
        messages.SUCCESS,
    )
    if drafts:
        modeladmin.message_user(
            request,
            NOT_CLOSED_DRAFTS.format(names=", ".join(drafts)),
            messages.WARNING,
        )


@admin.action(description="Open the selected draft rounds", permissions=("change",))
def open_rounds(modeladmin, request, queryset):
    opened, others = 0, []
    for assessment in _selected(queryset):
        if assessment.status != Assessment.Status.DRAFT:
            others.append(str(assessment))
            continue
        try:
            services.assessment_open(assessment=assessment)
        except ValidationError as error:
            modeladmin.message_user(
                request,
                NOT_OPENED_CLOSES_ON.format(name=assessment, reason=error.messages[0]),
                messages.WARNING,
            )
            continue
        opened += 1
    modeladmin.message_user(
        request, OPENED.format(rounds=plural(opened, "round")), messages.SUCCESS
    )
    if others:
        modeladmin.message_user(
            request, NOT_OPENED.format(names=", ".join(others)), messages.WARNING
        )


@admin.action(
    description="Retry the selected rounds' failed emails", permissions=("change",)
)
def retry_failed_emails(modeladmin, request, queryset):
    retried, rounds, closed = 0, 0, []
    for assessment in _selected(queryset):
        try:
            count = services.invitations_email_retry(assessment=assessment)
        except ValidationError:
            closed.append(str(assessment))
            continue
        retried += count
        rounds += bool(count)
    modeladmin.message_user(
        request,
        EMAILS_RETRIED.format(
            emails=plural(retried, "failed email"), rounds=plural(rounds, "round")
        ),
        messages.SUCCESS,
    )
    if closed:
        modeladmin.message_user(
            request,
            NOT_RETRIED_CLOSED.format(names=", ".join(closed)),
            messages.WARNING,
        )


@admin.action(description="Export the selected rounds' answers as CSV")
def export_answers(modeladmin, request, queryset):
    exports, withheld = [], []
    for assessment in _selected(queryset):
        try:
            exports.append(
                (assessment, reports.answers_export_rows(assessment, staff=True))
            )
        except privacy.Withheld as refusal:
            withheld.append(f"{assessment}: {refusal}")
    if withheld:
        modeladmin.message_user(
            request, EXPORT_WITHHELD.format(reasons=" ".join(withheld)), messages.ERROR
        )
        return None

    def rows():
        for assessment, answers in exports:
            for row in answers:
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
def import_answers(modeladmin, request, queryset):
    pks = list(queryset.values_list("pk", flat=True)[:2])
    if len(pks) != 1:
        modeladmin.message_user(request, IMPORT_ONE_ROUND, messages.ERROR)
        return None
    return redirect("admin:assessments_assessment_import", pks[0])
