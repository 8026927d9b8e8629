"""What the app accepts as text."""

import sys
import unicodedata

from assessments.limits import ALLOWED_CONTROLS, has_control_characters


def test_control_characters_are_exactly_unicodes_cc_but_tab_and_line_breaks():
    refused = {
        char
        for char in map(chr, range(sys.maxunicode + 1))
        if unicodedata.category(char) == "Cc" and char not in ALLOWED_CONTROLS
    }
    every = map(chr, range(sys.maxunicode + 1))
    found = {char for char in every if has_control_characters(char)}

    assert found == refused
    assert not has_control_characters("Tabs\tand\r\nline breaks, ümlauts, 🙂")
    assert has_control_characters("a NUL \x00 inside")
