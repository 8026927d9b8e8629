"""The manager's own answers to the four steps: vision, alignment ratings,
commitment and its action plan. Each write refreshes the round's stored
readiness, so step pages and dashboards show the verdict the report would."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from assessments.models import (
    ActionItem,
    AlignmentRating,
    Assessment,
    Commitment,
    Question,
    Vision,
)
from assessments.services.judging import readiness_refresh

STALE_REVISION = (
    "This was changed by someone else since you opened it; your text is kept below, "
    "reload to see theirs."
)


def _save_revision(model, *, pk: int, revision: int, user, values: dict) -> None:
    """Write ``values`` only if the row is still at ``revision``, and bump it.

    Two managers who opened the same form read the same revision; the conditional
    UPDATE lets only the first save match it, so nobody's text is overwritten
    unseen. Saving what is already stored changes nothing.
    """
    if model.objects.filter(pk=pk).values(*values).get() == values:
        return
    updated = model.objects.filter(pk=pk, revision=revision).update(
        **values,
        revision=F("revision") + 1,
        updated_by=user,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(STALE_REVISION, code="stale")
    # A conditional UPDATE sends no signal, so the audit trail is written here.
    model.history.bulk_history_create(
        [model.objects.get(pk=pk)], update=True, default_user=user
    )


@transaction.atomic
def vision_update(
    *, vision: Vision, revision: int, statement: str, has_vision: bool | None, user
) -> None:
    """Save the vision and the moment-of-truth answer, unless changed meanwhile."""
    _save_revision(
        Vision,
        pk=vision.pk,
        revision=revision,
        user=user,
        values={"statement": statement, "has_vision": has_vision},
    )
    readiness_refresh(assessment_id=vision.assessment_id)


@dataclass(frozen=True)
class Rating:
    """The manager's rating of one alignment question, with the revision read."""

    question: Question
    rating: int
    evidence: str
    revision: int = 0  # no rating was stored when the form was opened


@transaction.atomic
def alignment_update(
    *,
    assessment: Assessment,
    ratings: Sequence[Rating],
    team_rates_alignment: bool,
    user,
) -> None:
    """Save the manager's alignment ratings, all or none if one changed meanwhile."""
    stored = {
        rating.question_id: rating for rating in assessment.alignment_ratings.all()
    }
    for item in ratings:
        values = {"rating": item.rating, "evidence": item.evidence}
        current = stored.get(item.question.pk)
        if current is not None:
            _save_revision(
                AlignmentRating,
                pk=current.pk,
                revision=item.revision,
                user=user,
                values=values,
            )
            continue
        try:
            with transaction.atomic():
                AlignmentRating.objects.create(
                    assessment=assessment,
                    question=item.question,
                    updated_by=user,
                    **values,
                )
        except IntegrityError:  # another manager rated it first
            raise ValidationError(STALE_REVISION, code="stale") from None
    if team_rates_alignment != assessment.team_rates_alignment:
        assessment.team_rates_alignment = team_rates_alignment
        assessment.save(update_fields=("team_rates_alignment",))
    readiness_refresh(assessment_id=assessment.pk)


@transaction.atomic
def commitment_update(*, commitment: Commitment, revision: int, user, **values) -> None:
    """Save the commitment evidence, unless someone changed it meanwhile."""
    _save_revision(
        Commitment, pk=commitment.pk, revision=revision, user=user, values=values
    )
    readiness_refresh(assessment_id=commitment.assessment_id)


@transaction.atomic
def action_create(*, action: ActionItem) -> ActionItem:
    """Add an unsaved action, validated by its form, to its round's plan."""
    action.save()
    readiness_refresh(assessment_id=action.assessment_id)
    return action


@transaction.atomic
def action_update(*, action: ActionItem) -> ActionItem:
    """Save an action's title, owner or dates, as validated by its form."""
    action.save()
    readiness_refresh(assessment_id=action.assessment_id)
    return action


@transaction.atomic
def action_delete(*, action: ActionItem) -> None:
    """Remove an action from its round's plan."""
    action.delete()
    readiness_refresh(assessment_id=action.assessment_id)


@transaction.atomic
def step_row_save(*, row: Vision | AlignmentRating | Commitment, user) -> None:
    """Save a step row as an administrator edited it: it counts as a revision, so
    a manager who opened the same form earlier is told it changed."""
    if row.pk is not None:
        row.revision += 1
    row.updated_by = user
    row.save()
