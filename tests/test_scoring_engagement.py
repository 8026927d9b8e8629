"""Step 2: judging each answer clear and consistent, overrides, and team readiness."""

import pytest

from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.scoring import (
    Answers,
    EngagementSummary,
    EngagementThresholds,
    Override,
    QuestionTally,
    TeamProfile,
    apply_override,
    engagement,
    engagement_ready,
    judge_respondent,
    judge_team,
    judge_team_with_profile,
    judge_team_with_terms,
    key_ideas,
    respondent_terms,
    review_respondent,
    summarise,
)
from assessments.scoring.engagement import EMPTY_PROFILE
from tests.test_scoring_labelled import load_teams

VISION = "Fix it fast, explain it plainly, and leave every customer confident."
GOOD_MEANING = (
    "When a meter breaks we send an engineer the same day and tell the customer "
    "in everyday words what went wrong."
)
GOOD_CONTRIBUTION = (
    "I call every customer back within the hour and explain the fix in plain words."
)
# Teammates who explain the vision with the same concrete words.
TEAMMATES = tuple(
    Answers(
        f"mate-{n}",
        VISION,
        "We send an engineer the same day when a meter breaks.",
        "I book the engineer visit before I hang up.",
    )
    for n in range(4)
)


def judge(
    vision_answer=VISION,
    meaning=GOOD_MEANING,
    contribution=GOOD_CONTRIBUTION,
    *,
    team=TEAMMATES,
    vision=VISION,
):
    """Judge one respondent's answers among ``team``; return their judgement."""
    answers = (Answers("me", vision_answer, meaning, contribution), *team)
    return judge_team(vision, answers)[0]


def test_key_ideas_are_the_vision_content_words_in_order():
    assert [idea.text for idea in key_ideas(VISION)] == [
        "fix",
        "fast",
        "explain",
        "plainly",
        "leave",
        "confident",
    ]


def test_key_ideas_leave_out_words_every_answer_has():
    assert "custom" not in {idea.stem for idea in key_ideas(VISION)}


def test_key_ideas_of_a_vision_of_only_common_words_keep_them():
    assert [idea.text for idea in key_ideas("Customer service")] == [
        "customer",
        "service",
    ]


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(VISION, id="exact quote"),
        pytest.param(
            "Leave customers confident, explain plainly, fix it fast", id="reordered"
        ),
        pytest.param(
            "Fixed things fast, explained them plainly, customers confident",
            id="plural and tense",
        ),
        pytest.param("fix fast explain plainly confident", id="dropped small words"),
        pytest.param(
            "fix it fsat, explian it plainely, leave customers confidnt", id="typos"
        ),
        pytest.param(
            "Solve problems quickly, explain simply, customers feel confident",
            id="near-synonyms",
        ),
    ],
)
def test_vision_answer_stating_the_vision_is_clear_and_consistent(answer):
    verdict = judge(answer).answers["vision"]
    assert (verdict.clear, verdict.consistent) == (True, True)


def test_reordered_vision_with_typos_is_consistent():
    verdict = judge("confidnt customers, plainely explained, fixed fsat").answers[
        "vision"
    ]
    assert verdict.consistent


@pytest.mark.parametrize(
    "answer",
    [
        "World-class customer service",
        "The customer is always right",
        "Excellent customer service every time",
        "Customers come first",
        "Going above and beyond for customers",
    ],
)
def test_platitude_vision_answer_is_neither_clear_nor_consistent(answer):
    verdict = judge(answer).answers["vision"]
    assert (verdict.clear, verdict.consistent) == (False, False)
    assert verdict.reasons[0].startswith("a platitude")


@pytest.mark.parametrize(
    "answer", ["Sell more upgrades", "Move every customer onto paperless billing"]
)
def test_vision_answer_with_a_different_idea_is_clear_but_not_consistent(answer):
    verdict = judge(answer).answers["vision"]
    assert (verdict.clear, verdict.consistent) == (True, False)
    assert "names 0 of 3 key ideas" in verdict.reasons[1]


def test_vision_answer_naming_a_third_of_the_key_ideas_is_not_consistent():
    """More than half the key ideas are needed: two of three."""
    verdict = judge("fix it fast").answers["vision"]
    assert (verdict.clear, verdict.consistent) == (True, False)
    assert verdict.consistency == pytest.approx(1 / 2 / 2)
    assert "recalls part of the vision" in verdict.reasons


