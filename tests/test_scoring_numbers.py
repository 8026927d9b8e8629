"""One rounding rule for every figure the report writes."""

import pytest

from assessments.scoring.numbers import signed_tenths, tenths


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (3.25, "3.3"),  # format() would write 3.2: halves to even
        (3.35, "3.4"),  # a float just under 3.35
        (2.0, "2.0"),
        (4.449, "4.4"),
        (-0.25, "-0.3"),
        (-0.04, "0.0"),  # never "-0.0"
    ],
)
def test_means_are_written_to_one_decimal_halves_away_from_zero(value, written):
    assert tenths(value) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [(0.75, "+0.8"), (-0.25, "-0.3"), (0.0, "0.0"), (0.04, "0.0"), (-1.45, "-1.5")],
)
def test_gaps_are_written_with_their_sign(value, written):
    assert signed_tenths(value) == written
