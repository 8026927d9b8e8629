"""The manager's prediction of a round, made blind: before any of its answers
have shown (``privacy.answers_shown``), and saved only over the revision its
form was opened at (``models.Revised``)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assessments import privacy
from assessments.models import (
    STALE_REVISION,
    TEAM_RATING_FIELDS,
    Assessment,
    RoundPrediction,
)

PREDICTION_TOO_LATE = (
    "The team's first answers are already in, so a prediction now would not be "
    "blind: predict the next round before it opens."
)
PREDICTION_ROUND_CLOSED = "This round is closed: predict the next round instead."
PREDICTION_FIELDS = ("engaged_share", *TEAM_RATING_FIELDS)


@transaction.atomic
def prediction_save(
    *, assessment: Assessment, revision: int, values: dict, user
) -> RoundPrediction:
    """Save the manager's prediction (``values`` by field name, any not given
    kept as stored) as ``user``'s, unless answers have shown already or someone
    saved since ``revision`` (0: there was no prediction when the form opened).
    """
    # Locked like a release locks it, so no release slips in between the check
    # and the save: the prediction saved is one made before any answer showed.
    assessment = Assessment.objects.select_for_update(no_key=True).get(pk=assessment.pk)
    if assessment.status == Assessment.Status.CLOSED:
        raise ValidationError(PREDICTION_ROUND_CLOSED, code="prediction_closed")
    if privacy.answers_shown(assessment):
        raise ValidationError(PREDICTION_TOO_LATE, code="prediction_too_late")
    unknown = set(values) - set(PREDICTION_FIELDS)
    if unknown:
        raise ValueError(f"Not a prediction's field: {', '.join(sorted(unknown))}.")
    stored = RoundPrediction.objects.filter(assessment=assessment).first()
    if stored is None:
        if revision:  # read when there was one: it has been deleted since
            raise ValidationError(STALE_REVISION, code="stale")
        prediction = RoundPrediction(assessment=assessment, updated_by=user, **values)
        prediction.full_clean()
        try:
            with transaction.atomic():
                prediction.save()
        except IntegrityError:  # another manager predicted first
            raise ValidationError(STALE_REVISION, code="stale") from None
        return prediction
    # Validated whole, as it will be stored, before the conditional UPDATE.
    merged = RoundPrediction(
        assessment=assessment,
        **{name: getattr(stored, name) for name in PREDICTION_FIELDS} | values,
    )
    merged.full_clean(exclude=["assessment"], validate_unique=False)
    stored.save_revision(revision=revision, user=user, values=values)
    return stored