def test_vision_reason_names_the_key_ideas_found_and_missing():
    verdict = judge("explain plainly, fix it fast").answers["vision"]
    assert (
        "names 2 of 3 key ideas: “Fix it fast”, “explain it plainly”; "
        "missing: “leave every customer confident”"
    ) in verdict.reasons
    assert verdict.consistent


def test_vision_answer_cannot_be_consistent_without_a_vision():
    verdict = judge("fix it fast", vision="").answers["vision"]
    assert (verdict.clear, verdict.consistent) == (True, False)
    assert "no vision to compare with" in verdict.reasons


@pytest.mark.parametrize(
    ("vision", "answer", "consistent"),
    [
        ("Get it right", "Night shift", False),
        ("Get it right", "Get it rihgt", True),
        ("Explain everything", "plain", False),
    ],
)
def test_a_typo_keeps_the_first_letter_and_needs_five_letters(
    vision, answer, consistent
):
    assert judge(answer, vision=vision).answers["vision"].consistent is consistent


@pytest.mark.parametrize(
    ("vision", "meaning"),
    [
        (VISION, "It means fixing things fast and explaining plainly."),
        ("Own every problem until it is solved.", "It means owning problems."),
        (VISION, "Basically: fix it fast, explain it plainly, confident customers."),
    ],
)
def test_meaning_that_only_restates_the_vision_is_not_clear(vision, meaning):
    verdict = judge(meaning=meaning, vision=vision, team=()).answers["meaning"]
    assert not verdict.clear
    assert verdict.consistent
    assert verdict.reasons[0] in {
        "the vision repeated, not explained",
        "mostly restates the vision: 0 new words, "
        f"needs {engagement.MEANING_OWN_WORDS}",
    }


def test_meaning_in_own_concrete_words_is_clear_and_consistent():
    verdict = judge().answers["meaning"]
    assert (verdict.clear, verdict.consistent) == (True, True)


@pytest.mark.parametrize(
    "meaning", ["Great service for happy customers.", "Being the best team we can."]
)
def test_platitude_meaning_is_neither_clear_nor_consistent(meaning):
    verdict = judge(meaning=meaning).answers["meaning"]
    assert (verdict.clear, verdict.consistent) == (False, False)


def test_meaning_on_another_idea_is_clear_but_not_consistent():
    verdict = judge(meaning="It means hitting our sales targets every month.")
    meaning = verdict.answers["meaning"]
    assert (meaning.clear, meaning.consistent) == (True, False)
    assert meaning.reasons[-1] == "turns service into selling (“sales targets”)"


def test_words_teammates_share_do_not_make_a_meaning_consistent_but_ask_for_review():
    """Teammates are not a reference for the vision: a meaning that names no
    key idea is not consistent because others say the same; it goes to the
    manager instead of being decided with confidence."""
    verdict = judge(meaning="A broken meter gets an engineer the same day.")
    meaning = verdict.answers["meaning"]
    assert not meaning.consistent
    assert meaning.needs_review
    assert (
        "uses 3 words common among teammates: meter, engineer, same" in meaning.reasons
    )


def test_meaning_with_one_key_idea_and_nothing_shared_with_teammates_is_inconsistent():
    verdict = judge(meaning="Plainly, we hit our monthly sales targets.")
    assert not verdict.answers["meaning"].consistent


def test_a_respondents_own_words_do_not_count_as_teammates_words():
    unusual = "It means a voucher and a refund, voucher first, refund second."
    verdict = judge(meaning=unusual, contribution="I issue the voucher and refund.")
    reasons = verdict.answers["meaning"].reasons
    assert not any("common among teammates" in reason for reason in reasons)


def test_meaning_is_judged_on_the_vision_alone_without_teammates():
    verdict = judge(meaning="It means we fix the meter fast and call back.", team=())
    meaning = verdict.answers["meaning"]
    assert "serves the vision's key ideas: “Fix it fast”" in meaning.reasons
    assert meaning.consistency == pytest.approx(0.75)


def test_judgements_do_not_depend_on_the_order_of_respondents():
    answers = (
        Answers("me", VISION, GOOD_MEANING, GOOD_CONTRIBUTION),
        Answers("odd", "Sell more", "Upgrades for all", "I sell upgrades"),
        *TEAMMATES,
    )
    forward = {j.respondent: j for j in judge_team(VISION, answers)}
    backward = {j.respondent: j for j in judge_team(VISION, answers[::-1])}
    assert forward == backward


