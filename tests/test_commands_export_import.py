"""Moving a round's answers out and in from the command line: export_answers and
import_answers, their round trip, bad files, formulas and memory."""

import csv
import io
import re
import tracemalloc
from datetime import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments import reports, tokens
from assessments.models import AnswerJudgement, Response
from tests.factories import AssessmentFactory, InvitationFactory, VisionFactory
from tests.samples import ANSWERS_CSV as ANSWERS
from tests.samples import VISION
from tests.test_settings import run_manage

pytestmark = pytest.mark.django_db

MEMORY_BOUND = 8 * 2**20


@pytest.fixture
def round_(assessment):
    VisionFactory(assessment=assessment, statement=VISION)
    return assessment


@pytest.fixture
def named_round(team):
    """A round whose answers may be read from three people on."""
    assessment = AssessmentFactory(
        team=team, anonymous=False, min_group_for_scores=1, min_group_for_verbatims=1
    )
    VisionFactory(assessment=assessment, statement=VISION)
    return assessment


@pytest.fixture
def answers_file(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS)
    return path


def export(assessment, *options: str) -> str:
    output = StringIO()
    call_command("export_answers", str(assessment.pk), *options, stdout=output)
    return output.getvalue()


def import_(assessment, path, *options: str) -> str:
    output = StringIO()
    call_command(
        "import_answers", str(assessment.pk), str(path), *options, stdout=output
    )
    return output.getvalue()


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- Exporting ------------------------------------------------------------------------


def test_export_writes_one_row_per_response_to_standard_output(
    named_round, answers_file
):
    import_(named_round, answers_file)

    text = export(named_round)

    assert text.splitlines()[0].split(",") == list(reports.EXPORT_HEADER)
    rows = rows_of(text)
    assert len(rows) == 3
    assert sorted(row["engaged"] for row in rows) == ["False", "True", "True"]
    assert all(row["respondent"].startswith("r-") for row in rows)
    assert {row["vision_reasons"] != "" for row in rows} == {True}


def test_export_names_respondents_of_named_rounds(team):
    named = AssessmentFactory(team=team, anonymous=False)
    invitation = InvitationFactory(assessment=named, name="Sam Lee")
    Response.objects.create(
        assessment=named,
        invitation=invitation,
        respondent_key=tokens.respondent_key(invitation.token),
        vision_answer="Fix it first time.",
        release=0,  # a named round's answers are shown as they come
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )

    assert [row["respondent"] for row in rows_of(export(named))] == ["Sam Lee"]


def test_export_to_a_file_says_how_many_it_wrote(named_round, answers_file, tmp_path):
    import_(named_round, answers_file)
    target = tmp_path / "out.csv"
    errors = StringIO()

    call_command(
        "export_answers", str(named_round.pk), "--output", str(target), stderr=errors
    )

    assert errors.getvalue().strip() == (
        f"Wrote 3 answers of {named_round} to {target}."
    )
    assert len(rows_of(target.read_text(encoding="utf-8"))) == 3


def test_export_writes_formulas_as_text(named_round, tmp_path):
    source = tmp_path / "formulas.csv"
    source.write_text(
        "respondent,vision,meaning,contribution\n"
        'r1,"=HYPERLINK(""http://evil"")",+1+1,-2\n'
        "r2,@SUM(A1:A9),\tTabbed,fine\n"
    )
    import_(named_round, source)

    rows = rows_of(export(named_round))

    cells = {row[column] for row in rows for column in ("vision", "meaning")}
    assert cells == {
        '\'=HYPERLINK("http://evil")',
        "'+1+1",
        "'@SUM(A1:A9)",
        "Tabbed",  # leading whitespace is stripped on reading
    }
    assert {row["contribution"] for row in rows} == {"'-2", "fine"}


def test_export_neutralises_formulas_a_semicolon_locale_would_split_off(
    named_round, tmp_path
):
    source = tmp_path / "split.csv"
    source.write_text(
        'respondent,vision,meaning,contribution\nr1,fine;=1+2,"Own it, +fully",ok\n'
    )
    import_(named_round, source)

    cells = [
        cell
        for row in csv.reader(io.StringIO(export(named_round)), delimiter=";")
        for cell in row
    ]

    assert any(cell.startswith("'=1+2,") for cell in cells)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]


@pytest.mark.parametrize(
    ("withheld_reason", "said"),
    [
        ("", "Answers are quoted and exported once 5 people have answered (3 so far)."),
        ("Too close to another round.", "Too close to another round."),
    ],
    ids=["below-the-minimum-group", "withheld"],
)
def test_export_refuses_an_anonymous_round_its_managers_cannot_read(
    round_, answers_file, withheld_reason, said
):
    import_(round_, answers_file)
    round_.withheld_reason = withheld_reason
    round_.save(update_fields=("withheld_reason",))

    with pytest.raises(CommandError, match=re.escape(f"{round_}: {said}")) as raised:
        export(round_)

    assert raised.value.returncode == 2


