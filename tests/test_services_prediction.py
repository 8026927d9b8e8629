"""Saving the manager's prediction: blind, before any answer shows, over the
revision its form was opened at."""

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import (
    PREDICTION_NEEDS_ONE,
    STALE_REVISION,
    Assessment,
    RoundPrediction,
)
from tests import factories


def save(assessment, user, revision=0, **values):
    return services.prediction_save(
        assessment=assessment, revision=revision, values=values, user=user
    )


def refusal(assessment, user, revision=0, **values):
    with pytest.raises(ValidationError) as raised:
        save(assessment, user, revision, **values)
    return raised.value.messages


def test_a_first_prediction_is_saved_with_who_made_it(assessment, manager):
    saved = save(assessment, manager, engaged_share=65, rating_goals=4)

    stored = RoundPrediction.objects.get(assessment=assessment)
    assert stored == saved
    assert (stored.engaged_share, stored.rating_goals, stored.rating_hiring) == (
        65,
        4,
        None,
    )
    assert stored.updated_by == manager
    assert stored.revision == 1
    assert stored.created_at is not None


def test_a_prediction_is_changed_over_the_revision_it_was_read_at(assessment, manager):
    save(assessment, manager, engaged_share=65)

    save(assessment, manager, revision=1, engaged_share=40, rating_hiring=2)

    stored = RoundPrediction.objects.get(assessment=assessment)
    assert (stored.engaged_share, stored.rating_hiring, stored.revision) == (40, 2, 2)
    assert stored.history.count() == 2


def test_a_save_over_an_older_revision_is_refused_and_keeps_the_other(
    assessment, manager, other_manager
):
    save(assessment, manager, engaged_share=65)
    save(assessment, other_manager, revision=1, engaged_share=30)

    assert refusal(assessment, manager, revision=1, engaged_share=90) == [
        STALE_REVISION
    ]
    assert RoundPrediction.objects.get(assessment=assessment).engaged_share == 30


def test_two_first_predictions_at_once_keep_the_first(
    assessment, manager, other_manager
):
    save(assessment, manager, engaged_share=65)

    assert refusal(assessment, other_manager, revision=0, engaged_share=20) == [
        STALE_REVISION
    ]
    assert RoundPrediction.objects.get(assessment=assessment).engaged_share == 65


def test_saving_the_same_prediction_twice_changes_nothing(assessment, manager):
    save(assessment, manager, engaged_share=65)
    save(assessment, manager, revision=1, engaged_share=65)

    assert RoundPrediction.objects.get(assessment=assessment).revision == 1


def test_a_prediction_needs_at_least_one_item(assessment, manager):
    assert refusal(assessment, manager, engaged_share=None) == [PREDICTION_NEEDS_ONE]
    assert not RoundPrediction.objects.exists()


def test_clearing_every_item_of_a_stored_prediction_is_refused(assessment, manager):
    save(assessment, manager, engaged_share=65)

    assert refusal(assessment, manager, revision=1, engaged_share=None) == [
        PREDICTION_NEEDS_ONE
    ]
    assert RoundPrediction.objects.get(assessment=assessment).engaged_share == 65


@pytest.mark.parametrize(
    "values", [{"engaged_share": 101}, {"rating_goals": 0}, {"rating_goals": 6}]
)
def test_values_out_of_range_are_refused(assessment, manager, values):
    with pytest.raises(ValidationError):
        save(assessment, manager, **values)
    assert not RoundPrediction.objects.exists()


def test_a_field_that_is_not_a_prediction_is_a_programming_error(assessment, manager):
    with pytest.raises(ValueError, match="updated_by"):
        save(assessment, manager, updated_by=None)


def test_an_anonymous_round_refuses_a_prediction_once_a_group_is_released(
    assessment, manager
):
    factories.ResponseFactory(assessment=assessment, release=1)

    assert refusal(assessment, manager, engaged_share=50) == [
        services.PREDICTION_TOO_LATE
    ]
    assert not RoundPrediction.objects.exists()


def test_an_anonymous_round_still_takes_a_prediction_while_answers_wait(
    assessment, manager
):
    factories.ResponseFactory.create_batch(2, assessment=assessment, release=None)

    save(assessment, manager, engaged_share=50)

    assert RoundPrediction.objects.filter(assessment=assessment).exists()


def test_a_named_round_refuses_a_prediction_once_someone_counted_answered(
    manager, team
):
    named = factories.AssessmentFactory(team=team, anonymous=False)
    factories.ResponseFactory(assessment=named)

    assert refusal(named, manager, engaged_share=50) == [services.PREDICTION_TOO_LATE]


def test_a_named_round_takes_a_prediction_beside_answers_that_do_not_count(
    manager, team
):
    named = factories.AssessmentFactory(team=team, anonymous=False)
    factories.ResponseFactory(assessment=named, counts_for_minimum=False)

    save(named, manager, engaged_share=50)

    assert RoundPrediction.objects.filter(assessment=named).exists()


def test_a_closed_round_refuses_a_prediction(team, manager):
    closed = factories.AssessmentFactory(team=team, closed=True)

    assert refusal(closed, manager, engaged_share=50) == [
        services.PREDICTION_ROUND_CLOSED
    ]


def test_a_draft_round_takes_a_prediction(draft_round, manager):
    save(draft_round, manager, engaged_share=80)

    assert draft_round.status == Assessment.Status.DRAFT
    assert RoundPrediction.objects.get(assessment=draft_round).engaged_share == 80
