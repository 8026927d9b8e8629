"""Actions on selected rounds call the services: score again, close, open, export
their answers as CSV, import into one."""

import csv
import io
from http import HTTPStatus

import pytest

from assessments import models
from tests import factories
from tests.admin_pages import admin_url, messages_of, run_action
from tests.samples import ENGAGED, LOST
from tests.samples import TEAM_VISION as VISION
from tests.samples import submit as answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_with_vision(assessment):
    factories.VisionFactory(assessment=assessment, statement=VISION)
    return assessment


def test_rescore_action_judges_every_answer_again_and_stores_readiness(
    admin_client, round_with_vision
):
    for _ in range(3):
        answer(round_with_vision, ENGAGED)
    models.AnswerJudgement.objects.update(clear=False, engine_version="old")
    models.StepResult.objects.all().delete()

    response = run_action(admin_client, "recompute_scores", [round_with_vision])

    assert response.status_code == HTTPStatus.FOUND
    assert messages_of(response) == [
        "Scored 1 round again (3 answers); readiness is up to date."
    ]
    assert not models.AnswerJudgement.objects.filter(engine_version="old").exists()
    assert dict(
        models.StepResult.objects.filter(assessment=round_with_vision).values_list(
            "step__key", "status"
        )
    ) == {
        "vision": "ready",
        "engagement": "ready",
        "alignment": "not_yet",
        "commitment": "blocked",
    }


def test_rescore_action_queues_the_rounds_for_a_worker(
    admin_client, round_with_vision, team, task_queue
):
    other = factories.AssessmentFactory(team=team)
    answer(round_with_vision, ENGAGED)

    response = run_action(admin_client, "recompute_scores", [round_with_vision, other])

    assert messages_of(response) == [
        "Asked for 2 rounds to be scored again: a worker scores them, and each "
        "round's report shows how far it has got."
    ]
    assert sorted(kwargs["assessment_id"] for _, kwargs in task_queue.queued()) == [
        round_with_vision.pk,
        other.pk,
    ]
    assert task_queue.run() == ["rescore_round", "rescore_round"]
    round_with_vision.refresh_from_db()
    assert round_with_vision.team_profile_size == 1


def test_close_action_closes_open_rounds_and_names_the_drafts_it_skipped(
    admin_client, team
):
    open_round = factories.AssessmentFactory(team=team, title="Open one")
    draft = factories.AssessmentFactory(team=team, title="Draft one", draft=True)
    closed = factories.AssessmentFactory(team=team, title="Closed one", closed=True)

    response = run_action(admin_client, "close_rounds", [open_round, draft, closed])

    assert messages_of(response) == [
        "Closed 1 round.",
        "Not closed, never opened: Draft one.",
    ]
    open_round.refresh_from_db()
    draft.refresh_from_db()
    assert open_round.status == models.Assessment.Status.CLOSED
    assert open_round.closed_at is not None
    assert draft.status == models.Assessment.Status.DRAFT


def test_open_action_opens_drafts_only(admin_client, team):
    draft = factories.AssessmentFactory(team=team, title="Draft one", draft=True)
    open_round = factories.AssessmentFactory(team=team, title="Open one")

    response = run_action(admin_client, "open_rounds", [draft, open_round])

    assert messages_of(response) == [
        "Opened 1 round.",
        "Not opened, already open or closed: Open one.",
    ]
    draft.refresh_from_db()
    assert draft.status == models.Assessment.Status.OPEN


def exported_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_export_action_streams_the_answers_of_several_rounds(admin_client, team):
    # Named rounds, which the admin exports whatever their size.
    first = factories.AssessmentFactory(team=team, anonymous=False)
    second = factories.AssessmentFactory(team=team, anonymous=False)
    for assessment, count in ((first, 2), (second, 3)):
        factories.VisionFactory(assessment=assessment, statement=VISION)
        for _ in range(count):
            answer(assessment, ENGAGED)

    response = run_action(admin_client, "export_answers", [first, second])

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="servicecult-answers-'
    )
    rows = exported_rows(response)
    assert list(rows[0])[:6] == [
        "assessment",
        "respondent",
        "vision",
        "meaning",
        "contribution",
        "engaged",
    ]
    assert [row["assessment"] for row in rows] == [str(first.pk)] * 2 + [
        str(second.pk)
    ] * 3
    assert {row["vision_clear"] for row in rows} == {"True"}


def test_export_action_writes_formulas_as_text(admin_client, round_with_vision):
    for _ in range(3):
        answer(round_with_vision, LOST)
    answer(round_with_vision, {**LOST, "vision": '=HYPERLINK("http://evil")'})
    answer(round_with_vision, {**LOST, "meaning": "@SUM(A1:A9)"})

    rows = exported_rows(
        run_action(admin_client, "export_answers", [round_with_vision])
    )

    cells = {cell for row in rows for cell in row.values()}
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "'@SUM(A1:A9)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_import_action_opens_the_import_page_for_one_round(admin_client, team):
    first = factories.AssessmentFactory(team=team)
    second = factories.AssessmentFactory(team=team)

    one = run_action(admin_client, "import_answers", [first])
    two = run_action(admin_client, "import_answers", [first, second])

    assert one["Location"] == admin_url(models.Assessment, "import", first.pk)
    assert messages_of(two) == ["Choose exactly one round to import answers into."]
