"""The manager's own answers to the four steps: vision, alignment ratings,
commitment and its action plan. Each write refreshes the round's stored
readiness, so step pages and dashboards show the verdict the report would, and
each edit of a stored row is saved only over the revision its form was opened at
(``models.Revised``)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assessments import scoring
from assessments.models import (
    STALE_REVISION,
    ActionItem,
    AlignmentRating,
    Assessment,
    Commitment,
    Question,
    Response,
    Vision,
    validate_key_ideas,
)
from assessments.services.judging import readiness_refresh
from assessments.services.reassessment import reassessment_schedule
from assessments.services.upkeep import assessment_rescore_request


@transaction.atomic
def vision_update(
    *, vision: Vision, revision: int, statement: str, has_vision: bool | None, user
) -> None:
    """Save the vision and the moment-of-truth answer, unless changed meanwhile;
    answers judged against another statement are then judged again."""
    judged_against = vision.statement
    vision.save_revision(
        revision=revision,
        user=user,
        values={"statement": statement, "has_vision": has_vision},
    )
    readiness_refresh(assessment_id=vision.assessment_id)
    _rescore_if_restated(vision, judged_against)


def _rescore_if_restated(vision: Vision, judged_against: str) -> None:
    """Answers are judged against the vision's statement: a new one needs them
    all judged again, by a worker."""
    if vision.statement != judged_against:
        _rescore_answered(vision)


def _rescore_answered(vision: Vision) -> bool:
    """Ask for a round's answers, if any, to be judged again; whether it asked."""
    if not Response.objects.filter(assessment_id=vision.assessment_id).exists():
        return False
    assessment_rescore_request(assessment_id=vision.assessment_id)
    return True


def key_ideas_tidy(ideas: Sequence[scoring.KeyIdea]) -> tuple[scoring.KeyIdea, ...]:
    """The ideas with their spacing made plain and repeats dropped: a word given
    twice for one idea, and an idea given twice, whose words join the first."""
    tidy: dict[str, tuple[str, list[str]]] = {}
    for item in ideas:
        text = " ".join(item.idea.split())
        _, words = tidy.setdefault(text.casefold(), (text, []))
        for word in (" ".join(w.split()) for w in item.words):
            if word and word.casefold() not in {w.casefold() for w in words}:
                words.append(word)
    return tuple(scoring.KeyIdea(text, tuple(words)) for text, words in tidy.values())


@transaction.atomic
def key_ideas_confirm(
    *, vision: Vision, revision: int, ideas: Sequence[scoring.KeyIdea], user
) -> bool:
    """Save the key ideas the manager confirms for the statement as it stands
    (none: the engine's own reading of it), unless the vision changed since
    ``revision``; answers judged with other ideas are then judged again.
    Returns whether the answers are to be judged again."""
    data = scoring.ideas_as_data(key_ideas_tidy(ideas))
    validate_key_ideas(data)
    judged_with = vision.key_ideas
    vision.save_revision(
        revision=revision,
        user=user,
        values={
            "key_ideas": data,
            "key_ideas_vision": vision.statement if data else "",
        },
    )
    return vision.key_ideas != judged_with and _rescore_answered(vision)


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
            current.save_revision(revision=item.revision, user=user, values=values)
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
    readiness_refresh(assessment_id=assessment.pk)


@transaction.atomic
def commitment_update(*, commitment: Commitment, revision: int, user, **values) -> None:
    """Save the commitment evidence, unless someone changed it meanwhile; a new
    re-assessment date has its reminder scheduled."""
    previous_date = _stored_reassess_on(commitment)
    commitment.save_revision(revision=revision, user=user, values=values)
    reassessment_schedule(commitment=commitment, previous_date=previous_date)
    readiness_refresh(assessment_id=commitment.assessment_id)


def _stored_reassess_on(commitment: Commitment):
    """The stored re-assessment date: the instance may hold a form's input."""
    if commitment.pk is None:
        return None
    return (
        Commitment.objects.filter(pk=commitment.pk)
        .values_list("reassess_on", flat=True)
        .first()
    )


@transaction.atomic
def action_create(*, action: ActionItem) -> ActionItem:
    """Add an unsaved action, validated by its form, to its round's plan."""
    action.save()
    readiness_refresh(assessment_id=action.assessment_id)
    return action


@transaction.atomic
def action_update(
    *, action: ActionItem, revision: int, user, values: dict
) -> ActionItem:
    """Save an action's title, owner or dates (validated by its form), unless
    someone changed it since ``revision``."""
    action.save_revision(revision=revision, user=user, values=values)
    readiness_refresh(assessment_id=action.assessment_id)
    return action


@transaction.atomic
def action_delete(*, action: ActionItem, revision: int) -> None:
    """Remove an action from its round's plan, unless someone changed it since
    ``revision``: a form opened before their change would discard it unseen."""
    deleted, _ = ActionItem.objects.filter(pk=action.pk, revision=revision).delete()
    if not deleted and ActionItem.objects.filter(pk=action.pk).exists():
        raise ValidationError(STALE_REVISION, code="stale")
    readiness_refresh(assessment_id=action.assessment_id)


@transaction.atomic
def step_row_revise(
    *,
    row: Vision | AlignmentRating | Commitment | ActionItem,
    revision: int,
    values: dict,
    user,
) -> None:
    """Save an administrator's edit of a step row as ``user``'s revision after
    ``revision`` (or add the row, if it is new), unless someone saved since."""
    judged_against = row.statement if isinstance(row, Vision) and row.pk else ""
    if isinstance(row, Commitment):
        previous_date = _stored_reassess_on(row)
    if row.pk is None:
        row.updated_by = user
        row.save()
    else:
        row.save_revision(revision=revision, user=user, values=values)
    if isinstance(row, Commitment):
        reassessment_schedule(commitment=row, previous_date=previous_date)
    readiness_refresh(assessment_id=row.assessment_id)
    if isinstance(row, Vision):
        _rescore_if_restated(row, judged_against)