@pytest.mark.parametrize(
    "contribution",
    [
        "I do my job",
        "I work hard",
        "I'm friendly",
        "I try to be helpful.",
        "I always give 110%.",
        "By being a team player.",
        "I fix things.",
    ],
)
def test_vague_contribution_is_not_clear(contribution):
    assert not judge(contribution=contribution).answers["contribution"].clear


@pytest.mark.parametrize(
    "contribution",
    [
        GOOD_CONTRIBUTION,
        "Calling customers back the same day with a plain explanation of the fix.",
        "We explain every bill line by line in plain words before closing the call.",
    ],
)
def test_specific_personal_action_that_serves_the_vision_is_clear_and_consistent(
    contribution,
):
    verdict = judge(contribution=contribution).answers["contribution"]
    assert (verdict.clear, verdict.consistent) == (True, True)


def test_contribution_not_in_the_first_person_is_not_clear():
    verdict = judge(contribution="Fast fixes and plain explanations for customers.")
    contribution = verdict.answers["contribution"]
    assert not contribution.clear
    assert contribution.clarity == 0
    assert "does not say what you do yourself" in contribution.reasons[0]


def test_specific_action_unrelated_to_the_vision_is_clear_but_not_consistent():
    verdict = judge(contribution="I restock the printer paper every Friday.")
    contribution = verdict.answers["contribution"]
    assert (contribution.clear, contribution.consistent) == (True, False)
    assert (
        "names none of the vision's key ideas, in its words or in other words"
        in contribution.reasons
    )


def test_a_contribution_sharing_only_teammates_words_goes_to_the_managers_review():
    verdict = judge(contribution="I book an engineer for the same day on every call.")
    contribution = verdict.answers["contribution"]
    assert not contribution.consistent
    assert contribution.needs_review
    assert "uses 3 words common among teammates: book, engineer, same" in (
        contribution.reasons
    )


@pytest.mark.parametrize("key", ["vision", "meaning", "contribution"])
@pytest.mark.parametrize(
    "answer", ["", "?", "-", "Don't know", "NOT SURE!", "n/a", "idk", "I'm new"]
)
def test_non_answer_scores_zero_on_every_question(key, answer):
    answers = {
        "vision_answer": VISION,
        "meaning": GOOD_MEANING,
        "contribution": GOOD_CONTRIBUTION,
    }
    answers["vision_answer" if key == "vision" else key] = answer
    verdict = judge(**answers).answers[key]
    assert (verdict.clear, verdict.consistent) == (False, False)
    assert (verdict.clarity, verdict.consistency, verdict.score) == (0, 0, 0)
    assert verdict.reasons[0].startswith("a non-answer")


def test_respondent_with_three_clear_and_consistent_answers_is_engaged():
    verdict = judge()
    assert all(a.clear and a.consistent for a in verdict.answers.values())
    assert verdict.engaged


def test_respondent_with_one_vague_answer_is_not_engaged():
    assert not judge(contribution="I work hard").engaged


def test_answers_are_keyed_by_question_in_catalogue_order():
    assert list(judge().answers) == ["vision", "meaning", "contribution"]


def test_every_decision_follows_its_score():
    for verdict in judge_team(VISION, TEAMMATES):
        for answer in verdict.answers.values():
            assert answer.clear is (answer.clarity >= 0.5)
            assert answer.consistent is (answer.consistency >= 0.5)
            assert answer.score == pytest.approx(
                (answer.clarity + answer.consistency) / 2
            )


# --- Manager overrides ------------------------------------------------------------


def test_override_sets_the_effective_decision_and_keeps_the_engines():
    engine = judge(contribution="I work hard").answers["contribution"]
    reviewed = apply_override(
        engine, Override("Covers nights alone; that is the action.", clear=True)
    )
    assert reviewed.engine == engine
    assert not reviewed.engine.clear
    assert reviewed.effective.clear
    assert reviewed.effective.clarity == 1.0
    assert reviewed.effective.consistent == engine.consistent
    assert reviewed.effective.reasons[-1] == (
        "manager set clear: yes: Covers nights alone; that is the action."
    )
    assert reviewed.overridden


