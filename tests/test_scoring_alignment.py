"""Step 3: scoring the five alignment ratings, evidence and perception gaps."""

import pytest

from assessments.catalogue import ALIGNMENT_KEYS
from assessments.scoring import AlignmentAnswer, AlignmentInput, assess_alignment

EVIDENCE = "Targets reviewed against the vision every quarter."


def all_rated(rating=5, evidence=EVIDENCE, **changes):
    """Every question rated the same, with ``changes`` replacing single answers."""
    answers = {key: AlignmentAnswer(key, rating, evidence) for key in ALIGNMENT_KEYS}
    answers.update(changes)
    return AlignmentInput(tuple(answers.values()))


def goals_row(answer):
    return assess_alignment(all_rated(goals=answer)).rows[0]


@pytest.mark.parametrize(
    ("rating", "evidence", "counted", "score"),
    [
        (5, EVIDENCE, 5, 1.0),
        (4, EVIDENCE, 4, 0.75),
        (3, EVIDENCE, 3, 0.5),
        (1, EVIDENCE, 1, 0.0),
        (5, "", 4, 0.75),
        (4, "", 3, 0.5),
        (3, "", 3, 0.5),
        (5, "n/a", 4, 0.75),
        (None, EVIDENCE, None, 0.0),
    ],
)
def test_question_score_follows_the_rating_and_high_ratings_need_evidence(
    rating, evidence, counted, score
):
    row = goals_row(AlignmentAnswer("goals", rating, evidence))
    assert (row.counted_rating, row.score) == (counted, score)


def test_high_rating_without_evidence_says_it_counts_lower():
    row = goals_row(AlignmentAnswer("goals", 5, "  "))
    assert row.notes == ("rated 5 with no evidence, so counted as 4",)


def test_step_is_ready_when_every_question_is_rated_four_or_more_with_evidence():
    result = assess_alignment(all_rated(4))
    assert result.ready
    assert result.score == 0.75


@pytest.mark.parametrize(
    "answer",
    [
        AlignmentAnswer("training", 3, EVIDENCE),
        AlignmentAnswer("training", 5, ""),
        AlignmentAnswer("training", None, EVIDENCE),
    ],
)
def test_step_is_not_ready_while_any_question_falls_short(answer):
    result = assess_alignment(all_rated(training=answer))
    assert not result.ready
    assert [row.key for row in result.rows if not row.ready] == ["training"]


def test_rows_follow_the_catalogue_and_missing_questions_are_unrated():
    result = assess_alignment(AlignmentInput((AlignmentAnswer("reinforcement", 5),)))
    assert [row.key for row in result.rows] == list(ALIGNMENT_KEYS)
    assert [row.rating for row in result.rows] == [None, None, None, None, 5]
    assert result.rows[0].notes == ("not rated yet",)
    assert result.rows[0].question.startswith("Do you set business goals")


@pytest.mark.parametrize(
    ("rating", "team_mean", "team_count", "gap", "flagged"),
    [
        (5, 3.4, 5, -1.6, True),
        (4, 2.5, 3, -1.5, True),
        (4, 2.6, 3, -1.4, False),
        (2, 4.0, 6, 2.0, True),
        (2, 3.45, 6, 1.45, True),  # written as 1.5, so flagged as 1.5 is
        (4, 4.0, 6, 0.0, False),
        (4, 1.0, 0, None, False),
        (4, None, 0, None, False),
        (None, 2.0, 4, None, False),
    ],
)
def test_perception_gap_is_team_minus_manager_and_flagged_from_one_and_a_half(
    rating, team_mean, team_count, gap, flagged
):
    row = goals_row(AlignmentAnswer("goals", rating, EVIDENCE, team_mean, team_count))
    assert row.gap == (None if gap is None else pytest.approx(gap))
    assert row.gap_flagged is flagged


@pytest.mark.parametrize(
    ("rating", "team_mean", "team_count", "note"),
    [
        (
            5,
            3.0,
            4,
            "the team rates it 3.0 on average (4 people), 2.0 points below your rating",
        ),
        (
            3,
            3.25,
            4,
            "the team rates it 3.3 on average (4 people), 0.3 points above your rating",
        ),
        (
            4,
            3.0,
            1,
            "the team rates it 3.0 on average (1 person), 1.0 point below your rating",
        ),
        (
            4,
            4.04,
            5,
            "the team rates it 4.0 on average (5 people), the same as your rating",
        ),
    ],
)
def test_gap_note_says_which_way_the_team_differs_rounded_as_the_table_is(
    rating, team_mean, team_count, note
):
    row = goals_row(AlignmentAnswer("goals", rating, EVIDENCE, team_mean, team_count))
    assert row.notes[-1] == note


def test_flagged_rows_are_listed_and_do_not_change_readiness():
    result = assess_alignment(
        all_rated(empowerment=AlignmentAnswer("empowerment", 5, EVIDENCE, 2.0, 8))
    )
    assert [row.key for row in result.flagged] == ["empowerment"]
    assert result.ready


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused(rating):
    with pytest.raises(ValueError, match=f"A rating must be 1 to 5, not {rating}."):
        AlignmentAnswer("goals", rating)
