"""The key ideas a manager confirms at step 1: stored with the round's vision,
kept in its history, and passed to the engine on every path that judges."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from assessments import links, services
from assessments.models import (
    KEY_IDEA_NEEDS_TEXT,
    KEY_IDEAS_UNREADABLE,
    TOO_MANY_KEY_IDEAS,
    TOO_MANY_TEAM_WORDS,
    AnswerJudgement,
    Response,
    RoundScoring,
    Vision,
    validate_key_ideas,
)
from assessments.scoring import KeyIdea, ideas_as_data
from assessments.scoring.ideas import MAX_IDEAS, MAX_WORDS_PER_IDEA
from assessments.services import survey
from assessments.validators import CONTROL_CHARACTERS
from tests.factories import InvitationFactory, VisionFactory
from tests.samples import ENGAGED, TEAM_VISION
from tests.samples import submit as answer

pytestmark = pytest.mark.django_db

# Only the team's words for the one confirmed idea: not one word of the vision.
ONE_CALL = KeyIdea("One conversation", ("un appel", "first time"))
TEAM_WORDS_ONLY = {
    "vision": "Tout réglé en un appel.",
    "meaning": "Customers get their answer un appel and hang up happy.",
    "contribution": "I solve billing questions un appel by checking the account.",
}


def confirm(vision: Vision, ideas, user=None) -> bool:
    vision.refresh_from_db()
    return services.key_ideas_confirm(
        vision=vision, revision=vision.revision, ideas=ideas, user=user
    )


def vision_reasons(response: Response) -> list[str]:
    return AnswerJudgement.objects.get(response=response, question_key="vision").reasons


@pytest.fixture
def vision(assessment):
    return VisionFactory(assessment=assessment, statement=TEAM_VISION)


# --- Storing them -----------------------------------------------------------------


def test_confirmed_ideas_are_stored_with_the_round_s_vision(vision, manager):
    confirm(vision, [ONE_CALL], user=manager)

    vision.refresh_from_db()
    assert vision.confirmed_ideas == (ONE_CALL,)
    assert vision.key_ideas_vision == TEAM_VISION
    assert vision.revision == 2
    assert vision.updated_by == manager
    assert not vision.ideas_to_check


def test_each_round_keeps_its_own_ideas(vision, team):
    other = VisionFactory(assessment__team=team, statement=TEAM_VISION)

    confirm(vision, [ONE_CALL])

    other.refresh_from_db()
    assert other.key_ideas == []
    assert other.confirmed_ideas == ()


def test_every_confirmation_is_kept_in_the_vision_s_history(vision, manager):
    confirm(vision, [ONE_CALL], user=manager)
    confirm(vision, [KeyIdea("Plain words")], user=manager)

    latest, earlier, *_ = vision.history.order_by("-history_date", "-history_id")
    assert latest.key_ideas == [{"idea": "Plain words", "words": []}]
    assert earlier.key_ideas == ideas_as_data([ONE_CALL])
    assert latest.history_user == manager


def test_confirming_the_same_ideas_again_writes_nothing(vision):
    confirm(vision, [ONE_CALL])
    kept = vision.history.count()

    confirm(vision, [ONE_CALL])

    vision.refresh_from_db()
    assert (vision.revision, vision.history.count()) == (2, kept)


def test_spacing_is_made_plain_and_repeats_are_dropped(vision):
    confirm(
        vision,
        [
            KeyIdea("  One   conversation ", ("un appel", "Un  Appel", " ")),
            KeyIdea("one conversation", ("first time", "un appel")),
            KeyIdea("Plain words"),
        ],
    )

    vision.refresh_from_db()
    assert vision.confirmed_ideas == (
        KeyIdea("One conversation", ("un appel", "first time")),
        KeyIdea("Plain words"),
    )


def test_no_ideas_means_not_confirmed(vision):
    confirm(vision, [ONE_CALL])

    confirm(vision, [])

    vision.refresh_from_db()
    assert (vision.key_ideas, vision.key_ideas_vision) == ([], "")


def test_ideas_confirmed_over_a_changed_vision_are_refused(vision, manager):
    opened = vision.revision
    services.vision_update(
        vision=vision,
        revision=opened,
        statement="Another vision entirely.",
        has_vision=True,
        user=manager,
    )

    with pytest.raises(ValidationError) as refused:
        services.key_ideas_confirm(
            vision=vision, revision=opened, ideas=[ONE_CALL], user=manager
        )

    assert refused.value.code == "stale"
    vision.refresh_from_db()
    assert vision.key_ideas == []


def test_a_new_statement_keeps_the_ideas_and_asks_for_them_to_be_checked(
    vision, manager
):
    confirm(vision, [ONE_CALL])

    services.vision_update(
        vision=vision,
        revision=vision.revision,
        statement="We sort every problem in one conversation.",
        has_vision=True,
        user=manager,
    )

    vision.refresh_from_db()
    assert vision.confirmed_ideas == (ONE_CALL,)
    assert vision.ideas_to_check
    confirm(vision, [ONE_CALL])
    vision.refresh_from_db()
    assert not vision.ideas_to_check


@pytest.mark.parametrize(
    ("ideas", "message"),
    [
        ([KeyIdea(" ")], KEY_IDEA_NEEDS_TEXT),
        ([KeyIdea(f"Idea {n}") for n in range(MAX_IDEAS + 1)], TOO_MANY_KEY_IDEAS),
        (
            [
                KeyIdea(
                    "Idea", tuple(f"word {n}" for n in range(MAX_WORDS_PER_IDEA + 1))
                )
            ],
            TOO_MANY_TEAM_WORDS,
        ),
        ([KeyIdea("Idea\x00")], CONTROL_CHARACTERS),
        ([KeyIdea("Idea", ("bell\x07",))], CONTROL_CHARACTERS),
    ],
)
def test_ideas_out_of_bounds_are_refused_and_nothing_is_saved(vision, ideas, message):
    with pytest.raises(ValidationError) as refused:
        confirm(vision, ideas)

    assert message in refused.value.messages
    vision.refresh_from_db()
    assert (vision.key_ideas, vision.revision) == ([], 1)


@pytest.mark.parametrize(
    "data", ["One call", [{"idea": 3}], [{"idea": "ok", "words": "x"}], {}]
)
def test_stored_ideas_must_read_back_whole(data):
    with pytest.raises(ValidationError) as refused:
        validate_key_ideas(data)

    assert refused.value.messages == [KEY_IDEAS_UNREADABLE]


def test_html_and_emoji_are_stored_as_typed(vision):
    idea = KeyIdea("<b>One</b> call 📞", ("<script>alert(1)</script>", "一次解决"))

    confirm(vision, [idea])

    vision.refresh_from_db()
    assert vision.confirmed_ideas == (idea,)


# --- Judging with them ------------------------------------------------------------


def test_a_submission_is_judged_against_the_confirmed_ideas(vision):
    confirm(vision, [ONE_CALL])

    response = answer(vision.assessment, TEAM_WORDS_ONLY)

    judgement = AnswerJudgement.objects.get(response=response, question_key="vision")
    assert judgement.consistent is True
    assert "names 1 of 1 key idea: “One conversation”" in judgement.reasons


def test_without_confirmed_ideas_the_team_s_words_are_not_the_vision_s(vision):
    response = answer(vision.assessment, TEAM_WORDS_ONLY)

    judgement = AnswerJudgement.objects.get(response=response, question_key="vision")
    assert judgement.consistent is False


@pytest.mark.parametrize(
    "write",
    [
        survey.write_in_one_transaction,
        pytest.param(
            survey.write_in_one_statement,
            marks=pytest.mark.skipif(
                connection.vendor != "postgresql", reason="PostgreSQL's statement"
            ),
        ),
    ],
)
def test_both_ways_of_writing_a_submission_store_the_confirmed_ideas_judgement(
    vision, monkeypatch, write
):
    confirm(vision, [ONE_CALL])
    monkeypatch.setattr(survey, "_write", write)
    invitation = InvitationFactory(assessment=vision.assessment, email="a@example.com")

    link = links.link_lookup(invitation.token)
    saved = services.response_submit(
        link=link, token=invitation.token, answers=TEAM_WORDS_ONLY
    )

    assert link.key_ideas == (ONE_CALL,)
    response = Response.objects.get(pk=saved.response_id)
    assert response.vision_consistent is True
    assert "One conversation" in vision_reasons(response)[-1]


def test_confirming_ideas_once_answers_exist_judges_every_answer_again(vision):
    before = answer(vision.assessment, TEAM_WORDS_ONLY)
    assert before.vision_consistent is False

    rescoring = confirm(vision, [ONE_CALL])

    before.refresh_from_db()
    assert rescoring is True
    assert before.vision_consistent is True
    assert "One conversation" in vision_reasons(before)[-1]
    assert RoundScoring.objects.get(pk=vision.assessment_id).finished_at is not None


def test_dropping_the_ideas_judges_the_answers_against_the_vision_again(vision):
    confirm(vision, [ONE_CALL])
    response = answer(vision.assessment, TEAM_WORDS_ONLY)

    assert confirm(vision, []) is True

    response.refresh_from_db()
    assert response.vision_consistent is False


def test_confirming_before_any_answer_asks_for_no_scoring(vision):
    assert confirm(vision, [ONE_CALL]) is False
    assert not RoundScoring.objects.filter(pk=vision.assessment_id).exists()


def test_a_full_scoring_judges_against_the_confirmed_ideas(vision):
    response = answer(vision.assessment, TEAM_WORDS_ONLY)
    answer(vision.assessment, ENGAGED)
    Vision.objects.filter(pk=vision.pk).update(key_ideas=ideas_as_data([ONE_CALL]))

    services.assessment_rescore(assessment_id=vision.assessment_id)

    response.refresh_from_db()
    assert response.vision_consistent is True
    assert "One conversation" in vision_reasons(response)[-1]


def test_imported_answers_are_judged_against_the_confirmed_ideas(vision, monkeypatch):
    confirm(vision, [ONE_CALL])
    # The import's own judgement, not the full scoring it asks for afterwards.
    monkeypatch.setattr(
        "assessments.services.answers.assessment_rescore_request", lambda **_: None
    )
    rows = services.answers.read_answers(
        (
            "respondent,vision,meaning,contribution\n"
            f"ann,{TEAM_WORDS_ONLY['vision']},{TEAM_WORDS_ONLY['meaning']},"
            f"{TEAM_WORDS_ONLY['contribution']}\n"
        ).encode(),
        "answers.csv",
    )

    services.responses_import(assessment=vision.assessment, rows=rows)

    response = Response.objects.get()
    assert response.vision_consistent is True
    assert "One conversation" in vision_reasons(response)[-1]


def test_a_corrected_answer_is_judged_against_the_confirmed_ideas(vision):
    response = answer(vision.assessment, {**TEAM_WORDS_ONLY, "vision": "No idea."})
    confirm(vision, [ONE_CALL])

    services.response_correct(response=response, answers=TEAM_WORDS_ONLY)

    response.refresh_from_db()
    assert response.vision_consistent is True
    assert "One conversation" in vision_reasons(response)[-1]
