"""Background work between real connections: a full scoring's progress seen
from another connection while it runs, and ``db_worker`` as a process of its own
draining the queue. Both databases (SQLite's test database is a file)."""

import threading
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessments import services
from assessments.models import (
    AnswerJudgement,
    Response,
    RoundScoring,
)
from assessments.services import judging
from tests.factories import AssessmentFactory, VisionFactory
from tests.samples import ANSWERS_CSV, ENGAGED, LOST, TEAM_VISION, VISION
from tests.samples import submit as answer
from tests.test_settings import run_manage

# The catalogue's rows are loaded afresh (``catalogue_rows``): an earlier
# transactional test's flush may have removed them.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("catalogue_rows"),
]

WAIT = 30  # seconds, at most, for the other side at each step


def database_url() -> str:
    """The test database, for a process of its own."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    credentials = quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"])
    return (
        f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def test_another_connection_sees_how_far_a_scoring_has_got_and_the_last_figures(
    manager_client, assessment, monkeypatch
):
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    for given in [ENGAGED] * 4 + [LOST]:
        answer(assessment, given)
    services.assessment_rescore(assessment_id=assessment.pk)
    for _ in range(4):
        answer(assessment, ENGAGED)
    before = sorted(AnswerJudgement.objects.values_list("pk", "score", "scored_at"))
    monkeypatch.setattr(judging, "PROGRESS_EVERY", 2)
    reached, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_after_the_first_chunk(done, total):
        if done == 2:
            reached.set()
            assert release.wait(WAIT)

    def rescore_in_its_own_connection():
        try:
            services.assessment_rescore(
                assessment_id=assessment.pk, on_progress=hold_after_the_first_chunk
            )
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    worker = threading.Thread(target=rescore_in_its_own_connection)
    worker.start()
    try:
        assert reached.wait(WAIT)
        state = RoundScoring.objects.get(assessment=assessment)
        page = manager_client.get(reverse("assessments:report", args=(assessment.pk,)))
        during = sorted(AnswerJudgement.objects.values_list("pk", "score", "scored_at"))
    finally:
        release.set()
        worker.join(WAIT)

    assert errors == []
    assert (state.done, state.total, state.started_at is not None) == (2, 9, True)
    text = page.content.decode()
    assert "Scores are being updated: 2 of 9." in text
    assert "8 of 9 respondents engaged" in text
    assert during == before
    assessment.refresh_from_db()
    assert assessment.team_profile_size == 9
    assert RoundScoring.objects.get(assessment=assessment).started_at is None


def test_a_worker_process_imports_a_queued_file_and_scores_the_round(
    settings, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assessment = AssessmentFactory()
    VisionFactory(assessment=assessment, statement=VISION)
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS_CSV)
    output = StringIO()
    call_command("import_answers", str(assessment.pk), str(path), stdout=output)
    assert output.getvalue().startswith("Queued 3 answers")
    assert not Response.objects.exists()

    worker = run_manage(
        "db_worker",
        "--batch",
        "--no-reload",
        "--no-startup-delay",
        "--queue-name",
        "*",
        DATABASE_URL=database_url(),
        DJANGO_DEBUG="true",
        DJANGO_TASKS_BACKEND="database",
    )

    assert worker.returncode == 0, worker.stderr
    assert sorted(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("assessments.tasks.import_answers", "SUCCESSFUL"),
        ("assessments.tasks.rescore_round", "SUCCESSFUL"),
    ]
    assert Response.objects.filter(assessment=assessment).count() == 3
    assessment.refresh_from_db()
    assert assessment.team_profile_size == 3
    state = RoundScoring.objects.get(assessment=assessment)
    assert (state.requested_at, state.started_at) == (None, None)
    assert state.finished_at is not None
