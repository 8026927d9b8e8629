"""The vision's key ideas: proposed from the vision, confirmed by the manager."""

from assessments.scoring import (
    Answers,
    KeyIdea,
    ideas_as_data,
    ideas_from_data,
    judge_team,
    propose_key_ideas,
)


def test_one_idea_is_proposed_per_clause_with_its_specific_words():
    ideas = propose_key_ideas("One call, one owner.")

    assert ideas == (KeyIdea("One call", ("call",)), KeyIdea("one owner", ("owner",)))


def test_a_vision_of_only_general_words_proposes_no_idea():
    assert propose_key_ideas("World-class customer service, always.") == ()


def test_stored_ideas_read_back_the_same_and_junk_is_left_out():
    ideas = (KeyIdea("Sorted in one call", ("first call", "un appel")),)

    assert ideas_from_data(ideas_as_data(ideas)) == ideas
    assert ideas_from_data("junk") == ()
    assert ideas_from_data([{"idea": 3}, {"idea": "ok", "words": "x"}]) == (
        KeyIdea("ok", ()),
    )


def test_the_teams_own_words_name_a_confirmed_idea():
    ideas = (KeyIdea("one person owns the problem", ("ownership", "keeps the case")),)
    answer = Answers("a", "Ownership of every case.", "", "")

    verdict = judge_team("One call, one owner.", [answer], ideas=ideas)[0]

    assert verdict.answers["vision"].consistent
    assert "one person owns the problem" in verdict.answers["vision"].reasons[-1]
