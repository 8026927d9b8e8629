"""Answers gathered outside the survey: imported from a file of answers, which
an administrator uploads, previews, then confirms or cancels."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessments import tokens
from assessments.answers_csv import AnswerRow, read_answers
from assessments.models import AnswersUpload, Assessment, Response
from assessments.services.judging import assessment_rescore
from assessments.services.rounds import response_timestamp

IMPORT_ROUND_CLOSED = (
    "This round is closed: its answers are final, so no more can be imported."
)
IMPORT_EXPIRED = "This preview has expired or was already used: upload the file again."
UPLOADS_KEPT = timedelta(days=1)


def require_importable(assessment: Assessment) -> None:
    """Refuse answers for a closed round, whose counts are final."""
    if assessment.status == Assessment.Status.CLOSED:
        raise ValidationError(IMPORT_ROUND_CLOSED, code="closed")


@transaction.atomic
def responses_import(
    *,
    assessment: Assessment,
    rows: Sequence[AnswerRow],
    user=None,
    source: str = "",
    now: datetime | None = None,
) -> int:
    """Add answers gathered elsewhere to a round, all or none, then rescore it.

    Imported answers come through no invitation: each gets a random respondent
    key and the round's timestamps (to the day when it is anonymous). The
    ``respondent`` column only names lines in error messages; it is not stored.
    Rows come checked by ``answers_csv.read_answers`` and the database's
    constraints refuse anything else, so rows skip ``full_clean``, which would
    cost queries per row.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require_importable(assessment)
    now = now or timezone.now()
    stamp = response_timestamp(anonymous=assessment.anonymous, now=now)
    responses = [
        Response(
            assessment=assessment,
            respondent_key=tokens.respondent_key(tokens.new_token()),
            vision_answer=row.vision,
            meaning_answer=row.meaning,
            contribution_answer=row.contribution,
            created_at=stamp,
            updated_at=stamp,
        )
        for row in rows
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
    assessment_rescore(assessment=assessment, now=now)
    return len(responses)


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
    # the same person's earlier one for this round.
    AnswersUpload.objects.filter(
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
    """A person's uploads for a round: nobody confirms or cancels another's."""
    return AnswersUpload.objects.filter(assessment=assessment, uploaded_by=user)


@transaction.atomic
def answers_upload_confirm(*, upload_id: int, assessment: Assessment, user) -> int:
    """Import every answer of one's previewed upload, then drop the upload;
    returns how many answers were imported."""
    # Locked, so a confirmation sent twice imports the file once.
    upload = (
        _uploads_of(assessment=assessment, user=user)
        .select_for_update()
        .filter(pk=upload_id)
        .first()
    )
    if upload is None:
        raise ValidationError(IMPORT_EXPIRED, code="expired")
    count = responses_import(
        assessment=assessment,
        rows=read_answers(upload.content.encode(), upload.file_name),
        user=user,
        source=upload.file_name,
    )
    upload.delete()
    return count


@transaction.atomic
def answers_upload_cancel(*, upload_id: int, assessment: Assessment, user) -> None:
    """Drop one's previewed upload unsaved; one already gone needs nothing."""
    _uploads_of(assessment=assessment, user=user).filter(pk=upload_id).delete()