def test_override_can_set_both_decisions_to_no():
    engine = judge().answers["vision"]
    reviewed = apply_override(
        engine, Override("Copied from the poster", clear=False, consistent=False)
    )
    effective = reviewed.effective
    assert (effective.clear, effective.consistent, effective.score) == (False, False, 0)
    assert effective.reasons[-1].startswith("manager set clear: no, consistent: no")


def test_no_override_leaves_the_judgement_unchanged():
    engine = judge().answers["vision"]
    reviewed = apply_override(engine, None)
    assert reviewed.effective == engine
    assert not reviewed.overridden


@pytest.mark.parametrize(
    ("reason", "clear", "consistent", "message"),
    [
        ("  ", True, None, "An override needs a reason."),
        ("Because", None, None, "An override must set clear, consistent or both."),
    ],
)
def test_override_needs_a_reason_and_a_decision(reason, clear, consistent, message):
    with pytest.raises(ValueError, match=message):
        Override(reason, clear=clear, consistent=consistent)


def test_reviewing_a_respondent_works_out_engaged_again():
    engine = judge(contribution="I work hard")
    assert not engine.engaged
    reviewed = review_respondent(
        engine,
        {"contribution": Override("Runs the night desk", clear=True, consistent=True)},
    )
    assert reviewed.engaged
    assert reviewed.answers["vision"] == engine.answers["vision"]


# --- Team summary and readiness ---------------------------------------------------


def test_summary_counts_respondents_engaged_and_each_question():
    judgements = judge_team(
        VISION,
        (
            Answers("a", VISION, GOOD_MEANING, GOOD_CONTRIBUTION),
            Answers("b", VISION, GOOD_MEANING, "I work hard"),
            Answers("c", "don't know", "no idea", "n/a"),
        ),
    )
    summary = summarise(judgements, invitations=4)
    assert (summary.respondents, summary.engaged) == (3, 1)
    assert summary.tally("vision") == QuestionTally("vision", 2, 2, 2)
    assert summary.tally("contribution") == QuestionTally("contribution", 1, 1, 1)
    assert summary.engaged_share == pytest.approx(1 / 3)
    assert summary.participation == pytest.approx(3 / 4)


@pytest.mark.parametrize(
    ("invitations", "participation"), [(None, None), (0, None), (2, 1.0), (10, 0.3)]
)
def test_participation_is_unknown_without_invitations(invitations, participation):
    summary = EngagementSummary(invitations, 3, 3, ())
    assert summary.participation == participation


def test_summary_of_nobody_has_no_engaged_share():
    assert summarise([], invitations=5).engaged_share == 0


def _summary(respondents, engaged, invitations):
    return EngagementSummary(invitations, respondents, engaged, ())


@pytest.mark.parametrize(
    ("respondents", "engaged", "invitations", "ready"),
    [
        (5, 4, 5, True),
        (5, 3, 5, False),
        (2, 2, 2, False),
        (3, 3, 5, True),
        (3, 3, 6, False),
        (3, 3, None, True),
        (10, 8, 16, True),
        (10, 8, 17, False),
    ],
)
def test_team_is_ready_at_the_default_thresholds(
    respondents, engaged, invitations, ready
):
    assert engagement_ready(_summary(respondents, engaged, invitations)).ready is ready


def test_not_ready_names_every_shortfall():
    readiness = engagement_ready(_summary(2, 1, 10))
    assert readiness.shortfalls == (
        "2 of the 3 respondents needed have answered",
        "1 of 2 respondents are engaged (50%); 80% needed",
        "2 of 10 invited people responded (20%); 60% needed",
    )


def test_shortfall_never_rounds_up_to_the_threshold():
    readiness = engagement_ready(_summary(1000, 799, None))
    assert readiness.shortfalls == (
        "799 of 1000 respondents are engaged (79%); 80% needed",
    )


def test_thresholds_can_be_changed():
    lenient = EngagementThresholds(
        min_engaged_share=0.5, min_respondents=1, min_participation=0.1
    )
    assert engagement_ready(_summary(2, 1, 10), lenient).ready


# --- Judging one more respondent against a stored team profile ----------------------


def test_stored_profile_judges_a_newcomer_like_the_whole_team_would():
    team = [
        Answers("a", VISION, "Fixing a billing error on the call", "I call back"),
        Answers("b", VISION, "A billing error is fixed on the call", "I read it back"),
    ]
    newcomer = Answers("c", VISION, "Billing errors get fixed on the call", "I check")
    _, profile = judge_team_with_profile(VISION, team)

    alone = judge_respondent(VISION, newcomer, TeamProfile.from_dict(profile.as_dict()))
    together = judge_team(VISION, [*team, newcomer])[-1]

    assert alone == together