def test_export_of_an_unknown_round_exits_2():
    with pytest.raises(
        CommandError, match=re.escape("No round has the id 999999.")
    ) as raised:
        call_command("export_answers", "999999", stdout=StringIO())

    assert raised.value.returncode == 2


def test_export_streams_10000_responses_in_bounded_memory(round_, tmp_path):
    """Chunks of plain values, never the whole round: the peak stays well under
    the file written. Measured: about 6.5 MiB for a 17 MiB file, where holding
    every row takes about 25 MiB and every response as a model instance 75 MiB."""
    now = timezone.now()
    padding = " and so on" * 50  # answers of about 500 characters
    Response.objects.bulk_create(
        (
            Response(
                assessment=round_,
                respondent_key=tokens.respondent_key(f"token {n}"),
                vision_answer=f"Vision answer {n}{padding}",
                meaning_answer=f"Meaning answer {n}{padding}",
                contribution_answer=f"Contribution answer {n}{padding}",
                engaged=True,
                release=1,
                counts_for_minimum=True,
                created_at=now,
                updated_at=now,
            )
            for n in range(10_000)
        ),
        batch_size=1000,
    )
    AnswerJudgement.objects.bulk_create(
        (
            AnswerJudgement(
                response_id=pk,
                question_key=key,
                clear=True,
                consistent=True,
                clarity=0.9,
                consistency=0.8,
                score=0.85,
                reasons=["names 4 of 5 key ideas of the vision"],
                engine_version="1",
                scored_at=now,
            )
            for pk in Response.objects.values_list("pk", flat=True)
            for key in ("vision", "meaning", "contribution")
        ),
        batch_size=1000,
    )
    target = tmp_path / "big.csv"

    tracemalloc.start()
    try:
        call_command(
            "export_answers",
            str(round_.pk),
            "--output",
            str(target),
            stderr=StringIO(),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    written = target.stat().st_size
    assert written > 2 * MEMORY_BOUND
    assert peak < MEMORY_BOUND, f"peak {peak / 2**20:.1f} MiB for {written} bytes"
    with target.open(encoding="utf-8", newline="") as file:
        assert sum(1 for _ in csv.reader(file)) == 10_001


# --- Importing ------------------------------------------------------------------------


def test_import_saves_every_answer_and_scores_the_round(round_, answers_file):
    output = import_(round_, answers_file)

    assert output.strip() == (
        f"Imported 3 answers into {round_}; the round is scored again."
    )
    responses = Response.objects.filter(assessment=round_)
    assert responses.count() == 3
    assert AnswerJudgement.objects.filter(response__assessment=round_).count() == 9
    assert sorted(responses.values_list("engaged", flat=True)) == [False, True, True]
    assert round_.step_results.count() == 4


def test_import_checks_the_file_then_queues_it_for_a_worker(
    round_, answers_file, task_queue
):
    output = import_(round_, answers_file)

    assert output.strip() == (
        f"Queued 3 answers for import into {round_}: a worker (manage.py "
        "db_worker) imports them, then scores the round again."
    )
    assert not Response.objects.exists()

    assert task_queue.run() == ["import_answers", "rescore_round"]

    assert Response.objects.filter(assessment=round_).count() == 3
    assert round_.step_results.count() == 4


def test_a_bad_file_is_refused_before_anything_is_queued(round_, tmp_path, task_queue):
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent,vision,meaning,contribution\nann,ok\n")

    with pytest.raises(CommandError) as raised:
        import_(round_, bad)

    assert raised.value.returncode == 2
    assert task_queue.queued() == []


def test_imported_answers_have_no_invitation_a_random_key_and_a_day_only(
    round_, answers_file
):
    import_(round_, answers_file)

    responses = list(Response.objects.filter(assessment=round_))
    assert all(r.invitation_id is None for r in responses)
    assert len({r.respondent_key for r in responses}) == 3
    assert all(re.fullmatch(r"[0-9a-f]{64}", r.respondent_key) for r in responses)
    stamps = {r.created_at.time() for r in responses} | {
        r.updated_at.time() for r in responses
    }
    assert stamps == {time(0, 0)}
    scored = set(
        AnswerJudgement.objects.filter(response__assessment=round_).values_list(
            "scored_at", flat=True
        )
    )
    assert {stamp.time() for stamp in scored} == {time(0, 0)}
    history = responses[0].history.get()
    assert history.history_date.time() == time(0, 0)
    assert history.history_change_reason == "Imported from answers.csv"


def test_a_named_round_keeps_exact_times_of_imported_answers(team, answers_file):
    named = AssessmentFactory(team=team, anonymous=False)
    VisionFactory(assessment=named, statement=VISION)

    import_(named, answers_file)

    assert any(
        r.created_at.time() != time(0, 0)
        for r in Response.objects.filter(assessment=named)
    )


def test_dry_run_checks_the_file_and_saves_nothing(round_, answers_file):
    output = import_(round_, answers_file, "--dry-run")

    assert output.strip() == (
        f"{answers_file}: 3 answers can be imported into {round_}; nothing was "
        "saved (dry run)."
    )
    assert not Response.objects.exists()


def test_every_bad_line_is_reported_with_exit_status_2_and_nothing_saved(
    round_, tmp_path
):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "respondent,vision,meaning,contribution\n"
        "ann,ok,ok,ok\n"
        ",blank respondent,x,y\n"
        "ann,again,x,y\n"
        "dee,only two\n"
    )

    with pytest.raises(CommandError) as raised:
        import_(round_, bad)

    assert raised.value.returncode == 2
    assert str(raised.value).splitlines() == [
        f"{bad} line 3: the respondent is blank.",
        f"{bad} line 4: respondent 'ann' already appears on line 2.",
        f"{bad} line 5: 2 values where the header has 4.",
    ]
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "{path}: the file is empty."),
        (
            b"respondent,vision,answer\nr1,v,a\n",
            "{path} line 1: missing columns meaning, contribution; the header must "
            "name respondent,vision,meaning,contribution.",
        ),
        (
            b"respondent,vision,meaning,contribution\nr1,caf\xe9,m,c\n",
            "{path} line 2: not UTF-8 text; save the file as UTF-8 CSV.",
        ),
    ],
    ids=["empty", "wrong-columns", "bad-encoding"],
)
def test_unusable_files_exit_2(round_, tmp_path, content, message):
    path = tmp_path / "answers.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as raised:
        import_(round_, path, "--dry-run")

    assert raised.value.returncode == 2
    assert str(raised.value) == message.format(path=path)


