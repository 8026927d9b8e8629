"""Scoring answers gathered elsewhere from the command line."""

import csv
import dataclasses
import io
import json
import re
from io import StringIO
from types import MappingProxyType

import pytest
from django.core.management import CommandError, call_command

from assessments import scoring
from assessments.management.commands import score_engagement as command
from tests.test_settings import run_manage

VISION = "We fix each problem on the first contact and explain it in plain words."
ANSWERS = (
    "respondent,vision,meaning,contribution\n"
    "ann,Fix problems on first contact and explain plainly,"
    '"A wrong bill is corrected on the call, with no jargon",'
    "I read the corrected balance back to the customer\n"
    "bob,I don't know,not sure,I do my job\n"
)
ANSWER_ROWS = list(csv.DictReader(io.StringIO(ANSWERS)))


@pytest.fixture
def files(tmp_path):
    vision = tmp_path / "vision.txt"
    vision.write_text(VISION)
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS)
    return vision, answers


def score(vision, answers, *options: str) -> str:
    output = StringIO()
    call_command(
        "score_engagement",
        "--vision-file",
        str(vision),
        "--answers",
        str(answers),
        *options,
        stdout=output,
    )
    return output.getvalue()


def test_json_output_has_the_documented_shape(files):
    data = json.loads(score(*files, "--format", "json"))

    assert set(data) == {"respondents", "team"}
    ann, bob = data["respondents"]
    assert ann["respondent"] == "ann"
    assert list(ann["answers"]) == ["vision", "meaning", "contribution"]
    for answer in ann["answers"].values():
        assert set(answer) == {
            "clear",
            "consistent",
            "score",
            "reasons",
            "confidence",
            "needs_review",
            "language",
        }
        assert 0 <= answer["score"] <= 1
        assert 0.5 <= answer["confidence"] <= 1
        assert isinstance(answer["needs_review"], bool)
        assert isinstance(answer["language"], str)
        assert all(isinstance(reason, str) for reason in answer["reasons"])
    assert ann["engaged"] is True
    assert bob["engaged"] is False
    assert bob["answers"]["vision"]["clear"] is False
    assert data["team"] == {
        "respondents": 2,
        "answers_needing_review": sum(
            answer["needs_review"]
            for respondent in data["respondents"]
            for answer in respondent["answers"].values()
        ),
        "engaged": 1,
        "engaged_share": 0.5,
        "ready": False,
    }


def test_json_output_gives_each_answers_confidence_as_the_engine_judged_it(files):
    data = json.loads(score(*files, "--format", "json"))

    judged = scoring.judge_team(VISION, [scoring.Answers(**r) for r in ANSWER_ROWS])
    for respondent, shown in zip(judged, data["respondents"], strict=True):
        for key, verdict in respondent.answers.items():
            assert shown["answers"][key]["confidence"] == round(verdict.confidence, 4)
            assert shown["answers"][key]["needs_review"] is verdict.needs_review
            assert shown["answers"][key]["language"] == verdict.language


def test_answers_the_engine_is_unsure_of_are_marked_in_both_formats(files, monkeypatch):
    judge_team = command.judge_team

    def unsure_of_bobs_vision(vision, answers, **options):
        ann, bob = judge_team(vision, answers, **options)
        vision_verdict = dataclasses.replace(
            bob.answers["vision"], confidence=0.52, language="es"
        )
        answers = MappingProxyType({**bob.answers, "vision": vision_verdict})
        return all_sure(ann), dataclasses.replace(bob, answers=answers)

    monkeypatch.setattr(command, "judge_team", unsure_of_bobs_vision)

    data = json.loads(score(*files, "--format", "json"))
    text = score(*files)

    bob = data["respondents"][1]["answers"]["vision"]
    assert (bob["confidence"], bob["needs_review"], bob["language"]) == (
        0.52,
        True,
        "es",
    )
    assert data["team"]["answers_needing_review"] == 1
    assert text.splitlines()[2].split()[:3] == ["bob", "no", "*"]
    assert "1 answer needs review (marked *)" in text
    assert "*" not in text.splitlines()[1]


def all_sure(judgement):
    """``judgement`` with every answer sure."""
    answers = {
        key: dataclasses.replace(verdict, confidence=1.0)
        for key, verdict in judgement.answers.items()
    }
    return dataclasses.replace(judgement, answers=MappingProxyType(answers))


