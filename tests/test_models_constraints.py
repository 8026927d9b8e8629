"""Every database constraint refuses a bad row, whatever path it came by, and
model validation says why in words a manager understands."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import tokens
from assessments.catalogue import ALIGNMENT_KEYS, ENGAGEMENT_KEYS
from assessments.models import (
    MAX_ANSWER_LENGTH,
    AnswerJudgement,
    Assessment,
    Commitment,
    Invitation,
    ManagerInvitation,
    Question,
    Response,
    RoundReopening,
    RoundScoring,
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


@pytest.mark.parametrize(
    "groups",
    [
        {"min_group_for_scores": 2},
        {"min_group_for_verbatims": 4},
        {"min_group_for_scores": 1, "min_group_for_verbatims": 1},
    ],
    ids=["scores-from-2", "quotes-from-4", "one-and-one"],
)
def test_an_anonymous_round_cannot_show_fewer_people_than_the_floors(groups):
    assert refused(lambda: factories.AssessmentFactory(anonymous=True, **groups))


def test_a_named_round_can_show_one_person():
    named = factories.AssessmentFactory(
        anonymous=False, min_group_for_scores=1, min_group_for_verbatims=1
    )

    assert refused(
        lambda: Assessment.objects.filter(pk=named.pk).update(anonymous=True)
    )


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


# --- The messages model validation gives ---------------------------------------------


def constraints() -> dict[str, object]:
    return {
        constraint.name: constraint
        for model in apps.get_app_config("assessments").get_models()
        for constraint in model._meta.constraints
    }


def errors_of(validate) -> dict[str, list[tuple[str, str]]]:
    """The (message, code) of each error ``validate`` raises, by field."""
    with pytest.raises(ValidationError) as raised:
        validate()
    return {
        field: [(error.message, error.code) for error in errors]
        for field, errors in raised.value.error_dict.items()
    }


def said(name: str) -> tuple[str, str]:
    constraint = constraints()[name]
    return constraint.violation_error_message, constraint.violation_error_code


def new_step(**fields) -> Step:
    return Step(
        **{"version": 99, "name": "a", "moment_of_truth": "?", "summary": "", **fields}
    )


def beside_a_stored_step(**fields) -> Step:
    new_step(key="vision", number=1).save()
    return new_step(**fields)


def alignment_step() -> Step:
    return Step.objects.get(key="alignment", version=1)


def own_parent():
    team = factories.TeamFactory()
    team.parent = team
    return team


def taken_token_hash():
    return factories.InvitationFactory.build(
        assessment=factories.AssessmentFactory(),
        token_hash=factories.InvitationFactory().token_hash,
    )


def taken_address():
    """Another spelling of an address the round already holds."""
    stored = factories.InvitationFactory(email="sam.lee@gmail.com")
    return factories.InvitationFactory.build(
        assessment=stored.assessment, email="SamLee+team@googlemail.com"
    )


def taken_respondent_key():
    return factories.ResponseFactory.build(
        assessment=factories.AssessmentFactory(),
        respondent_key=factories.ResponseFactory().respondent_key,
    )


def taken_link_key():
    key = tokens.link_key(factories.InvitationFactory().token_hash)
    factories.ResponseFactory(link_key=key, release=None)
    return factories.ResponseFactory.build(
        assessment=factories.AssessmentFactory(), link_key=key, release=None
    )


def response_changed_before_given():
    now = timezone.now()
    return factories.ResponseFactory.build(
        assessment=factories.AssessmentFactory(),
        created_at=now,
        updated_at=now - timedelta(days=1),
    )


def second_judgement():
    judgement = factories.AnswerJudgementFactory()
    return factories.AnswerJudgementFactory.build(response=judgement.response)


def second_rating():
    rating = factories.AlignmentRatingFactory()
    return factories.AlignmentRatingFactory.build(
        assessment=rating.assessment, question=rating.question
    )


def second_step_result():
    result = factories.StepResultFactory()
    return factories.StepResultFactory.build(
        assessment=result.assessment, step=result.step
    )


def second_pending_manager_invitation():
    invitation = factories.ManagerInvitationFactory()
    return factories.ManagerInvitationFactory.build(
        team=invitation.team, email=invitation.email
    )


def taken_manager_invitation_hash():
    return factories.ManagerInvitationFactory.build(
        team=factories.TeamFactory(),
        token_hash=factories.ManagerInvitationFactory().token_hash,
    )


def round_(**fields) -> Assessment:
    return factories.AssessmentFactory.build(team=factories.TeamFactory(), **fields)


# A row breaking each constraint that model validation reports as such: no
# field's own validator catches it first.
BROKEN_ROWS = {
    "step_key_unique_per_version": lambda: beside_a_stored_step(key="vision", number=2),
    "step_number_unique_per_version": lambda: beside_a_stored_step(
        key="alignment", number=1
    ),
    "question_key_unique_per_step": lambda: Question(
        step=alignment_step(), key="goals", position=9, text="?"
    ),
    "question_position_unique_per_step": lambda: Question(
        step=alignment_step(), key="new", position=1, text="?"
    ),
    "team_is_not_its_own_parent": own_parent,
    "assessment_status_has_its_dates": lambda: round_(opened_at=None),
    "assessment_closes_after_it_opens": lambda: round_(
        status=Assessment.Status.CLOSED, closed_at=timezone.now() - timedelta(days=1)
    ),
    "assessment_group_sizes_ordered": lambda: round_(
        anonymous=False, min_group_for_scores=5, min_group_for_verbatims=3
    ),
    "vision_yes_needs_a_statement": lambda: Vision(statement="", has_vision=True),
    "invitation_token_hash_unique": taken_token_hash,
    "invitation_address_once_per_round": taken_address,
    "response_respondent_key_unique": taken_respondent_key,
    "response_link_key_unique": taken_link_key,
    "response_updated_after_created": response_changed_before_given,
    "response_answers_awaiting_review_at_most_three": lambda: Response(
        answers_awaiting_review=4
    ),
    "judgement_unique_per_answer": second_judgement,
    "judgement_override_needs_a_reason": lambda: factories.AnswerJudgementFactory.build(
        response=factories.ResponseFactory(),
        override_clear=False,
        override_reason="",
    ),
    "alignment_rating_unique_per_question": second_rating,
    "step_result_unique_per_step": second_step_result,
    "round_scoring_done_within_total": lambda: RoundScoring(
        assessment=factories.AssessmentFactory(), done=5, total=4
    ),
    "manager_invitation_one_pending_per_address": second_pending_manager_invitation,
    "manager_invitation_token_hash_unique": taken_manager_invitation_hash,
    "manager_invitation_closed_when_answered": lambda: (
        factories.ManagerInvitationFactory.build(
            team=factories.TeamFactory(), status=ManagerInvitation.Status.ACCEPTED
        )
    ),
    "prediction_needs_one_item": lambda: factories.RoundPredictionFactory.build(
        engaged_share=None
    ),
}

# A row breaking each constraint that repeats a rule of one field, with that
# field: model validation reports the field's own error beside it, and the
# constraint's words when the constraints are validated on their own.
TOO_LONG = "x" * (MAX_ANSWER_LENGTH + 1)
NOT_A_HASH = "plain-token"
BROKEN_FIELDS = {
    "step_number_1_to_4": (lambda: new_step(key="vision", number=5), "number"),
    "team_name_not_blank": (lambda: factories.TeamFactory.build(name=""), "name"),
    "assessment_engaged_share_0_to_1": (
        lambda: round_(ready_engaged_share=1.5),
        "ready_engaged_share",
    ),
    "assessment_participation_0_to_1": (
        lambda: round_(ready_min_participation=-0.1),
        "ready_min_participation",
    ),
    "assessment_anonymous_group_floors": (
        lambda: round_(anonymous=True, min_group_for_scores=2),
        "min_group_for_scores",
    ),
    "assessment_min_respondents_positive": (
        lambda: round_(ready_min_respondents=0),
        "ready_min_respondents",
    ),
    "vision_statement_max_length": (lambda: Vision(statement=TOO_LONG), "statement"),
    "round_reopening_has_a_reason": (
        lambda: RoundReopening(
            assessment=factories.AssessmentFactory(closed=True),
            reason="",
            closed_at=timezone.now(),
            reopened_at=timezone.now(),
        ),
        "reason",
    ),
    "invitation_token_hash_is_hex_sha256": (
        lambda: Invitation(token_hash=NOT_A_HASH),
        "token_hash",
    ),
    "manager_invitation_token_hash_is_hex_sha256": (
        lambda: ManagerInvitation(token_hash=NOT_A_HASH),
        "token_hash",
    ),
    "response_respondent_key_is_hex_sha256": (
        lambda: Response(respondent_key=NOT_A_HASH),
        "respondent_key",
    ),
    "response_link_key_is_hex_sha256": (
        lambda: Response(link_key=NOT_A_HASH),
        "link_key",
    ),
    **{
        f"response_{key}_answer_max_length": (
            lambda key=key: Response(**{f"{key}_answer": TOO_LONG}),
            f"{key}_answer",
        )
        for key in ENGAGEMENT_KEYS
    },
    **{
        f"response_rating_{key}_1_to_5": (
            lambda key=key: Response(**{f"rating_{key}": 6}),
            f"rating_{key}",
        )
        for key in ALIGNMENT_KEYS
    },
    "judgement_scores_0_to_1": (lambda: AnswerJudgement(score=1.5), "score"),
    "judgement_confidence_0_to_1": (
        lambda: AnswerJudgement(confidence=1.5),
        "confidence",
    ),
    "alignment_rating_1_to_5": (
        lambda: factories.AlignmentRatingFactory.build(rating=0),
        "rating",
    ),
    "alignment_evidence_max_length": (
        lambda: factories.AlignmentRatingFactory.build(evidence=TOO_LONG),
        "evidence",
    ),
    "commitment_hours_within_a_week": (
        lambda: Commitment(hours_per_week=169),
        "hours_per_week",
    ),
    "commitment_budget_not_negative": (lambda: Commitment(budget=-1), "budget"),
    "action_title_not_blank": (
        lambda: factories.ActionItemFactory.build(title=""),
        "title",
    ),
    "step_result_score_0_to_100": (
        lambda: factories.StepResultFactory.build(score=101),
        "score",
    ),
    "prediction_share_0_to_100": (
        lambda: factories.RoundPredictionFactory.build(engaged_share=101),
        "engaged_share",
    ),
    **{
        f"prediction_rating_{key}_1_to_5": (
            lambda key=key: factories.RoundPredictionFactory.build(
                **{f"rating_{key}": 6}
            ),
            f"rating_{key}",
        )
        for key in ALIGNMENT_KEYS
    },
}


def test_every_constraint_has_its_own_words_and_code_and_a_broken_row():
    assert sorted(BROKEN_ROWS | BROKEN_FIELDS) == sorted(constraints())
    for name, constraint in constraints().items():
        assert constraint.violation_error_code == name
        assert constraint.violation_error_message
        assert (
            constraint.violation_error_message
            != constraint.default_violation_error_message
        )


@pytest.mark.parametrize("name", BROKEN_ROWS)
def test_full_clean_says_which_constraint_a_row_breaks(name):
    row = BROKEN_ROWS[name]()

    assert said(name) in errors_of(row.full_clean).get(NON_FIELD_ERRORS, [])


@pytest.mark.parametrize("name", BROKEN_FIELDS)
def test_full_clean_refuses_a_bad_field_beside_it_and_the_constraint_says_why(name):
    build, field = BROKEN_FIELDS[name]

    assert field in errors_of(build().full_clean)
    assert said(name) in errors_of(build().validate_constraints)[NON_FIELD_ERRORS]