def test_a_closed_round_takes_no_import(team, answers_file):
    closed = AssessmentFactory(team=team, closed=True)

    with pytest.raises(
        CommandError,
        match=re.escape(
            "This round is closed: its answers are final, so no more can be imported."
        ),
    ) as raised:
        import_(closed, answers_file)

    assert raised.value.returncode == 2


def test_a_missing_file_exits_2(round_, tmp_path):
    with pytest.raises(CommandError, match="cannot read the file") as raised:
        import_(round_, tmp_path / "nope.csv")

    assert raised.value.returncode == 2


def test_the_process_exits_with_status_2_naming_the_bad_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent,vision\nr1,v\n")

    result = run_manage("import_answers", "1", str(bad), DJANGO_DEBUG="true")

    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"CommandError: {bad} line 1: missing columns meaning, contribution; the "
        "header must name respondent,vision,meaning,contribution."
    )


# --- The round trip -----------------------------------------------------------------


def engine_judgements(assessment) -> list[tuple]:
    """Each response's answers with the engine's judgements, in a stable order."""
    return sorted(
        (
            response.vision_answer,
            response.meaning_answer,
            response.contribution_answer,
            response.engaged,
            tuple(
                (j.question_key, j.clear, j.consistent, round(j.score, 6), *j.reasons)
                for j in response.judgements.order_by("question_key")
            ),
        )
        for response in Response.objects.filter(assessment=assessment)
    )


def test_an_export_imported_into_a_new_round_gives_identical_judgements(
    named_round, answers_file, team, tmp_path
):
    import_(named_round, answers_file)
    exported = tmp_path / "export.csv"
    call_command(
        "export_answers",
        str(named_round.pk),
        "--output",
        str(exported),
        stderr=StringIO(),
    )
    copy = AssessmentFactory(
        team=team, anonymous=False, min_group_for_scores=1, min_group_for_verbatims=1
    )
    VisionFactory(assessment=copy, statement=VISION)

    import_(copy, exported)

    assert engine_judgements(copy) == engine_judgements(named_round)
    assert exported_cells(copy) == exported_cells(named_round)


def exported_cells(assessment) -> list[list[str]]:
    """Every exported row but its respondent, whose pseudonym is new in a copy."""
    _header, *rows = csv.reader(io.StringIO(export(assessment)))
    return sorted(row[1:] for row in rows)
