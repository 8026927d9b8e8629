"""Answers as CSV: reading a file of answers gathered elsewhere, writing exports.

A file of answers is UTF-8 (a byte-order mark is tolerated) with a header naming
at least ``respondent,vision,meaning,contribution``; other columns (an export's
judgements, say) are ignored, so an export can be imported again. Reading checks
the whole file and reports every bad line before anything is used; no cell, read
or ignored, may hold a control character (PostgreSQL refuses NUL, and the file is
kept whole between its preview and its import).

Writing neutralises spreadsheet formulas. A spreadsheet may split a cell at any
separator its locale uses (``,``, ``;`` or a tab) and at a line break, so every
piece that could be split off, the cell's start included, gets a leading
apostrophe when it begins (after spaces) with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return: ``fine;=1+2`` is written ``fine;'=1+2``, shown as text
whichever separator the spreadsheet reads the file with.
"""

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from assessments.limits import MAX_ANSWER_LENGTH, has_control_characters

REQUIRED_COLUMNS = ("respondent", "vision", "meaning", "contribution")
ANSWER_COLUMNS = REQUIRED_COLUMNS[1:]
MAX_RESPONDENT_LENGTH = 200
# A zero-width match where a piece a spreadsheet could split off starts (the
# cell's start, or just after a separator or line break) and runs a formula.
_FORMULA_PIECE = re.compile(r"(?:\A|(?<=[,;\t\r\n]))(?= *[=+\-@\t\r])")


@dataclass(frozen=True)
class AnswerRow:
    line: int
    respondent: str
    vision: str
    meaning: str
    contribution: str


class AnswersFileError(Exception):
    """A file of answers that cannot be used; ``problems`` has one message a line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def read_answers(data: bytes, name: str) -> list[AnswerRow]:
    """Parse and check a whole file of answers, or raise with every problem."""
    text = _decode(data, name)
    if not text.strip():
        raise AnswersFileError([f"{name}: the file is empty."])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except csv.Error as error:
        raise AnswersFileError([f"{name} line 1: {error}."]) from None
    if any(has_control_characters(column) for column in header):
        raise AnswersFileError(
            [f"{name} line 1: the header contains control characters."]
        )
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise AnswersFileError(
            [
                f"{name} line 1: missing column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}; the header must name "
                f"{','.join(REQUIRED_COLUMNS)}."
            ]
        )
    positions = {column: header.index(column) for column in REQUIRED_COLUMNS}
    read_positions = set(positions.values())
    rows: list[AnswerRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    try:
        for fields in reader:
            line = reader.line_num
            if not any(field.strip() for field in fields):
                continue
            if len(fields) < len(header):
                problems.append(
                    f"{name} line {line}: {len(fields)} values where the header has "
                    f"{len(header)}."
                )
                continue
            values = {column: fields[i].strip() for column, i in positions.items()}
            line_problems = _check_row(values, seen, line)
            line_problems += [
                f"{_column_name(header, i)} contains control characters."
                for i, field in enumerate(fields)
                if i not in read_positions and has_control_characters(field)
            ]
            if line_problems:
                problems.extend(f"{name} line {line}: {p}" for p in line_problems)
                continue
            seen[values["respondent"]] = line
            rows.append(AnswerRow(line=line, **values))
    except csv.Error as error:
        problems.append(f"{name} line {reader.line_num}: {error}.")
    if problems:
        raise AnswersFileError(problems)
    if not rows:
        raise AnswersFileError([f"{name}: the file has a header but no answers."])
    return rows


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise AnswersFileError(
            [f"{name} line {line}: not UTF-8 text; save the file as UTF-8 CSV."]
        ) from None


def _check_row(values: dict[str, str], seen: dict[str, int], line: int) -> list[str]:
    problems = []
    respondent = values["respondent"]
    if not respondent:
        problems.append("the respondent is blank.")
    elif len(respondent) > MAX_RESPONDENT_LENGTH:
        problems.append(f"the respondent is over {MAX_RESPONDENT_LENGTH} characters.")
    elif has_control_characters(respondent):
        problems.append("the respondent contains control characters.")
    elif respondent in seen:
        problems.append(
            f"respondent {respondent!r} already appears on line {seen[respondent]}."
        )
    for column in ANSWER_COLUMNS:
        value = values[column]
        if len(value) > MAX_ANSWER_LENGTH:
            problems.append(
                f"{column} is {len(value)} characters; the most is {MAX_ANSWER_LENGTH}."
            )
        if has_control_characters(value):
            problems.append(f"{column} contains control characters.")
    return problems


def _column_name(header: list[str], position: int) -> str:
    """A column the import does not read, as the header names it."""
    if position < len(header) and header[position]:
        return f"column {header[position]!r}"
    return f"column {position + 1}"


def spreadsheet_safe(value: object) -> str:
    """A cell value that a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return _FORMULA_PIECE.sub("'", text)


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """Encode rows as CSV text one line at a time, for streaming in constant memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in itertools.chain([header], rows):
        writer.writerow([spreadsheet_safe(value) for value in values])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
