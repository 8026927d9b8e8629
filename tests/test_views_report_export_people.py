"""The answers' CSV: each person's columns, and the alignment ratings: the
manager's on every row, the team's per person in named rounds only."""

import csv
import io

import pytest
from django.urls import reverse

from assessments import reports
from assessments.catalogue import ALIGNMENT_KEYS
from tests.factories import (
    AlignmentRatingFactory,
    AssessmentFactory,
    QuestionFactory,
    VisionFactory,
)
from tests.samples import ENGAGED, LOST, TEAM_VISION
from tests.samples import submit as answer

pytestmark = pytest.mark.django_db


def exported(client, assessment) -> list[dict]:
    response = client.get(reverse("assessments:answers_export", args=(assessment.pk,)))
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def rated_round(team, *, anonymous: bool):
    assessment = AssessmentFactory(
        team=team,
        anonymous=anonymous,
        team_rates_alignment=True,
        min_group_for_scores=1 if not anonymous else 3,
        min_group_for_verbatims=1 if not anonymous else 5,
    )
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    for key, rating in (("goals", 4), ("hiring", 2)):
        AlignmentRatingFactory(
            assessment=assessment, question=QuestionFactory(key=key), rating=rating
        )
    return assessment


def test_the_header_names_each_alignment_rating_of_the_manager_and_the_team():
    header = reports.EXPORT_HEADER
    manager = [f"{key}_manager_rating" for key in ALIGNMENT_KEYS]
    team = [f"{key}_team_rating" for key in ALIGNMENT_KEYS]
    assert list(header[-2 * len(ALIGNMENT_KEYS) :]) == manager + team


def test_a_named_rounds_export_has_each_persons_verdicts_and_ratings(
    manager_client, team
):
    assessment = rated_round(team, anonymous=False)
    answer(assessment, ENGAGED, name="Ann Abbott", ratings={"goals": 5, "hiring": 3})
    answer(assessment, LOST, name="Bea Brown", ratings={"goals": None, "hiring": 1})

    rows = {row["respondent"]: row for row in exported(manager_client, assessment)}

    ann, bea = rows["Ann Abbott"], rows["Bea Brown"]
    assert (ann["engaged"], bea["engaged"]) == ("True", "False")
    assert (ann["vision_clear"], bea["vision_clear"]) == ("True", "False")
    assert (ann["goals_team_rating"], ann["hiring_team_rating"]) == ("5", "3")
    assert (bea["goals_team_rating"], bea["hiring_team_rating"]) == ("", "1")
    for row in (ann, bea):
        assert (row["goals_manager_rating"], row["hiring_manager_rating"]) == (
            "4",
            "2",
        )
        assert row["training_manager_rating"] == ""


def test_an_anonymous_rounds_export_never_rates_per_person(manager_client, team):
    assessment = rated_round(team, anonymous=True)
    for n in range(5):
        answer(assessment, ENGAGED, ratings={"goals": 1 + n % 5, "hiring": 5})

    rows = exported(manager_client, assessment)

    assert len(rows) == 5
    for row in rows:
        assert row["respondent"].startswith("r-")
        assert {row[f"{key}_team_rating"] for key in ALIGNMENT_KEYS} == {""}
        assert row["goals_manager_rating"] == "4"


def test_a_named_persons_name_cannot_run_as_a_formula(manager_client, team):
    assessment = rated_round(team, anonymous=False)
    answer(assessment, ENGAGED, name="=HYPERLINK(1)")

    [row] = exported(manager_client, assessment)

    assert row["respondent"] == "'=HYPERLINK(1)"
