"""An open round's upkeep: queued again every few minutes while the round is
open, asking for a full scoring when one is wanted and otherwise keeping the
stored readiness in step with submissions; and what starts it."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import scoring, services
from assessments.models import AnswerJudgement, RoundScoring, StepResult, Vision
from tests.factories import AssessmentFactory, InvitationFactory, VisionFactory
from tests.samples import ENGAGED, LOST, TEAM_VISION
from tests.samples import submit as answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(assessment):
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    return assessment


def scored_with(assessment, answers: list[dict]):
    """A round whose answers were all scored together, then its upkeep due."""
    for given in answers:
        answer(assessment, given)
    services.assessment_rescore(assessment_id=assessment.pk)
    due = timezone.now() + timedelta(minutes=1)
    RoundScoring.objects.filter(assessment=assessment).update(upkeep_due_at=due)
    return due


def stored_engagement(assessment) -> str:
    return StepResult.objects.get(assessment=assessment, step__key="engagement").status


def test_opening_a_round_schedules_its_upkeep(task_queue, team, manager):
    draft = services.assessment_create(team=team, created_by=manager)

    services.assessment_open(assessment=draft)

    due = RoundScoring.objects.get(assessment=draft).upkeep_due_at
    assert due == draft.opened_at + services.UPKEEP_EVERY
    assert task_queue.later() == [
        ("round_upkeep", {"assessment_id": draft.pk, "due": due.isoformat()}, due)
    ]


def test_tasks_run_in_process_run_no_upkeep(team, manager):
    draft = services.assessment_create(team=team, created_by=manager)

    services.assessment_open(assessment=draft)

    assert not RoundScoring.objects.filter(upkeep_due_at__isnull=False).exists()


def test_an_upkeep_queues_the_next_and_brings_stored_readiness_up_to_date(
    task_queue, round_
):
    due = scored_with(round_, [ENGAGED] * 6)
    assert stored_engagement(round_) == "ready"
    for _ in range(3):  # 9 is not more than half as many again as 6
        answer(round_, LOST, released=False)
    assert stored_engagement(round_) == "ready"  # submissions store no verdict

    did = services.round_upkeep(assessment_id=round_.pk, due=due)

    assert did == "readiness"
    assert stored_engagement(round_) == "not_yet"  # released: 6 of 9 engaged
    assert task_queue.run() == ["refresh_readiness"]
    following = RoundScoring.objects.get(assessment=round_).upkeep_due_at
    assert following > due
    assert task_queue.later() == [
        (
            "round_upkeep",
            {"assessment_id": round_.pk, "due": following.isoformat()},
            following,
        )
    ]


def test_an_upkeep_releases_the_answers_waiting_once_they_make_a_group(
    task_queue, round_
):
    due = scored_with(round_, [ENGAGED] * 6)
    for _ in range(2):
        answer(round_, LOST, released=False)

    services.round_upkeep(assessment_id=round_.pk, due=due)

    assert round_.responses.waiting().count() == 2
    answer(round_, LOST, released=False)
    following = RoundScoring.objects.get(assessment=round_).upkeep_due_at
    services.round_upkeep(assessment_id=round_.pk, due=following)
    assert not round_.responses.waiting().exists()


def test_a_submission_queues_no_work(task_queue, client, round_):
    invitation = InvitationFactory(assessment=round_, email="sam@example.com")

    client.post(
        reverse("assessments:survey", args=(invitation.token,)), {"vision": "Fix it."}
    )

    assert round_.responses.waiting().count() == 1
    assert task_queue.queued() == []


def test_an_upkeep_asks_for_a_scoring_once_the_team_has_grown_by_half(
    task_queue, round_
):
    due = scored_with(round_, [ENGAGED] * 2)
    for _ in range(2):
        answer(round_, ENGAGED)

    did = services.round_upkeep(assessment_id=round_.pk, due=due)

    assert did == "rescore"
    assert task_queue.run() == ["rescore_round"]
    round_.refresh_from_db()
    assert round_.team_profile_size == 4


def test_an_upkeep_asks_for_a_scoring_when_the_engine_has_changed(round_, monkeypatch):
    due = scored_with(round_, [ENGAGED] * 3)
    changed = f"{scoring.ENGINE_VERSION}-changed"
    monkeypatch.setattr(scoring, "ENGINE_VERSION", changed)

    did = services.round_upkeep(assessment_id=round_.pk, due=due)

    assert did == "rescore"
    assert RoundScoring.objects.get(assessment=round_).engine_version == changed
    assert set(AnswerJudgement.objects.values_list("engine_version", flat=True)) == {
        changed
    }


def test_an_upkeep_leaves_a_round_being_scored_to_its_scoring(round_):
    due = scored_with(round_, [ENGAGED] * 2)
    for _ in range(2):
        answer(round_, ENGAGED)
    now = timezone.now()
    RoundScoring.objects.filter(assessment=round_).update(
        started_at=now, progress_at=now
    )

    assert services.round_upkeep(assessment_id=round_.pk, due=due) == "readiness"
    assert RoundScoring.objects.get(assessment=round_).requested_at is None


def test_an_upkeep_that_is_not_the_one_due_does_nothing(task_queue, round_):
    due = scored_with(round_, [ENGAGED] * 3)

    did = services.round_upkeep(assessment_id=round_.pk, due=due - timedelta(minutes=5))

    assert did == "superseded"
    assert task_queue.queued() == []
    assert RoundScoring.objects.get(assessment=round_).upkeep_due_at == due


def test_the_upkeep_of_a_closed_round_stops(task_queue, round_):
    due = scored_with(round_, [ENGAGED] * 3)
    services.assessment_close(assessment=round_)

    did = services.round_upkeep(assessment_id=round_.pk, due=due)

    assert did == "stopped"
    assert task_queue.queued() == []
    assert RoundScoring.objects.get(assessment=round_).upkeep_due_at is None


def test_rounds_upkeep_schedules_what_is_missing_and_rescores_old_judgements(
    task_queue, team, round_
):
    scheduled = AssessmentFactory(team=team)
    RoundScoring.objects.create(
        assessment=scheduled, upkeep_due_at=timezone.now() + timedelta(minutes=2)
    )
    lost = AssessmentFactory(team=team)
    RoundScoring.objects.create(
        assessment=lost, upkeep_due_at=timezone.now() - timedelta(minutes=20)
    )
    AssessmentFactory(team=team, draft=True)
    AssessmentFactory(team=team, closed=True)  # no answers: nothing to score
    answer(round_, ENGAGED)
    services.assessment_rescore(assessment_id=round_.pk)
    old = answer(AssessmentFactory(team=team, closed=True), ENGAGED)
    RoundScoring.objects.filter(assessment=old.assessment).update(engine_version="0")
    output = StringIO()

    call_command("rounds_upkeep", stdout=output)

    upkept = {kwargs["assessment_id"] for name, kwargs, _ in task_queue.later()}
    assert upkept == {round_.pk, lost.pk}
    assert ("rescore_round", {"assessment_id": old.assessment_id}) in (
        task_queue.queued()
    )
    assert output.getvalue().strip() == (
        "Upkeep scheduled for 2 open round(s); 1 round(s) judged by another version "
        "of the engine queued to be scored again."
    )
    call_command("rounds_upkeep", stdout=StringIO())
    assert len(task_queue.later()) == 2


def test_a_new_vision_statement_has_every_answer_judged_again(round_, manager):
    for _ in range(3):
        answer(round_, ENGAGED)
    vision = Vision.objects.get(assessment=round_)

    services.vision_update(
        vision=vision,
        revision=vision.revision,
        statement="Every parcel arrives on the day we promised it.",
        has_vision=True,
        user=manager,
    )

    state = RoundScoring.objects.get(assessment=round_)
    assert state.finished_at is not None
    assert not round_.responses.filter(engaged=True).exists()


@pytest.mark.parametrize("answered", [0, 3])
def test_the_same_statement_or_no_answers_need_no_scoring(round_, manager, answered):
    for _ in range(answered):
        answer(round_, ENGAGED)
    vision = Vision.objects.get(assessment=round_)
    statement = vision.statement if answered else "A new statement nobody judged."

    services.vision_update(
        vision=vision,
        revision=vision.revision,
        statement=statement,
        has_vision=True,
        user=manager,
    )

    assert not RoundScoring.objects.filter(
        assessment=round_, finished_at__isnull=False
    ).exists()
