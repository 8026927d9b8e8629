"""Answers gathered outside the survey: imported from a file of answers."""

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessments import tokens
from assessments.answers_csv import AnswerRow
from assessments.models import Assessment, Response
from assessments.services.judging import assessment_rescore
from assessments.services.rounds import response_timestamp

IMPORT_ROUND_CLOSED = (
    "This round is closed: its answers are final, so no more can be imported."
)


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
