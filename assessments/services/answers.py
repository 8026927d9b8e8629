"""Answers gathered outside the survey: imported from a file of answers, which
an administrator uploads, previews, then confirms or cancels, or which
``manage.py import_answers`` checks; either way a worker imports it."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.tasks import TaskResult
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessments import scoring, tasks, tokens
from assessments.answers_csv import AnswerRow, read_answers
from assessments.models import AnswersUpload, Assessment, Response, Vision
from assessments.services.judging import (
    awaiting_review,
    judgements_add,
    outcome,
    readiness_refresh,
    respondent_judge,
)
from assessments.services.rounds import response_timestamp
from assessments.services.upkeep import assessment_rescore_request

IMPORT_ROUND_CLOSED = (
    "This round is closed: its answers are final, so no more can be imported."
)
IMPORT_EXPIRED = "This preview has expired or was already used: upload the file again."
UPLOADS_KEPT = timedelta(days=1)


def require_importable(assessment: Assessment) -> None:
    """Refuse answers for a closed round, whose counts are final."""
    if assessment.status == Assessment.Status.CLOSED:
        raise ValidationError(IMPORT_ROUND_CLOSED, code="closed")


@dataclass(frozen=True)
class QueuedImport:
    """A file of answers handed to a worker: how many answers, and its task
    (finished already when tasks run in-process)."""

    answers: int
    task: TaskResult


@transaction.atomic
def responses_import(
    *,
    assessment: Assessment,
    rows: Sequence[AnswerRow],
    user=None,
    source: str = "",
    now: datetime | None = None,
) -> int:
    """Add answers gathered elsewhere to a round, all or none, then ask for the
    round to be scored again.

    Imported answers come through no invitation: each gets a random respondent
    key and the round's timestamps (to the day when it is anonymous). An
    administrator imports a file of answers all at once, so they carry no order
    of answering to hide: they are released at once, as a release of their own,
    and count for the minimum groups. Like a
    survey submission, each is judged at once against the team profile of the
    last full scoring, so the round's figures stay whole until the full scoring
    that follows replaces them. The ``respondent`` column only names lines in
    error messages; it is not stored. Rows come checked by
    ``answers_csv.read_answers`` and the database's constraints refuse anything
    else, so rows skip ``full_clean``, which would cost queries per row.
    """
    # Locked against closing (which waits), not against submissions: theirs is
    # a key-share lock, which a no-key update lock lets through.
    assessment = Assessment.objects.select_for_update(no_key=True).get(pk=assessment.pk)
    require_importable(assessment)
    now = now or timezone.now()
    stamp = response_timestamp(anonymous=assessment.anonymous, now=now)
    statement, ideas = (
        Vision.objects.filter(assessment=assessment)
        .values_list("statement", "key_ideas")
        .first()
    ) or ("", [])
    confirmed = scoring.ideas_from_data(ideas)
    profile = scoring.TeamProfile.from_dict(assessment.team_profile)
    release = (
        Response.objects.filter(assessment=assessment).aggregate(last=Max("release"))[
            "last"
        ]
        or 0
    ) + 1
    judgements = [
        respondent_judge(
            vision=statement,
            ideas=confirmed,
            team_profile=profile,
            answers={
                "vision": row.vision,
                "meaning": row.meaning,
                "contribution": row.contribution,
            },
        )
        for row in rows
    ]
    responses = [
        Response(
            assessment=assessment,
            respondent_key=tokens.respondent_key(tokens.new_token()),
            vision_answer=row.vision,
            meaning_answer=row.meaning,
            contribution_answer=row.contribution,
            created_at=stamp,
            updated_at=stamp,
            release=release,
            counts_for_minimum=True,
            **outcome(judgement),
            answers_awaiting_review=awaiting_review(judgement),
        )
        for row, judgement in zip(rows, judgements, strict=True)
    ]
    # One audit row per response, dated like the responses themselves.
    bulk_create_with_history(
        responses,
        Response,
        batch_size=1000,
        default_user=user,
        default_change_reason=f"Imported from {source}"[:100] if source else "",
        default_date=stamp,
    )
    judgements_add(
        judged=[
            (response.pk, judgement)
            for response, judgement in zip(responses, judgements, strict=True)
        ],
        now=stamp,
    )
    readiness_refresh(assessment_id=assessment.pk, now=now)
    assessment_rescore_request(assessment_id=assessment.pk, now=now)
    return len(responses)


def answers_upload_import(*, upload_id: int, now: datetime | None = None) -> int:
    """Import a queued file of answers into its round and drop the file; returns
    how many answers were imported (none when it was imported already).

    A round closed since the file was queued refuses it: the file is dropped
    all the same and the refusal raised, for the task's result to record.
    """
    refused = None
    with transaction.atomic():
        upload = (
            AnswersUpload.objects.select_for_update(of=("self",))
            .filter(pk=upload_id, queued_at__isnull=False)
            .select_related("assessment", "uploaded_by")
            .first()
        )
        if upload is None:
            return 0
        try:
            with transaction.atomic():
                count = responses_import(
                    assessment=upload.assessment,
                    rows=read_answers(upload.content.encode(), upload.file_name),
                    user=upload.uploaded_by,
                    source=upload.file_name,
                    now=now,
                )
        except ValidationError as error:
            refused = error
        upload.delete()
    if refused is not None:
        raise refused
    return count


def _import_enqueue(upload: AnswersUpload) -> QueuedImport:
    return QueuedImport(
        answers=upload.rows, task=tasks.import_answers.enqueue(upload_id=upload.pk)
    )


@transaction.atomic
def answers_import_queue(
    *, assessment: Assessment, file_name: str, data: bytes, user=None
) -> QueuedImport:
    """Check a whole file of answers and queue it for a worker to import into a
    round; raises ``AnswersFileError`` with every bad line (named by
    ``file_name``), or ``ValidationError`` when the round takes no more answers."""
    rows = read_answers(data, file_name)
    require_importable(assessment)
    upload = AnswersUpload.objects.create(
        assessment=assessment,
        uploaded_by=user,
        file_name=Path(file_name).name[:255],
        content=data.decode("utf-8-sig"),
        rows=len(rows),
        queued_at=timezone.now(),
    )
    return _import_enqueue(upload)


@transaction.atomic
def answers_upload_create(
    *,
    assessment: Assessment,
    user,
    file_name: str,
    data: bytes,
    now: datetime | None = None,
) -> AnswersUpload:
    """Check a whole file of answers and keep it until its uploader confirms or
    cancels the import; raises ``AnswersFileError`` with every bad line."""
    rows = read_answers(data, file_name)
    require_importable(assessment)
    now = now or timezone.now()
    # Uploads nobody confirmed are dropped after a day, and a new one replaces
    # the same person's earlier one for this round; queued ones wait for their
    # worker.
    AnswersUpload.objects.filter(queued_at__isnull=True).filter(
        Q(created_at__lt=now - UPLOADS_KEPT)
        | Q(assessment=assessment, uploaded_by=user)
    ).delete()
    return AnswersUpload.objects.create(
        assessment=assessment,
        uploaded_by=user,
        file_name=file_name[:255],
        content=data.decode("utf-8-sig"),
        rows=len(rows),
    )


def _uploads_of(*, assessment: Assessment, user):
    """A person's previewed uploads for a round, not yet queued: nobody confirms
    or cancels another's."""
    return AnswersUpload.objects.filter(
        assessment=assessment, uploaded_by=user, queued_at__isnull=True
    )


@transaction.atomic
def answers_upload_confirm(
    *, upload_id: int, assessment: Assessment, user
) -> QueuedImport:
    """Queue one's previewed upload for a worker to import every answer of it."""
    # Locked, so a confirmation sent twice queues the file once.
    upload = (
        _uploads_of(assessment=assessment, user=user)
        .select_for_update()
        .filter(pk=upload_id)
        .first()
    )
    if upload is None:
        raise ValidationError(IMPORT_EXPIRED, code="expired")
    require_importable(Assessment.objects.get(pk=assessment.pk))
    upload.queued_at = timezone.now()
    upload.save(update_fields=("queued_at",))
    return _import_enqueue(upload)


@transaction.atomic
def answers_upload_cancel(*, upload_id: int, assessment: Assessment, user) -> None:
    """Drop one's previewed upload unsaved; one already gone needs nothing."""
    _uploads_of(assessment=assessment, user=user).filter(pk=upload_id).delete()
