"""Survey-link tokens, respondents' edit codes and the keyed hashes of both."""

import pytest

from assessments import tokens


def test_an_edit_code_is_20_characters_in_groups_of_4_from_an_unambiguous_set():
    code = tokens.new_edit_code()

    groups = code.split("-")
    assert [len(group) for group in groups] == [4] * 5
    assert set("".join(groups)) <= set(tokens.EDIT_CODE_ALPHABET)
    assert not set("ILOU") & set(code)
    assert len({tokens.new_edit_code() for _ in range(100)}) == 100


@pytest.mark.parametrize(
    "typed",
    [
        "7K2M-9QXD-4HTW-R8ZB-C3NP",
        " 7k2m 9qxd 4htw r8zb c3np ",
        "7K2M9QXD4HTWR8ZBC3NP",
    ],
)
def test_an_edit_code_is_read_however_it_is_typed(typed):
    assert tokens.edit_code_normalize(typed) == "7K2M-9QXD-4HTW-R8ZB-C3NP"


def test_letters_that_look_like_digits_are_read_as_the_digits():
    assert tokens.edit_code_normalize("OOOO-IIII-LLLL-0000-1111") == (
        "0000-1111-1111-0000-1111"
    )


@pytest.mark.parametrize(
    "typed",
    ["", "7K2M-9QXD-4HTW", "7K2M-9QXD-4HTW-R8ZB-C3NPX", "7K2M-9QXD-4HTW-R8ZB-C3NU"],
)
def test_what_cannot_be_an_edit_code_is_refused(typed):
    assert tokens.edit_code_normalize(typed) is None


def test_each_purpose_has_its_own_hash():
    token = tokens.new_token()
    code = tokens.new_edit_code()
    stored = tokens.invitation_hash(token)

    hashes = {
        stored,
        tokens.respondent_key(token),
        tokens.link_key(stored),
        tokens.edit_key(code),
    }
    assert len(hashes) == 4
    assert tokens.link_key(stored) != tokens.respondent_key(stored)
