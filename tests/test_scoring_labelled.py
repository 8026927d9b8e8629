"""Agreement between the engine and a human judge on invented, labelled answers.

tests/data/engagement_labelled.json holds four invented teams, each with its own
vision and twelve respondents. Every answer was labelled clear and consistent by a
person before the engine was tuned; labels are never changed to suit the engine.
"""

import json
from pathlib import Path

import pytest

from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.scoring import Answers, judge_team

DATA = Path(__file__).parent / "data" / "engagement_labelled.json"
MIN_AGREEMENT = 0.85


def load_teams():
    return json.loads(DATA.read_text(encoding="utf-8"))["teams"]


def comparisons():
    """(respondent, question, label name, human label, engine decision) for all."""
    rows = []
    for team in load_teams():
        people = team["respondents"]
        answers = [
            Answers(p["respondent"], *(p[key][0] for key in ENGAGEMENT_KEYS))
            for p in people
        ]
        for person, verdict in zip(
            people, judge_team(team["vision"], answers), strict=True
        ):
            for key in ENGAGEMENT_KEYS:
                _, clear, consistent = person[key]
                engine = verdict.answers[key]
                rows.append((person["respondent"], key, "clear", clear, engine.clear))
                rows.append(
                    (
                        person["respondent"],
                        key,
                        "consistent",
                        consistent,
                        engine.consistent,
                    )
                )
    return rows


def test_labelled_set_has_at_least_40_respondents_in_4_teams():
    teams = load_teams()
    assert len(teams) >= 4
    assert sum(len(team["respondents"]) for team in teams) >= 40


def test_labelled_set_has_both_labels_for_every_question():
    labels = {(key, name, label) for _, key, name, label, _ in comparisons()}
    for key in ENGAGEMENT_KEYS:
        for name in ("clear", "consistent"):
            assert {(key, name, True), (key, name, False)} <= labels


def test_engine_agrees_with_the_human_judge_on_at_least_85_percent(capsys):
    rows = comparisons()
    disagreements = [row for row in rows if row[3] != row[4]]
    agreement = 1 - len(disagreements) / len(rows)
    with capsys.disabled():
        print(
            f"\nlabelled agreement: {len(rows) - len(disagreements)}/{len(rows)} "
            f"= {agreement:.1%}"
        )
        for respondent, key, name, label, engine in disagreements:
            print(f"  {respondent} {key} {name}: human {label}, engine {engine}")
    assert agreement >= MIN_AGREEMENT


@pytest.mark.parametrize("name", ["clear", "consistent"])
def test_engine_agrees_on_each_kind_of_label(name):
    rows = [row for row in comparisons() if row[2] == name]
    agreed = sum(row[3] == row[4] for row in rows)
    assert agreed / len(rows) >= MIN_AGREEMENT