def test_newcomer_with_no_team_is_judged_on_the_vision_alone():
    newcomer = Answers("c", VISION, "Billing errors get fixed on the call", "I check")

    verdict = judge_respondent(VISION, newcomer, EMPTY_PROFILE)

    assert verdict == judge_team(VISION, [newcomer])[0]


@pytest.mark.parametrize("stored", [{}, {"size": "x"}, {"size": 1, "counts": []}])
def test_unreadable_stored_profile_is_an_empty_team(stored):
    assert TeamProfile.from_dict(stored) == EMPTY_PROFILE


def test_a_profile_for_newcomers_keeps_only_common_terms_and_judges_the_same():
    """What a round stores: the same judgement of every newcomer, without the
    long tail of words only a few teammates used."""
    team_mattered = False
    for team in load_teams():
        people = _answers_of(team)
        _, profile = judge_team_with_profile(team["vision"], people[:-3])
        stored = profile.for_newcomers()

        assert stored.size == profile.size
        assert len(stored.counts) < len(profile.counts)
        assert set(stored.counts) <= set(profile.counts)
        for newcomer in people[-3:]:
            verdict = judge_respondent(team["vision"], newcomer, profile)
            assert judge_respondent(team["vision"], newcomer, stored) == verdict
            alone = judge_respondent(team["vision"], newcomer, EMPTY_PROFILE)
            team_mattered = team_mattered or alone != verdict
    assert team_mattered, "some newcomer must be judged differently without a team"


# --- Judging again someone the stored profile counts -------------------------------


def _judged_again(vision, people, stored_as=TeamProfile.for_respondents):
    """Each person judged alone against the stored profile of a full scoring of
    ``people``, with the terms that profile counts for them."""
    _, profile, term_sets = judge_team_with_terms(vision, people)
    stored = TeamProfile.from_dict(stored_as(profile).as_dict())
    return [
        judge_respondent(
            vision,
            person,
            stored,
            counted_terms=frozenset(terms & stored.counts.keys()) if terms else None,
        )
        for person, terms in zip(people, term_sets, strict=True)
    ]


def test_someone_judged_again_with_their_counted_terms_is_judged_as_in_the_team():
    """The anchor: after a full scoring, judging any respondent alone with the
    terms the stored profile counts for them gives their judgement in the team,
    on every labelled team and on teams whose size crosses a threshold."""
    teams = [(team["vision"], _answers_of(team)) for team in load_teams()]
    some = _answers_of(load_teams()[0])
    teams += [(teams[0][0], some[:size]) for size in (1, 2, 7, 14, 20)]
    differs = False
    for vision, people in teams:
        in_team = judge_team(vision, people)

        assert _judged_again(vision, people) == list(in_team)
        as_newcomers = [
            judge_respondent(
                vision,
                p,
                TeamProfile.from_dict(
                    judge_team_with_profile(vision, people)[1].for_newcomers().as_dict()
                ),
            )
            for p in people
        ]
        differs = differs or as_newcomers != list(in_team)
    assert differs, "judging members as newcomers must differ somewhere"


def test_someone_who_changes_their_answers_is_judged_against_their_teammates_alone():
    """New answers, judged with the terms the stored profile counted for the old
    ones, are judged as a newcomer to the team without that person would be."""
    # Seven who each name one thing nobody else does: one teammate of six is
    # enough to share a word with, one of seven is not.
    seven = [
        Answers(
            thing,
            VISION,
            f"We send an engineer the same day when a {thing} breaks.",
            f"I book the {thing} repair before I hang up.",
        )
        for thing in ("meter", "boiler", "pipe", "valve", "radiator", "cable", "socket")
    ]
    checked = 0
    teams = [(team["vision"], _answers_of(team)) for team in load_teams()]
    for vision, people in [*teams, (VISION, seven)]:
        for size in (len(people), 7):
            _, profile, term_sets = judge_team_with_terms(vision, people[:size])
            stored = TeamProfile.from_dict(profile.for_respondents().as_dict())
            for index in range(size):
                others = [*people[:index], *people[index + 1 : size]]
                changed = people[(index + 1) % size]  # a teammate's words
                counted = frozenset(term_sets[index] & stored.counts.keys())
                expected = judge_respondent(
                    vision, changed, judge_team_with_profile(vision, others)[1]
                )

                assert (
                    judge_respondent(vision, changed, stored, counted_terms=counted)
                    == expected
                )
                checked += 1
    assert checked


