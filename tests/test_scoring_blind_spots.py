"""The manager's prediction against the team's result: gaps, sentences, flags and
the prediction error over rounds."""

import pytest

from assessments.catalogue import ALIGNMENT_KEYS
from assessments.scoring import (
    Outcome,
    Prediction,
    PredictionError,
    blind_spots,
    came_closer,
    prediction_error,
)
from assessments.scoring.blind_spots import RATING_FLAG, SHARE_FLAG
from assessments.scoring.numbers import signed_points


def spot(key, prediction, outcome, keys=ALIGNMENT_KEYS):
    return next(
        s for s in blind_spots(prediction, outcome, rating_keys=keys) if s.key == key
    )


def test_the_engaged_share_gap_is_the_result_minus_the_prediction_in_points():
    found = spot("engaged", Prediction(engaged_share=80), Outcome(engaged_share=0.55))

    assert found.gap == -25
    assert found.gap_text == "-25 points"
    assert found.predicted == "80%"
    assert found.result == "55%"
    assert found.flagged
    assert found.sentence == (
        "55% of the team are engaged: 25 points fewer than the 80% you predicted."
    )


def test_a_team_more_engaged_than_predicted_reads_more():
    found = spot("engaged", Prediction(engaged_share=40), Outcome(engaged_share=0.5))

    assert found.gap == 10
    assert found.gap_text == "+10 points"
    assert not found.flagged
    assert "10 points more than the 40% you predicted" in found.sentence


def test_a_rating_gap_reads_as_a_plain_sentence():
    found = spot(
        "empowerment",
        Prediction(ratings={"empowerment": 4}),
        Outcome(team_means={"empowerment": 2.6}),
    )

    assert found.gap == pytest.approx(-1.4)
    assert found.gap_text == "-1.4"
    assert found.result == "2.6"
    assert found.flagged
    assert found.sentence == (
        "The team rated Empowerment 1.4 points lower than you predicted."
    )


def test_a_prediction_met_exactly_says_so():
    found = spot(
        "goals", Prediction(ratings={"goals": 3}), Outcome(team_means={"goals": 3.04})
    )

    assert found.gap == 0
    assert found.gap_text == "0.0"
    assert found.sentence == "The team rated Goals as you predicted."
    assert not found.flagged


@pytest.mark.parametrize(
    ("predicted", "share", "flagged"),
    [
        (50, 0.649, True),  # 14.9 points, written (and flagged) as 15
        (50, 0.64, False),
        (50, 0.65, True),
        (50, 0.35, True),
        (50, 0.36, False),
    ],
)
def test_the_share_is_flagged_from_fifteen_points_either_way(predicted, share, flagged):
    found = spot("engaged", Prediction(engaged_share=predicted), Outcome(share))

    assert found.flagged is flagged
    assert SHARE_FLAG == 15


@pytest.mark.parametrize(
    ("predicted", "mean", "flagged"),
    [
        (4, 3.0, True),
        (4, 3.05, True),
        (4, 3.06, False),
        (2, 3.0, True),
        (2, 2.9, False),
    ],
)
def test_a_rating_is_flagged_from_one_point_once_rounded(predicted, mean, flagged):
    found = spot(
        "goals",
        Prediction(ratings={"goals": predicted}),
        Outcome(team_means={"goals": mean}),
    )

    assert found.flagged is flagged
    assert RATING_FLAG == 1.0


def test_an_item_not_predicted_or_not_shown_has_no_gap():
    spots = blind_spots(
        Prediction(engaged_share=None, ratings={"goals": 4, "hiring": None}),
        Outcome(engaged_share=0.6, team_means={"hiring": 3.0}),
        rating_keys=("goals", "hiring"),
    )

    assert [(s.key, s.gap, s.sentence) for s in spots] == [
        ("engaged", None, ""),
        ("goals", None, ""),
        ("hiring", None, ""),
    ]
    assert [s.predicted for s in spots] == ["", "4", ""]
    assert [s.result for s in spots] == ["60%", "", "3.0"]


def test_only_the_rating_keys_asked_are_compared():
    spots = blind_spots(
        Prediction(engaged_share=50, ratings={"goals": 4}),
        Outcome(engaged_share=0.5, team_means={"goals": 2.0}),
    )

    assert [s.key for s in spots] == ["engaged"]


@pytest.mark.parametrize("share", [-1, 101])
def test_a_share_outside_0_to_100_is_refused(share):
    with pytest.raises(ValueError, match="0 to 100"):
        Prediction(engaged_share=share)


@pytest.mark.parametrize("rating", [0, 6])
def test_a_rating_outside_1_to_5_is_refused(rating):
    with pytest.raises(ValueError, match="1 to 5"):
        Prediction(ratings={"goals": rating})


def test_the_prediction_error_is_the_mean_absolute_gap_by_kind():
    spots = blind_spots(
        Prediction(engaged_share=70, ratings={"goals": 4, "hiring": 2, "training": 3}),
        Outcome(
            engaged_share=0.5,
            team_means={"goals": 3.0, "hiring": 2.5, "training": None},
        ),
        rating_keys=ALIGNMENT_KEYS,
    )

    assert prediction_error(spots) == PredictionError(engaged_share=20, ratings=0.8)


def test_no_gap_gives_no_error():
    spots = blind_spots(Prediction(engaged_share=70), Outcome(), rating_keys=())

    assert prediction_error(spots) == PredictionError(None, None)


@pytest.mark.parametrize(
    ("errors", "closer"),
    [
        ([20, 10], True),
        ([10, 20], False),
        ([10, 10], False),
        ([30, None, 12, None], True),
        ([None, 5], None),
        ([], None),
    ],
)
def test_predictions_came_closer_compares_the_last_two_known_errors(errors, closer):
    assert came_closer(errors) is closer


@pytest.mark.parametrize(
    ("value", "written"), [(12.5, "+13"), (-12.5, "-13"), (0.4, "0"), (-0.4, "0")]
)
def test_points_are_whole_with_halves_away_from_zero(value, written):
    assert signed_points(value) == written
