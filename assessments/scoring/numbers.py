"""How the report writes its figures: one rounding rule for tables, charts and text.

Means and gaps are written to one decimal place, halves rounded away from zero
(3.25 is 3.3, -0.25 is -0.3), so a figure reads the same wherever it appears.
Python's own ``round`` and ``format`` round halves to even, and binary floats
hold 3.25 exactly but 3.35 as 3.34999..., so both go through ``Decimal`` from
the float's shortest text.
"""

from decimal import ROUND_HALF_UP, Decimal

TENTH = Decimal("0.1")


def one_decimal(value: float) -> Decimal:
    """``value`` rounded to one decimal place, halves away from zero."""
    return Decimal(repr(float(value))).quantize(TENTH, rounding=ROUND_HALF_UP)


def tenths(value: float) -> str:
    """``value`` as the report writes a mean: one decimal place, "3.3"."""
    rounded = one_decimal(value)
    return str(rounded if rounded else abs(rounded))


def signed_tenths(value: float) -> str:
    """``value`` as the report writes a gap: signed, "+0.8", "-0.3", "0.0"."""
    rounded = one_decimal(value)
    if not rounded:
        return "0.0"
    return f"{rounded:+}"


def percent(share: float) -> str:
    """``share`` (0 to 1) as a whole percentage, halves up: "63%"."""
    whole = Decimal(repr(float(share) * 100)).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{whole}%"


def signed_points(value: float) -> str:
    """``value`` (percentage points) as a signed whole number, halves away from
    zero: "+12", "-3", "0"."""
    whole = Decimal(repr(float(value))).quantize(Decimal(1), ROUND_HALF_UP)
    if not whole:
        return "0"
    return f"{whole:+}"


def whole_points(value: float) -> Decimal:
    """``value`` (percentage points) rounded to a whole number, halves away from
    zero, as ``signed_points`` writes it."""
    return Decimal(repr(float(value))).quantize(Decimal(1), ROUND_HALF_UP)
