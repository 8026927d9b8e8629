"""Every database constraint refuses a bad row, whatever path it came by."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.catalogue import ALIGNMENT_KEYS
from assessments.models import (
    MAX_ANSWER_LENGTH,
    Assessment,
    Commitment,
    Question,
    Step,
    Vision,
)
from tests import factories

pytestmark = pytest.mark.django_db


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_step_number_is_unique_per_version():
    assert refused(
        lambda: (
            Step.objects.create(
                key="vision",
                version=99,
                number=1,
                name="a",
                moment_of_truth="?",
                summary="",
            )
            and Step.objects.create(
                key="engagement",
                version=99,
                number=1,
                name="b",
                moment_of_truth="?",
                summary="",
            )
        )
    )


def test_step_number_is_1_to_4():
    assert refused(
        lambda: Step.objects.create(
            key="vision",
            version=99,
            number=5,
            name="a",
            moment_of_truth="?",
            summary="",
        )
    )


def test_step_key_is_unique_per_version():
    assert refused(
        lambda: Step.objects.create(
            key="vision",
            version=1,
            number=1,
            name="dup",
            moment_of_truth="?",
            summary="",
        )
    )


def test_question_key_and_position_are_unique_per_step():
    step = Step.objects.get(key="alignment", version=1)
    assert refused(lambda: Question.objects.create(step=step, key="goals", position=9))
    assert refused(lambda: Question.objects.create(step=step, key="new", position=1))


def test_team_cannot_be_its_own_parent():
    team = factories.TeamFactory()
    team.parent = team
    assert refused(team.save)


def test_team_name_cannot_be_blank():
    assert refused(lambda: factories.TeamFactory(name=""))


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Assessment.Status.OPEN, "opened_at": None},
        {"status": Assessment.Status.CLOSED, "closed_at": None},
        {"closed_at": timezone.now() - timedelta(days=30), "status": "closed"},
        {"ready_engaged_share": 1.5},
        {"ready_min_participation": -0.1},
        {"min_group_for_scores": 0},
        {"min_group_for_scores": 5, "min_group_for_verbatims": 3},
        {"ready_min_respondents": 0},
    ],
    ids=[
        "open-without-opened-at",
        "closed-without-closed-at",
        "closed-before-opened",
        "engaged-share-above-1",
        "participation-below-0",
        "no-minimum-group",
        "verbatims-below-scores",
        "no-minimum-respondents",
    ],
)
def test_assessment_refuses_inconsistent_rows(fields):
    assert refused(lambda: factories.AssessmentFactory(**fields))


def test_vision_yes_needs_a_statement():
    assert refused(lambda: factories.VisionFactory(statement="", has_vision=True))


def test_vision_no_without_statement_is_allowed():
    vision = factories.VisionFactory(statement="", has_vision=False)
    assert vision.pk is not None


def test_vision_statement_has_a_maximum_length():
    assert refused(
        lambda: factories.VisionFactory(statement="x" * (MAX_ANSWER_LENGTH + 1))
    )


def test_invitation_token_hash_is_unique_and_hexadecimal():
    invitation = factories.InvitationFactory()
    assert refused(
        lambda: factories.InvitationFactory(token_hash=invitation.token_hash)
    )
    assert refused(lambda: factories.InvitationFactory(token_hash="plain-token"))


def test_one_response_per_respondent_key():
    response = factories.ResponseFactory()
    assert refused(
        lambda: factories.ResponseFactory(respondent_key=response.respondent_key)
    )


def test_one_response_per_invitation_in_named_rounds():
    invitation = factories.InvitationFactory()
    factories.ResponseFactory(assessment=invitation.assessment, invitation=invitation)
    assert refused(
        lambda: factories.ResponseFactory(
            assessment=invitation.assessment, invitation=invitation
        )
    )


@pytest.mark.parametrize(
    "field", ["vision_answer", "meaning_answer", "contribution_answer"]
)
def test_response_answers_have_a_maximum_length(field):
    assert refused(
        lambda: factories.ResponseFactory(**{field: "x" * (MAX_ANSWER_LENGTH + 1)})
    )


def test_response_cannot_be_updated_before_it_was_created():
    now = timezone.now()
    assert refused(
        lambda: factories.ResponseFactory(created_at=now, updated_at=now - timedelta(1))
    )


def test_one_judgement_per_answer():
    judgement = factories.AnswerJudgementFactory()
    assert refused(
        lambda: factories.AnswerJudgementFactory(response=judgement.response)
    )


@pytest.mark.parametrize("field", ["clarity", "consistency", "score"])
@pytest.mark.parametrize("value", [-0.01, 1.01])
def test_judgement_scores_stay_between_0_and_1(field, value):
    assert refused(lambda: factories.AnswerJudgementFactory(**{field: value}))


def test_judgement_override_needs_a_reason():
    assert refused(
        lambda: factories.AnswerJudgementFactory(
            override_clear=False, override_reason=""
        )
    )


def test_judgement_override_with_a_reason_is_allowed():
    judgement = factories.AnswerJudgementFactory(
        override_consistent=False, override_reason="Quotes last year's vision."
    )
    assert judgement.effective_consistent is False
    assert judgement.effective_clear is True


@pytest.mark.parametrize("rating", [0, 6])
def test_alignment_rating_is_1_to_5(rating):
    assert refused(lambda: factories.AlignmentRatingFactory(rating=rating))


def test_one_alignment_rating_per_question():
    rating = factories.AlignmentRatingFactory()
    assert refused(
        lambda: factories.AlignmentRatingFactory(
            assessment=rating.assessment, question=rating.question
        )
    )


@pytest.mark.parametrize("rating", [0, 6])
@pytest.mark.parametrize("key", ALIGNMENT_KEYS)
def test_team_members_rate_alignment_1_to_5_or_not_at_all(key, rating):
    assert refused(lambda: factories.ResponseFactory(**{f"rating_{key}": rating}))
    assert factories.ResponseFactory(**{f"rating_{key}": None}).pk


@pytest.mark.parametrize("hours", [-1, 169])
def test_commitment_hours_fit_in_a_week(hours):
    assert refused(lambda: factories.CommitmentFactory(hours_per_week=hours))


def test_commitment_budget_is_not_negative():
    assert refused(lambda: factories.CommitmentFactory(budget=-1))


def test_one_vision_and_one_commitment_per_assessment():
    assessment = factories.AssessmentFactory()
    assert refused(lambda: Vision.objects.create(assessment=assessment))
    assert refused(lambda: Commitment.objects.create(assessment=assessment))


def test_every_new_round_has_its_vision_and_commitment_rows():
    assessment = factories.AssessmentFactory()

    assert assessment.vision.statement == ""
    assert assessment.commitment.owner == ""


def test_action_title_cannot_be_blank():
    assert refused(lambda: factories.ActionItemFactory(title=""))


def test_one_step_result_per_step_and_score_0_to_100():
    result = factories.StepResultFactory()
    assert refused(
        lambda: factories.StepResultFactory(
            assessment=result.assessment, step=result.step
        )
    )
    assert refused(lambda: factories.StepResultFactory(score=101))


def test_response_key_is_a_hex_sha256():
    assert refused(lambda: factories.ResponseFactory(respondent_key="plain-token"))


def test_alignment_evidence_has_a_maximum_length():
    assert refused(
        lambda: factories.AlignmentRatingFactory(evidence="x" * (MAX_ANSWER_LENGTH + 1))
    )