def test_table_output_is_a_readable_summary(files):
    text = score(*files)

    assert text.splitlines()[0].split() == [
        "respondent",
        "vision",
        "meaning",
        "contribution",
        "engaged",
    ]
    assert "1 of 2 respondents engaged (50%). Ready: not yet." in text
    assert "2 of the 3 respondents needed have answered" in text


def test_participation_is_not_applied_without_invitations(files):
    text = score(*files)

    assert "invited" not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "answers.csv: the file is empty."),
        (
            b"respondent,vision\nr1,v\n",
            "answers.csv line 1: missing columns meaning, contribution",
        ),
        (
            b"respondent,vision,meaning,contribution\nr1,caf\xe9,m,c\n",
            "answers.csv line 2: not UTF-8 text",
        ),
    ],
    ids=["empty", "missing-column", "bad-encoding"],
)
def test_bad_answers_file_exits_2_with_the_file_and_line(files, content, message):
    vision, answers = files
    answers.write_bytes(content)

    with pytest.raises(CommandError, match=re.escape(message)) as raised:
        score(vision, answers)

    assert raised.value.returncode == 2


def test_byte_order_mark_is_tolerated(files):
    vision, answers = files
    answers.write_bytes(b"\xef\xbb\xbf" + ANSWERS.encode())

    assert (
        json.loads(score(vision, answers, "--format", "json"))["team"]["respondents"]
        == 2
    )


def test_empty_vision_file_exits_2(files):
    vision, answers = files
    vision.write_text("  \n")

    with pytest.raises(
        CommandError, match=re.escape("vision.txt: the vision file is empty.")
    ) as raised:
        score(vision, answers)

    assert raised.value.returncode == 2


def test_missing_file_exits_2(files, tmp_path):
    vision, _ = files

    with pytest.raises(CommandError, match="cannot read the file") as raised:
        score(vision, tmp_path / "nope.csv")

    assert raised.value.returncode == 2


def test_command_line_exit_status_is_2_for_a_bad_file(files):
    vision, answers = files
    answers.write_bytes(b"")

    result = run_manage(
        "score_engagement",
        "--vision-file",
        str(vision),
        "--answers",
        str(answers),
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_SITE_URL="https://service.example.com",
    )

    assert result.returncode == 2
    assert result.stderr.strip().endswith("answers.csv: the file is empty.")


# --- Key ideas, as a round stores them -------------------------------------------

TEAM_WORDS_ANSWERS = (
    "respondent,vision,meaning,contribution\n"
    "dee,Tout réglé en un appel,Customers get their answer un appel,"
    "I solve billing questions un appel\n"
)


def test_answers_are_judged_against_the_key_ideas_given(files, tmp_path):
    vision, answers = files
    answers.write_text(TEAM_WORDS_ANSWERS)
    ideas = tmp_path / "ideas.json"
    ideas.write_text(json.dumps([{"idea": "One conversation", "words": ["un appel"]}]))

    without = json.loads(score(vision, answers, "--format", "json"))
    given = json.loads(
        score(vision, answers, "--format", "json", "--ideas", str(ideas))
    )

    assert without["respondents"][0]["answers"]["vision"]["consistent"] is False
    judged = given["respondents"][0]["answers"]["vision"]
    assert judged["consistent"] is True
    assert "names 1 of 1 key idea: “One conversation”" in judged["reasons"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "ideas.json: not JSON; give the key ideas as a JSON list."),
        ('{"idea": "x"}', "ideas.json: Key ideas are stored as a list of ideas"),
        ('[{"idea": 3}]', "ideas.json: Key ideas are stored as a list of ideas"),
        ('[{"idea": ""}]', "ideas.json: Every key idea needs its text."),
        (
            json.dumps([{"idea": f"Idea {n}", "words": []} for n in range(9)]),
            "ideas.json: Keep to 8 key ideas at most.",
        ),
    ],
    ids=["not-json", "not-a-list", "not-an-idea", "empty-idea", "too-many"],
)
def test_a_bad_ideas_file_exits_2_saying_why(files, tmp_path, content, message):
    ideas = tmp_path / "ideas.json"
    ideas.write_text(content)

    with pytest.raises(CommandError, match=re.escape(message)) as raised:
        score(*files, "--ideas", str(ideas))

    assert raised.value.returncode == 2
