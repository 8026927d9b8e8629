"""A round's life: created as a draft, opened, its settings changed, closed."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, Team

PRIVACY_FIELDS = ("anonymous", "min_group_for_scores", "min_group_for_verbatims")
PRIVACY_FROZEN = (
    "This round is open: whether it is anonymous and its group sizes can no "
    "longer change."
)
ROUND_NOT_OPEN = "Open the round first."
ROUND_CLOSED = "This round is closed: nobody can be invited or sent a link any more."


def require_not_closed(assessment: Assessment) -> None:
    """Refuse a change that a closed round's final counts cannot take."""
    if assessment.status == Assessment.Status.CLOSED:
        raise ValidationError(ROUND_CLOSED, code="closed")


def response_timestamp(*, anonymous: bool, now: datetime) -> datetime:
    """The time to store on a response or its judgements: no finer than a day in
    anonymous rounds."""
    if anonymous:
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    return now


@transaction.atomic
def assessment_create(
    *, team: Team, created_by, title: str = "", **privacy
) -> Assessment:
    """Start a draft round for a team."""
    assessment = Assessment(team=team, created_by=created_by, title=title, **privacy)
    assessment.full_clean()
    assessment.save()
    return assessment


@transaction.atomic
def assessment_open(
    *, assessment: Assessment, now: datetime | None = None
) -> Assessment:
    """Open a draft round: from now on its privacy settings are frozen, and its
    upkeep comes round every few minutes while it stays open."""
    if assessment.status != Assessment.Status.DRAFT:
        return assessment
    assessment.status = Assessment.Status.OPEN
    assessment.opened_at = now or timezone.now()
    assessment.save(update_fields=("status", "opened_at"))
    # Imported here: upkeep needs judging, which needs this module.
    from assessments.services.upkeep import round_upkeep_schedule

    round_upkeep_schedule(assessment_id=assessment.pk, now=assessment.opened_at)
    return assessment


@transaction.atomic
def assessment_update(*, assessment: Assessment, **fields) -> Assessment:
    """Change a round's settings; its privacy only while it is still a draft."""
    # Read the stored row, locked: the caller's instance may hold form input, and
    # the round may have been opened since the form was shown.
    stored = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if stored.status != Assessment.Status.DRAFT and any(
        fields[name] != getattr(stored, name)
        for name in PRIVACY_FIELDS
        if name in fields
    ):
        raise ValidationError(PRIVACY_FROZEN, code="privacy_frozen")
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.full_clean()
    stored.save(update_fields=tuple(fields))
    return stored


@transaction.atomic
def assessment_close(
    *, assessment: Assessment, now: datetime | None = None
) -> Assessment:
    """Close an open round: its links stop working and its counts are final."""
    if assessment.status == Assessment.Status.DRAFT:
        raise ValidationError(ROUND_NOT_OPEN, code="not_open")
    if assessment.status == Assessment.Status.OPEN:
        assessment.status = Assessment.Status.CLOSED
        assessment.closed_at = now or timezone.now()
        assessment.save(update_fields=("status", "closed_at"))
    return assessment
