"""The text layer: normalising, tokenising, stemming, non-answers and platitudes."""

import pytest

from assessments.scoring.text import analyse, listing, normalise, stem, tokenise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Fix IT   fast ", "fix it fast"),
        ("Café crème", "cafe creme"),
        ("ﬁx the bill", "fix the bill"),
        ("don\u2019t know", "don't know"),
        ("line one\x00line two", "line one line two"),
        ("tab\there\nnew line", "tab here new line"),
        ("ZERO\u200bWIDTH", "zero width"),
        ("STRASSE straße", "strasse strasse"),
    ],
)
def test_normalise_folds_case_accents_and_control_characters(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don't know!", ("dont", "know")),
        ("world-class, same-day", ("world", "class", "same", "day")),
        ("I'm new", ("im", "new")),
        ("n/a", ("n", "a")),
        ("110%", ("110",)),
        ("?!-", ()),
        ("🤷 👍", ()),
        ("שירות מהיר", ("שירות", "מהיר")),
    ],
)
def test_tokenise_splits_on_punctuation_and_joins_contractions(text, expected):
    assert tokenise(text) == expected


@pytest.mark.parametrize(
    ("words", "same_stem"),
    [
        (("bill", "bills", "billing"), True),
        (("fix", "fixed", "fixes", "fixing"), True),
        (("reply", "replies", "replied"), True),
        (("fix", "fax"), False),
    ],
)
def test_stemming_merges_plural_and_tense_forms(words, same_stem):
    assert (len({stem(w) for w in words}) == 1) is same_stem


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   ",
        "?",
        "-",
        "...",
        "🤷",
        "\x00",
        "Don't know",
        "DON'T KNOW!!!",
        "dont know",
        "don\u2019t know",
        "I do not know",
        "Not sure",
        "not sure.",
        "No idea",
        "NO IDEA!!",
        "n/a",
        "N/A.",
        "na",
        "None",
        "nothing really",
        "Can't remember",
        "can't remember, sorry",
        "I'm new",
        "Im new here",
        "dunno",
        "idk",
        "IDK",
        "no clue",
        "no clue tbh",
        "dont knwo",
        "I don't know the vision",
        "I'm not sure what it means",
        "No idea, nobody has told me",
        "It's on the poster by the lifts, I can't remember it",
        "Not sure exactly, something about being quick and honest?",
    ],
)
def test_non_answers_are_recognised_whatever_the_case_or_punctuation(answer):
    assert analyse(answer).non_answer is not None


@pytest.mark.parametrize(
    "answer",
    [
        "Fix it fast",
        "Not sure everyone knows it, but: fix it fast and explain plainly",
        "No jargon, plain words, problems fixed fast",
        "No idea is too small: we fix every billing error the same day",
        "I'm new, but I already call customers back the same day",
        "Speed",
    ],
)
def test_real_answers_with_hedges_or_negatives_are_not_non_answers(answer):
    assert analyse(answer).non_answer is None


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ("World-class customer service", "world class"),
        ("We always go above and beyond", "above and beyond"),
        ("The customer is always right", "customer is always right"),
        ("Customers come first", "customers come first"),
        ("Exceeding customer expectations", "exceed customer expectations"),
        ("I always give 110%", "give 110"),
        ("By being a team player", "team player"),
    ],
)
def test_platitudes_are_found_and_removed_from_the_content_words(answer, phrase):
    analysis = analyse(answer)
    assert phrase in analysis.platitudes
    removed = {stem(w) for w in tokenise(phrase)}
    assert not removed & {w.stem for w in analysis.words}


def test_content_words_keep_the_word_as_written_beside_its_stem():
    words = analyse("Billing mistakes fixed").words
    assert [(w.stem, w.text) for w in words] == [
        ("bill", "billing"),
        ("mistak", "mistakes"),
        ("fix", "fixed"),
    ]


@pytest.mark.parametrize(
    ("answer", "first_person", "action"),
    [
        ("I call customers back", True, False),
        ("We call customers back", True, False),
        ("My job is calls", True, False),
        ("Calling customers back the same day", False, True),
        ("By calling customers back", False, True),
        ("Fast refunds for customers", False, False),
        ("Something about refunds", False, False),
    ],
)
def test_personal_actions_are_detected(answer, first_person, action):
    analysis = analyse(answer)
    assert (analysis.first_person, analysis.starts_with_action) == (
        first_person,
        action,
    )


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["a"], "a"),
        (["a", "b", "c"], "a, b, c"),
        (["a", "b", "c", "d", "e", "f", "g", "h"], "a, b, c, d, e, f and 2 more"),
    ],
)
def test_listing_shortens_long_word_lists(words, expected):
    assert listing(words) == expected
