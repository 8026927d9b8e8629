"""Scoring answers gathered elsewhere from the command line."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.test_settings import run_manage

VISION = "We fix each problem on the first contact and explain it in plain words."
ANSWERS = (
    "respondent,vision,meaning,contribution\n"
    "ann,Fix problems on first contact and explain plainly,"
    '"A wrong bill is corrected on the call, with no jargon",'
    "I read the corrected balance back to the customer\n"
    "bob,I don't know,not sure,I do my job\n"
)


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
        assert set(answer) == {"clear", "consistent", "score", "reasons"}
        assert 0 <= answer["score"] <= 1
        assert all(isinstance(reason, str) for reason in answer["reasons"])
    assert ann["engaged"] is True
    assert bob["engaged"] is False
    assert bob["answers"]["vision"]["clear"] is False
    assert data["team"] == {
        "respondents": 2,
        "engaged": 1,
        "engaged_share": 0.5,
        "ready": False,
    }


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
