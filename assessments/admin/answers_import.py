"""The page that imports answers into a round: upload a file, preview it with every
bad line, then confirm (all or nothing) or cancel. The upload is kept between
preview and confirmation, so the file is sent once.

Reached from a round's page and its import action; the services create, confirm
and cancel the upload, this view only reads the request and renders."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.tasks import TaskResultStatus
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse

from assessments import services
from assessments.admin.common import plural
from assessments.answers_csv import REQUIRED_COLUMNS, AnswersFileError, read_answers
from assessments.models import AnswersUpload

PREVIEW_ROWS = 50

# Messages the page shows; tests assert on them.
IMPORT_TOO_LARGE = (
    "{name} is over {limit}: import it with "
    "`manage.py import_answers {pk} FILE` instead."
)
IMPORT_CANCELLED = "Import cancelled; nothing was saved."
IMPORTED = "Imported {answers} into {round}; the round is scored again."
IMPORT_QUEUED = (
    "Queued {answers} for import into {round}: a worker imports them, then scores "
    "the round again; its report shows how far it has got."
)
IMPORT_FAILED = "The import into {round} failed; nothing was saved."


class AnswersFileForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        allow_empty_file=True,  # read_answers says what is wrong with it
        help_text=(
            f"UTF-8 CSV whose header names {','.join(REQUIRED_COLUMNS)}; other "
            "columns (an export's judgements, say) are ignored."
        ),
    )


def answers_import(model_admin, request, object_id):
    """Upload a file of answers, preview it with every bad line, then save all
    of it or none."""
    assessment = model_admin.get_object(request, unquote(object_id))
    if assessment is None:
        raise Http404
    if not (
        model_admin.has_change_permission(request, assessment)
        and request.user.has_perm("assessments.add_response")
    ):
        raise PermissionDenied
    change_url = reverse("admin:assessments_assessment_change", args=(assessment.pk,))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
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
        model_admin.message_user(request, IMPORT_CANCELLED, messages.INFO)
        return redirect(change_url)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirmed(model_admin, request, assessment, change_url)
    if request.method == "POST":
        form = AnswersFileForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            file = form.cleaned_data["file"]
            try:
                upload = _uploaded(request, assessment, file)
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
            model_admin.message_user(request, services.IMPORT_EXPIRED, messages.ERROR)
            return redirect(request.path)
        rows = read_answers(upload.content.encode(), upload.file_name)
        context.update(upload=upload, rows=rows[:PREVIEW_ROWS])
        context["more"] = max(0, len(rows) - PREVIEW_ROWS)
    return TemplateResponse(
        request, "admin/assessments/assessment/answers_import.html", context
    )


def _uploaded(request, assessment, file) -> AnswersUpload:
    if file.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            IMPORT_TOO_LARGE.format(
                name=file.name,
                limit=filesizeformat(settings.UPLOAD_MAX_BYTES),
                pk=assessment.pk,
            )
        )
    return services.answers_upload_create(
        assessment=assessment,
        user=request.user,
        file_name=file.name,
        data=file.read(),
    )


def _confirmed(model_admin, request, assessment, change_url):
    try:
        queued = services.answers_upload_confirm(
            upload_id=_whole_number(request.POST.get("upload", "")),
            assessment=assessment,
            user=request.user,
        )
    except ValidationError as error:
        model_admin.message_user(request, error.messages[0], messages.ERROR)
        # An expired preview is uploaded again; a refused import is final.
        return redirect(request.path if error.code == "expired" else change_url)
    answers = plural(queued.answers, "answer")
    if queued.task.status == TaskResultStatus.FAILED:
        model_admin.message_user(
            request, IMPORT_FAILED.format(round=assessment), messages.ERROR
        )
    else:
        # Tasks that run in-process have imported the file already.
        message = IMPORTED if queued.task.is_finished else IMPORT_QUEUED
        model_admin.message_user(
            request,
            message.format(answers=answers, round=assessment),
            messages.SUCCESS,
        )
    return redirect(change_url)


def _whole_number(value: str) -> int:
    return int(value) if value.isdigit() else 0
