"""The engine's confidence, language and need for review, stored with each
judgement on every path that judges answers, and settled by a manager's
override."""

from importlib import import_module

import pytest
from django.apps import apps

from assessments import scoring, services
from assessments.answers_csv import AnswerRow
from assessments.models import AnswerJudgement, RoundScoring
from tests.factories import InvitationFactory, VisionFactory
from tests.samples import (
    ALSO_IN_SPANISH,
    ENGAGED,
    IN_SPANISH,
    TEAM_VISION,
    UNSURE,
    UNSURE_CONFIDENCE,
    UNSURE_REASON,
    submit_as,
)
from tests.samples import submit as answer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unsure_engine")]

SURE = (1.0, "en", False)
UNSURE_MEANING = (UNSURE_CONFIDENCE, "es", True)


def awaiting(response) -> int:
    """The response's stored count of answers awaiting review."""
    response.refresh_from_db(fields=("answers_awaiting_review",))
    return response.answers_awaiting_review


def stored(response_id) -> dict[str, tuple]:
    """Each answer's stored confidence, language and need for review."""
    return {
        key: tuple(values)
        for key, *values in AnswerJudgement.objects.filter(
            response_id=response_id
        ).values_list("question_key", "confidence", "language", "needs_review")
    }


@pytest.fixture
def round_(assessment):
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    return assessment


@pytest.fixture
def named_round(round_):
    round_.anonymous = False
    round_.save(update_fields=("anonymous",))
    return round_


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "named"])
def test_a_submission_stores_each_answers_confidence_language_and_review(
    round_, anonymous
):
    round_.anonymous = anonymous
    round_.save(update_fields=("anonymous",))

    response = answer(round_, UNSURE)

    assert stored(response.pk) == {
        "vision": SURE,
        "meaning": UNSURE_MEANING,
        "contribution": SURE,
    }
    meaning = response.judgements.get(question_key="meaning")
    assert meaning.reasons[0] == UNSURE_REASON
    assert meaning.awaits_review
    assert awaiting(response) == 1


def test_a_resubmission_replaces_them_with_its_own(named_round):
    invitation = InvitationFactory(assessment=named_round)
    first = submit_as(invitation, UNSURE)

    again = submit_as(invitation, ENGAGED)

    assert again.pk == first.pk
    assert stored(again.pk)["meaning"] == SURE
    assert awaiting(again) == 0


def test_imported_answers_store_them(round_):
    row = AnswerRow(2, "r1", UNSURE["vision"], IN_SPANISH, UNSURE["contribution"])

    services.responses_import(assessment=round_, rows=[row])

    [response] = round_.responses.all()
    assert stored(response.pk)["meaning"] == UNSURE_MEANING
    assert awaiting(response) == 1


def test_a_corrected_answer_is_judged_again_with_them(named_round):
    response = answer(named_round, ENGAGED)

    services.response_correct(response=response, answers=UNSURE)

    assert stored(response.pk)["meaning"] == UNSURE_MEANING
    assert awaiting(response) == 1


def test_a_full_scoring_stores_them_for_every_answer(round_):
    unsure = answer(round_, UNSURE)
    sure = answer(round_, ENGAGED)
    AnswerJudgement.objects.update(confidence=0.9, language="fr", needs_review=True)
    round_.responses.update(answers_awaiting_review=3)

    services.assessment_rescore(assessment_id=round_.pk)

    assert stored(unsure.pk)["meaning"] == UNSURE_MEANING
    assert stored(unsure.pk)["vision"] == SURE
    assert set(stored(sure.pk).values()) == {SURE}
    assert (awaiting(unsure), awaiting(sure)) == (1, 0)


def test_a_full_scoring_leaves_unchanged_judgements_unwritten(round_):
    answer(round_, UNSURE)
    services.assessment_rescore(assessment_id=round_.pk)
    AnswerJudgement.objects.filter(question_key="vision").update(language="fr")

    services.assessment_rescore(assessment_id=round_.pk)

    assert set(AnswerJudgement.objects.values_list("language", flat=True)) == {
        "en",
        "es",
    }


def test_rounds_judged_before_confidence_was_kept_are_scored_again(round_):
    """Rows the migration gave its defaults get the engine's values from the
    worker's next upkeep."""
    response = answer(round_, UNSURE)
    services.assessment_rescore(assessment_id=round_.pk)
    AnswerJudgement.objects.update(confidence=1.0, language="en", needs_review=False)
    round_.responses.update(answers_awaiting_review=0)
    migration = import_module(
        "assessments.migrations.0018_judgement_confidence_and_review"
    )

    migration.score_judged_rounds_again(apps, schema_editor=None)
    _, outdated = services.rounds_upkeep()

    assert outdated == 1
    assert stored(response.pk)["meaning"] == UNSURE_MEANING
    assert awaiting(response) == 1
    assert RoundScoring.objects.get(pk=round_.pk).engine_version == (
        scoring.ENGINE_VERSION
    )


# --- A manager's decision settles it --------------------------------------------------


def unsure_meaning(response) -> AnswerJudgement:
    return response.judgements.get(question_key="meaning")


def test_an_override_settles_an_answer_needing_review(named_round, manager):
    response = answer(named_round, UNSURE)
    judgement = unsure_meaning(response)

    services.judgement_override(
        judgement=judgement,
        clear=True,
        consistent=None,
        reason="It says what the vision says, in Spanish.",
        user=manager,
    )

    judgement.refresh_from_db()
    assert judgement.needs_review  # the engine's own view, kept
    assert not judgement.awaits_review
    assert not AnswerJudgement.objects.awaiting_review().exists()
    assert awaiting(response) == 0


def test_removing_the_override_leaves_the_answer_awaiting_review_again(
    named_round, manager
):
    response = answer(named_round, UNSURE)
    judgement = unsure_meaning(response)
    services.judgement_override(
        judgement=judgement,
        clear=False,
        consistent=False,
        reason="Not about our vision.",
        user=manager,
    )

    services.judgement_override(
        judgement=judgement, clear=None, consistent=None, reason="", user=manager
    )

    assert list(AnswerJudgement.objects.awaiting_review()) == [judgement]
    assert awaiting(response) == 1


def test_a_full_scoring_keeps_the_override_that_settled_it(named_round, manager):
    response = answer(named_round, UNSURE)
    judgement = unsure_meaning(response)
    services.judgement_override(
        judgement=judgement,
        clear=True,
        consistent=True,
        reason="Clear to a Spanish speaker.",
        user=manager,
    )

    named_round.responses.update(answers_awaiting_review=1)  # as if stale

    services.assessment_rescore(assessment_id=named_round.pk)

    assert not AnswerJudgement.objects.awaiting_review().exists()
    assert AnswerJudgement.objects.get(pk=judgement.pk).needs_review
    assert awaiting(response) == 0


def test_new_answers_keep_the_override_so_the_answer_stays_settled(
    named_round, manager
):
    """A manager's decision outlives new answers (marked where the answer
    changed), so the answer it settled awaits no review."""
    invitation = InvitationFactory(assessment=named_round)
    judgement = unsure_meaning(submit_as(invitation, UNSURE))
    services.judgement_override(
        judgement=judgement,
        clear=True,
        consistent=True,
        reason="Clear to a Spanish speaker.",
        user=manager,
    )

    again = submit_as(invitation, {**UNSURE, "meaning": ALSO_IN_SPANISH})

    judgement.refresh_from_db()
    assert judgement.needs_review
    assert judgement.answer_changed
    assert list(AnswerJudgement.objects.awaiting_review()) == []
    assert awaiting(again) == 0
