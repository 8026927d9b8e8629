"""Step 1: whether a vision exists, and the advice on how it reads."""

import pytest

from assessments.scoring import (
    VisionInput,
    check_vision,
    vision_exists,
    vision_is_specific,
)

GOOD_VISION = "Fix it fast, explain it plainly, and leave every customer confident."


@pytest.mark.parametrize(
    ("statement", "has_vision", "exists"),
    [
        (GOOD_VISION, True, True),
        (GOOD_VISION, None, True),
        (GOOD_VISION, False, False),
        ("", True, False),
        ("   \n", None, False),
        ("", None, False),
    ],
)
def test_moment_of_truth_is_yes_only_with_a_statement_and_no_no(
    statement, has_vision, exists
):
    assert vision_exists(VisionInput(statement, has_vision)) is exists


def codes(statement):
    return [finding.code for finding in check_vision(statement)]


@pytest.mark.parametrize(
    "statement",
    [
        "World-class customer service.",
        "We exceed expectations every time.",
        "Best-in-class support for every client.",
        "Excellent customer service.",
        "A customer-centric culture in every call.",
        "Great service, happy customers.",
    ],
)
def test_generic_wording_is_flagged(statement):
    assert codes(statement) == ["generic"]


def test_generic_finding_quotes_the_stock_phrases():
    (finding,) = check_vision("We deliver world-class service and exceed expectations")
    assert "'world class', 'exceed expectations'" in finding.message


@pytest.mark.parametrize(
    "statement",
    [
        "Don't keep customers waiting. Never pass the buck.",
        "No customer left on hold; no excuses.",
        "Do not guess, do not blame.",
    ],
)
def test_a_vision_of_only_prohibitions_is_flagged(statement):
    assert codes(statement) == ["prohibitions"]


@pytest.mark.parametrize(
    "statement",
    [
        "Never guess: find out, then fix it.",
        "Fix it fast; don't make customers chase us.",
    ],
)
def test_a_prohibition_beside_a_positive_clause_is_not_flagged(statement):
    assert "prohibitions" not in codes(statement)


def test_a_vision_too_long_to_remember_is_flagged_with_its_word_count():
    statement = " ".join(["Every rider leaves with a bike that works"] * 4)
    (finding,) = check_vision(statement)
    assert finding.code == "too_long"
    assert finding.message.startswith("Has 32 words")


def test_a_vision_of_exactly_the_word_limit_is_not_too_long():
    assert "too_long" not in codes(" ".join(["fix"] * 25))


@pytest.mark.parametrize(
    ("statement", "acronyms"),
    [
        ("Hit our SLA and KPI targets while keeping NPS high.", "SLA, KPI, NPS"),
        ("Every call ends with a clear next step, so csat follows.", "csat"),
        ("Cut AHT without cutting corners.", "AHT"),
        ("Resolve every ticket per the QRT guide.", "QRT"),
    ],
)
def test_jargon_and_internal_acronyms_are_flagged(statement, acronyms):
    (finding,) = check_vision(statement)
    assert finding.code == "jargon"
    assert acronyms in finding.message


@pytest.mark.parametrize(
    "statement",
    [
        "FIX IT FAST AND EXPLAIN IT PLAINLY",
        "Help every customer in the UK get their parcel on time.",
    ],
)
def test_capitals_that_are_not_jargon_are_not_flagged(statement):
    assert "jargon" not in codes(statement)


def test_a_specific_vision_gets_no_advice():
    assert check_vision(GOOD_VISION) == ()


def test_a_missing_statement_is_the_only_finding():
    assert codes("  ") == ["missing"]


def test_several_problems_give_several_findings_in_a_fixed_order():
    statement = (
        "Never miss our SLA. Don't let world-class standards slip. No customer ever "
        "waits on hold longer than the KPI allows, no matter how busy the team and "
        "the phones are today."
    )
    assert codes(statement) == ["generic", "prohibitions", "too_long", "jargon"]


@pytest.mark.parametrize(
    "statement",
    [
        "world-class customer service",
        "World-class service and exceed expectations.",
        "Excellent customer experience, always.",
        "Great service for every customer.",
    ],
)
def test_stock_phrases_and_general_words_alone_are_not_specific(statement):
    assert vision_is_specific(statement) is False


@pytest.mark.parametrize(
    "statement",
    [
        GOOD_VISION,
        "Every billing question settled on the first call.",
        "World-class service: every bill explained on the first call.",
        "Un appel, un responsable.",
    ],
)
def test_a_vision_naming_something_a_customer_notices_is_specific(statement):
    assert vision_is_specific(statement) is True