def test_a_respondent_whose_words_nobody_else_uses_agrees_with_nobody():
    loner = Answers(
        "loner",
        VISION,
        "Quarterly tariff reconciliation audits with spreadsheets.",
        "I reconcile tariff spreadsheets quarterly for auditors.",
    )
    people = [*TEAMMATES[:3], loner]
    in_team = judge_team(VISION, people)[-1]

    again = _judged_again(VISION, people)[-1]

    assert again == in_team
    assert not again.answers["meaning"].consistent
    assert "shares no specific words" in " ".join(again.answers["meaning"].reasons)


def test_alone_in_the_profile_someone_judged_again_has_no_teammates():
    solo = Answers("solo", VISION, GOOD_MEANING, GOOD_CONTRIBUTION)
    _, profile, (terms,) = judge_team_with_terms(VISION, [solo])

    again = judge_respondent(VISION, solo, profile, counted_terms=terms)
    as_newcomer = judge_respondent(VISION, solo, profile)

    assert again == judge_team(VISION, [solo])[0]
    assert "no teammates' answers to compare with" in again.answers["meaning"].reasons
    assert as_newcomer != again  # the bug: agreeing with their own words


def test_respondent_terms_are_those_the_profile_counts():
    people = [*TEAMMATES, Answers("x", VISION, "I don't know", "n/a")]
    _, profile, term_sets = judge_team_with_terms(VISION, people)

    assert [respondent_terms(VISION, p) for p in people] == list(term_sets)
    assert term_sets[-1] == frozenset()
    assert profile == TeamProfile.from_term_sets(term_sets)


def test_the_profile_for_respondents_keeps_what_members_need_and_no_more():
    counts = {"a": 1, "b": 2, "c": 3}
    profile = TeamProfile(7, counts)  # 2 of 7 for a newcomer, 1 of 6 for a member

    assert dict(profile.for_newcomers().counts) == {"b": 2, "c": 3}
    assert dict(profile.for_respondents().counts) == counts
    assert dict(TeamProfile(20, counts).for_respondents().counts) == {"c": 3}


def test_a_profile_without_someone_drops_one_from_their_terms_and_the_size():
    profile = TeamProfile(3, {"a": 2, "b": 1})

    assert profile.without(frozenset({"a", "zzz"})) == TeamProfile(2, {"a": 1, "b": 1})
    assert profile.without(frozenset()).size == 2


def test_a_matcher_that_forgets_judges_the_same(monkeypatch):
    """Submissions are judged with a vision's matcher kept between them; once it
    has remembered enough words it starts afresh, with the same verdicts."""
    people = [a for team in load_teams() for a in _answers_of(team)][:12]
    remembering = [judge_respondent(VISION, a, EMPTY_PROFILE) for a in people]
    monkeypatch.setattr(engagement, "MATCHER_MEMORY", 3)
    engagement._readers_for.cache_clear()

    forgetting = [judge_respondent(VISION, a, EMPTY_PROFILE) for a in people]

    assert forgetting == remembering
    readers = engagement._readers_for(VISION, ())
    assert len(readers.matcher(readers.language)._seen) <= 3


def _answers_of(team) -> list[Answers]:
    return [
        Answers(p["respondent"], *(p[key][0] for key in ENGAGEMENT_KEYS))
        for p in team["respondents"]
    ]


def test_judging_a_team_reports_how_many_respondents_it_has_read():
    team = [Answers(f"p{n}", VISION, GOOD_MEANING, GOOD_CONTRIBUTION) for n in range(7)]
    seen: list[int] = []

    judged = judge_team_with_profile(VISION, team, progress=seen.append, every=3)

    assert seen == [3, 6, 7]
    assert judged == judge_team_with_profile(VISION, team)


def test_a_team_of_an_exact_multiple_reports_its_size_once_at_the_end():
    team = [Answers(f"p{n}", VISION, GOOD_MEANING, GOOD_CONTRIBUTION) for n in range(4)]
    seen: list[int] = []

    judge_team_with_profile(VISION, team, progress=seen.append, every=2)

    assert seen == [2, 4]
