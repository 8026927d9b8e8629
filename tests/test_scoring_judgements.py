"""Judgements a manager can trust: paraphrase, twists, other languages, review."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assessments.scoring import Answers, KeyIdea, judge_team
from assessments.scoring.embedding import bundled, no_model

ROOT = Path(__file__).resolve().parent.parent
VISION = "Every parcel arrives when we said, and if it can't, the customer hears first."
IDEAS = (
    KeyIdea("parcels arrive when we said", ("on the day we promised", "on time")),
    KeyIdea(
        "the customer hears first", ("warn them", "tell them before", "hears first")
    ),
)
GOOD_CONTRIBUTION = "I ring the customer myself the moment a van breaks down."


def verdict(key, text, *, vision=VISION, ideas=IDEAS, similarity=None):
    answers = {
        "vision": VISION,
        "meaning": "A late parcel is never a surprise to the customer.",
        "contribution": GOOD_CONTRIBUTION,
        key: text,
    }
    judged = judge_team(
        vision,
        [Answers("me", answers["vision"], answers["meaning"], answers["contribution"])],
        ideas=ideas,
        similarity=similarity,
    )
    return judged[0].answers[key]


@pytest.mark.parametrize(
    "text",
    [
        "I don't warn customers about delays; I just close the ticket.",
        "We never tell them before, there's no point.",
    ],
)
def test_a_negated_key_idea_is_not_consistent_and_the_reason_says_so(text):
    judged = verdict("contribution", text)
    assert not judged.consistent
    assert any("opposite" in r or "target" in r for r in judged.reasons)


def test_not_just_is_not_a_negation():
    judged = verdict(
        "meaning", "We don't just say sorry, we warn them before the van is late."
    )
    assert judged.consistent


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("I keep my handle time under three minutes on delay calls.", "speed"),
        ("I tell them before and point them to the tracking app instead.", "away"),
        ("On every late-delivery call I upsell next-day delivery.", "selling"),
        (
            "The couriers never tell us anything, so it's not my problem.",
            "someone else",
        ),
        ("Honestly it's just a slogan on the wall.", "dismisses"),
    ],
)
def test_twists_in_the_visions_words_are_not_consistent(text, kind):
    judged = verdict("meaning", text)
    assert not judged.consistent
    assert any(kind in reason for reason in judged.reasons)


def test_a_twist_said_to_be_rejected_is_none():
    judged = verdict(
        "meaning", "It's not 'check the app'; a person warns them before it's late."
    )
    assert judged.consistent


@pytest.mark.parametrize(
    "text", ["same as above", "See previous answer", "ditto", "lo mismo", "pareil"]
)
def test_a_pointer_to_another_answer_is_neither_clear_nor_consistent(text):
    judged = verdict("contribution", text)
    assert (judged.clear, judged.consistent) == (False, False)


def test_the_vision_pasted_as_a_contribution_is_neither_clear_nor_consistent():
    judged = verdict("contribution", VISION)
    assert (judged.clear, judged.consistent) == (False, False)
    assert "the vision pasted" in judged.reasons[0]


def test_the_vision_pasted_as_the_meaning_is_consistent_but_not_clear():
    judged = verdict("meaning", VISION)
    assert (judged.clear, judged.consistent) == (False, True)


@pytest.mark.parametrize(
    "text",
    [
        "World-class service and exceeding customer expectations on every parcel.",
        "I'm always polite and patient with every customer.",
    ],
)
def test_stock_phrases_and_traits_are_not_clear_contributions(text):
    assert not verdict("contribution", text).clear


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "Cada paquete llega cuando dijimos y, si no, avisamos al cliente antes.",
            "es",
        ),
        (
            "Chaque colis arrive quand on l'a dit, sinon le client est prévenu avant.",
            "fr",
        ),
    ],
)
def test_spanish_and_french_answers_are_judged_in_their_language(text, language):
    judged = verdict("vision", text)
    assert judged.language == language
    assert judged.clear
    assert not any("cannot judge" in reason for reason in judged.reasons)


def test_spanish_function_words_are_not_ideas_or_own_words():
    judged = verdict("meaning", "Es que de la y el en los por")
    assert not judged.clear


def test_an_answer_in_a_language_the_engine_cannot_judge_goes_to_review():
    judged = verdict(
        "contribution",
        "Ich rufe jeden Kunden selbst an, bevor das Paket zu spät kommt.",
    )
    assert judged.language == "de"
    assert judged.needs_review
    assert "German" in judged.reasons[0]


def test_the_vision_in_other_words_is_found_by_the_sentence_model():
    text = "Deliveries turn up on the promised date, and if not, people get a heads-up."
    with_model = verdict("vision", text, similarity=bundled())
    words_only = verdict("vision", text, similarity=no_model)
    assert with_model.consistent
    assert not words_only.consistent


def test_an_unrelated_specific_action_is_not_consistent():
    judged = verdict("contribution", "I restock the printer paper every Friday.")
    assert judged.clear
    assert not judged.consistent


def test_confirmed_ideas_weigh_answers_not_every_word_of_the_vision():
    """Half the central ideas named is not enough; all of two is, in the team's
    own short words."""
    assert verdict("vision", "On time, and warn them before.").consistent
    assert not verdict("vision", "Every parcel.").consistent


def test_every_decision_has_a_confidence_and_a_clear_case_is_sure():
    judged = verdict("contribution", GOOD_CONTRIBUTION)
    assert 0.5 <= judged.confidence <= 1
    assert not judged.needs_review


def test_judgements_are_the_same_in_every_process():
    """Nothing depends on the order a set is walked in, which changes with
    Python's hash seed from one process to the next."""
    script = (
        "import json\n"
        "from assessments.catalogue import ENGAGEMENT_KEYS\n"
        "from assessments.scoring import Answers, ideas_from_data, judge_team\n"
        "teams = json.load(open('tests/data/engagement_tuning.json'))['teams']\n"
        "for team in teams[:3]:\n"
        "    people = [Answers(p['respondent'], *(p[k][0] for k in ENGAGEMENT_KEYS))\n"
        "              for p in team['respondents']]\n"
        "    print(judge_team(team['vision'], people,\n"
        "                     ideas=ideas_from_data(team['key_ideas'])))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    assert "RespondentJudgement" in outputs.pop()
