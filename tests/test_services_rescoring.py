"""Scoring a whole round again: in memory with its progress stored as it goes,
then written at once; one at a time per round; asked for and served through
the tasks (run in-process here)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments import links, scoring, services, tasks
from assessments.models import AnswerJudgement, Response, RoundScoring
from assessments.services import judging
from tests.factories import InvitationFactory, VisionFactory
from tests.queries import writes
from tests.samples import ENGAGED, LOST, TEAM_VISION
from tests.samples import submit as answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(assessment):
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    for _ in range(4):
        answer(assessment, ENGAGED)
    answer(assessment, LOST)
    return assessment


def scoring_of(assessment) -> RoundScoring:
    return RoundScoring.objects.get(assessment=assessment)


def test_a_requested_scoring_is_served_by_its_task(round_):
    task = services.assessment_rescore_request(assessment_id=round_.pk)

    assert task.return_value == 5
    round_.refresh_from_db()
    assert round_.team_profile_size == 5
    state = scoring_of(round_)
    assert (state.requested_at, state.started_at) == (None, None)
    assert (state.done, state.total) == (5, 5)
    assert state.engine_version == scoring.ENGINE_VERSION
    assert state.finished_at is not None
    assert round_.step_results.count() == 4


def test_progress_is_stored_as_the_engine_reads_the_answers(round_, monkeypatch):
    monkeypatch.setattr(judging, "PROGRESS_EVERY", 2)
    seen = []

    def progress(done, total):
        state = scoring_of(round_)
        seen.append((done, total, state.done, state.total, state.started_at))

    services.assessment_rescore(assessment_id=round_.pk, on_progress=progress)

    assert [(done, total, stored, of) for done, total, stored, of, _ in seen] == [
        (0, 5, 0, 5),
        (2, 5, 2, 5),
        (4, 5, 4, 5),
        (5, 5, 5, 5),
    ]
    assert all(started is not None for *_, started in seen)
    assert scoring_of(round_).started_at is None


def test_judgements_change_only_when_the_whole_scoring_is_stored(round_):
    before = list(AnswerJudgement.objects.values_list("pk", "scored_at", "score"))
    during = []

    services.assessment_rescore(
        assessment_id=round_.pk,
        now=timezone.now() + timedelta(days=3),
        on_progress=lambda done, total: during.append(
            list(AnswerJudgement.objects.values_list("pk", "scored_at", "score"))
        ),
    )

    assert all(snapshot == before for snapshot in during)
    after = list(AnswerJudgement.objects.values_list("pk", "scored_at", "score"))
    assert [scored for _, scored, _ in after] != [scored for _, scored, _ in before]


def test_a_second_scoring_of_a_round_being_scored_does_nothing(round_):
    RoundScoring.objects.create(
        assessment=round_, started_at=timezone.now(), progress_at=timezone.now()
    )
    profile_size = round_.team_profile_size

    assert services.assessment_rescore(assessment_id=round_.pk) is None

    round_.refresh_from_db()
    assert round_.team_profile_size == profile_size


def test_a_scoring_that_stopped_showing_progress_is_taken_over(round_):
    long_ago = timezone.now() - timedelta(hours=1)
    RoundScoring.objects.create(
        assessment=round_, started_at=long_ago, progress_at=long_ago
    )

    assert services.assessment_rescore(assessment_id=round_.pk) == 5


def test_a_scoring_taken_over_while_it_ran_stores_nothing(round_):
    judged_at = set(AnswerJudgement.objects.values_list("scored_at", flat=True))

    def taken_over(done, total):
        RoundScoring.objects.filter(assessment=round_).update(
            started_at=timezone.now() + timedelta(seconds=1)
        )

    judged = services.assessment_rescore(
        assessment_id=round_.pk,
        now=timezone.now() + timedelta(days=3),
        on_progress=taken_over,
    )

    assert judged is None
    assert set(AnswerJudgement.objects.values_list("scored_at", flat=True)) == (
        judged_at
    )


def test_a_failed_scoring_frees_the_round_for_the_next(round_, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("engine broke")

    monkeypatch.setattr(scoring, "judge_team_with_terms", broken)

    with pytest.raises(RuntimeError):
        services.assessment_rescore(assessment_id=round_.pk)

    assert scoring_of(round_).started_at is None


def test_an_answer_resubmitted_during_a_scoring_keeps_its_own_judgement(assessment):
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    for _ in range(4):
        answer(assessment, ENGAGED)
    item = InvitationFactory(assessment=assessment)
    saved = services.response_submit(
        link=links.link_lookup(item.token), token=item.token, answers=ENGAGED
    )
    changed = Response.objects.get(pk=saved.response_id)

    def resubmit(done, total):
        if done == 0:
            services.response_submit(
                link=links.link_lookup(item.token),
                token=item.token,
                answers=LOST,
                edit_code=saved.edit_code,
            )

    services.assessment_rescore(assessment_id=assessment.pk, on_progress=resubmit)

    changed.refresh_from_db()
    assert changed.vision_answer == LOST["vision"]
    assert changed.engaged is False
    assert Response.objects.filter(engaged=True).count() == 4


def test_an_answer_removed_during_a_scoring_is_left_out(round_):
    gone = Response.objects.first()

    judged = services.assessment_rescore(
        assessment_id=round_.pk,
        on_progress=lambda done, total: done == 0 and gone.delete(),
    )

    assert judged == 5
    assert Response.objects.count() == 4
    assert AnswerJudgement.objects.count() == 12


def test_managers_overrides_survive_a_scoring(round_):
    judgement = AnswerJudgement.objects.filter(response__engaged=False).first()
    services.judgement_override(
        judgement=judgement,
        clear=True,
        consistent=True,
        reason="Said it aloud.",
        user=None,
    )

    services.assessment_rescore(assessment_id=round_.pk)

    judgement.refresh_from_db()
    assert (judgement.override_clear, judgement.override_reason) == (
        True,
        "Said it aloud.",
    )


def test_a_task_finding_no_request_does_nothing(round_):
    result = tasks.rescore_round.enqueue(assessment_id=round_.pk)

    assert result.return_value is None
    assert scoring_of(round_).finished_at is None


def test_a_request_made_while_a_scoring_runs_is_served_after_it(round_):
    finished = []

    def request_meanwhile(done, total):
        if not finished:
            finished.append("asked")
            # Served in-process here: it finds the round busy and waits.
            skipped = services.assessment_rescore_request(assessment_id=round_.pk)
            assert skipped.return_value is None

    services.assessment_rescore(assessment_id=round_.pk, on_progress=request_meanwhile)
    assert scoring_of(round_).requested_at is not None

    served = tasks.rescore_round.enqueue(assessment_id=round_.pk)

    assert served.return_value == 5
    assert scoring_of(round_).requested_at is None


def test_the_task_queues_itself_again_for_a_request_made_while_it_ran(
    round_, monkeypatch
):
    asked = []
    real = services.upkeep.assessment_rescore

    def rescore_then_ask(**kwargs):
        judged = real(**kwargs)
        if not asked:
            asked.append(judged)
            RoundScoring.objects.filter(assessment=round_).update(
                requested_at=timezone.now()
            )
        return judged

    monkeypatch.setattr(services.upkeep, "assessment_rescore", rescore_then_ask)

    services.assessment_rescore_request(assessment_id=round_.pk)

    assert asked == [5]
    assert scoring_of(round_).requested_at is None  # served by the second task


def test_a_scoring_that_judges_every_answer_the_same_writes_none_of_them(round_):
    services.assessment_rescore(assessment_id=round_.pk)

    with CaptureQueriesContext(connection) as captured:
        assert services.assessment_rescore(assessment_id=round_.pk) == 5

    assert [
        sql
        for sql in writes(captured)
        if "assessments_answerjudgement" in sql or "assessments_response" in sql
    ] == []


def test_a_scoring_writes_the_answers_it_judges_differently(round_, monkeypatch):
    services.assessment_rescore(assessment_id=round_.pk)
    monkeypatch.setattr(scoring, "ENGINE_VERSION", "2")

    services.assessment_rescore(assessment_id=round_.pk)

    assert set(AnswerJudgement.objects.values_list("engine_version", flat=True)) == {
        "2"
    }
