"""Reading files of answers and writing exports (plain Python, no database)."""

import csv
import io

import pytest

from assessments.answers_csv import (
    AnswerRow,
    AnswersFileError,
    csv_lines,
    read_answers,
    spreadsheet_safe,
)

HEADER = "respondent,vision,meaning,contribution\n"


def problems_of(data: bytes) -> list[str]:
    with pytest.raises(AnswersFileError) as raised:
        read_answers(data, "answers.csv")
    return raised.value.problems


def test_reads_rows_in_order_with_their_line_numbers():
    rows = read_answers(
        (HEADER + 'r1,Fix it,"Own it, fully",I call back\nr2,a,b,c\n').encode(),
        "answers.csv",
    )

    assert rows == [
        AnswerRow(2, "r1", "Fix it", "Own it, fully", "I call back"),
        AnswerRow(3, "r2", "a", "b", "c"),
    ]


def test_byte_order_mark_extra_columns_and_column_order_are_tolerated():
    data = "\ufeffcontribution,engaged,respondent,meaning,vision\nc,True,r1,m,v\n"

    rows = read_answers(data.encode(), "answers.csv")

    assert rows == [AnswerRow(2, "r1", "v", "m", "c")]


def test_blank_lines_are_skipped():
    rows = read_answers((HEADER + "\n,,,\nr1,v,m,c\n").encode(), "answers.csv")

    assert [row.respondent for row in rows] == ["r1"]


def test_empty_file_is_refused():
    assert problems_of(b"") == ["answers.csv: the file is empty."]


def test_header_without_answers_is_refused():
    assert problems_of(HEADER.encode()) == [
        "answers.csv: the file has a header but no answers."
    ]


def test_missing_columns_are_named():
    assert problems_of(b"respondent,vision\nr1,v\n") == [
        "answers.csv line 1: missing columns meaning, contribution; the header must "
        "name respondent,vision,meaning,contribution."
    ]


def test_bad_encoding_names_the_line():
    data = (HEADER + "r1,v,m,c\nr2,caf").encode() + b"\xe9,m,c\n"

    assert problems_of(data) == [
        "answers.csv line 3: not UTF-8 text; save the file as UTF-8 CSV."
    ]


def test_every_bad_line_is_reported_at_once():
    data = (
        HEADER
        + "r1,v,m,c\n"
        + ",v,m,c\n"
        + "r1,v,m,c\n"
        + "r4,v\n"
        + "r5,"
        + "x" * 5001
        + ",m,c\n"
        + "r6,v,a\x00b,c\n"
        + "r7\x00,v,m,c\n"
    ).encode()

    assert problems_of(data) == [
        "answers.csv line 3: the respondent is blank.",
        "answers.csv line 4: respondent 'r1' already appears on line 2.",
        "answers.csv line 5: 2 values where the header has 4.",
        "answers.csv line 6: vision is 5001 characters; the most is 5000.",
        "answers.csv line 7: meaning contains control characters.",
        "answers.csv line 8: the respondent contains control characters.",
    ]


def test_binary_file_is_refused_not_crashed_on():
    assert problems_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")[0].startswith(
        "answers.csv line 1: not UTF-8 text"
    )


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("fine;=1+2", "fine;'=1+2"),
        ("a, -1", "a,' -1"),
        ("a\t@x", "a\t'@x"),
        ("first\n+second", "first\n'+second"),
        ("=a;=b", "'=a;'=b"),
        ("plain text", "plain text"),
        ("one, two; three", "one, two; three"),
        ("a = b", "a = b"),
        (None, ""),
        (0.75, "0.75"),
    ],
)
def test_spreadsheet_formulas_are_neutralised(value, safe):
    assert spreadsheet_safe(value) == safe


def test_csv_lines_stream_one_line_at_a_time():
    lines = csv_lines(["a", "b"], iter([["1", "=x"], ["2, two", None]]))

    assert next(lines) == "a,b\r\n"
    assert list(lines) == ["1,'=x\r\n", '"2, two",\r\n']


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NASTY = [
    "fine;=1+2",
    "fine,=1+2",
    "ok;  +SUM(A1)",
    "tab\t-2",
    "a;\t=1",
    'first line\n=HYPERLINK("http://x")',
    "windows\r\n@cmd",
    "=plain formula",
]


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_no_cell_runs_as_a_formula_whichever_separator_a_spreadsheet_reads(
    separator,
):
    text = "".join(csv_lines(["answer"], [[value] for value in NASTY]))
    # A spreadsheet may read the whole file, or a pasted line on its own.
    sources = [text, *text.splitlines()]

    cells = [
        cell
        for source in sources
        for row in csv.reader(io.StringIO(source, newline=""), delimiter=separator)
        for cell in row
    ]

    assert [cell for cell in cells if cell.lstrip(" ").startswith(FORMULA_STARTS)] == []
