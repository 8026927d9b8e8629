"""The manager's prediction against the team's result: the blind spots.

Before a round's first answers show, the manager predicts the share of the team
who will be engaged (0-100 %) and, where the team rates alignment, the team's
mean rating (1-5) of each alignment question. Once the result shows, each item
predicted and shown gives a gap, **result minus prediction**: positive when the
team does better than the manager expected, negative when worse.

- The engaged share's gap is in percentage points, rounded to a whole point; it
  is flagged a blind spot at ``SHARE_FLAG`` (15) points or more either way.
- A rating's gap is in rating points, rounded to one decimal as the report
  writes gaps (``numbers.one_decimal``); it is flagged at ``RATING_FLAG`` (1.0)
  point or more either way.
- An item not predicted, or whose result the round does not show, has no gap.

Over rounds, a round's prediction error is the mean absolute gap, separately
for the engaged share (points) and the ratings (rating points, over the items
with a gap); the predictions came closer when the latest round's error is below
the one before it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from assessments.catalogue import ALIGNMENT_QUESTIONS
from assessments.scoring.numbers import (
    one_decimal,
    percent,
    signed_points,
    signed_tenths,
    tenths,
    whole_points,
)

SHARE_FLAG = 15  # percentage points
RATING_FLAG = 1.0  # rating points
ENGAGED = "engaged"
LABELS = {q.key: q.key.capitalize() for q in ALIGNMENT_QUESTIONS}


@dataclass(frozen=True)
class Prediction:
    """What the manager predicted: the engaged share in percent (0-100) and the
    team's rating of each alignment question (1-5), by key; None not predicted."""

    engaged_share: int | None = None
    ratings: Mapping[str, int | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.engaged_share is not None and not 0 <= self.engaged_share <= 100:
            raise ValueError(f"A share is 0 to 100, not {self.engaged_share}.")
        for key, rating in self.ratings.items():
            if rating is not None and not 1 <= rating <= 5:
                raise ValueError(f"A rating is 1 to 5, not {rating} for {key}.")


@dataclass(frozen=True)
class Outcome:
    """What the round shows: its engaged share (0 to 1) and the team's mean
    rating of each question, by key; None where the round shows none."""

    engaged_share: float | None = None
    team_means: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class BlindSpot:
    """One item: the prediction beside the result, the gap and its sentence."""

    key: str  # "engaged" or an alignment question's key
    label: str
    predicted: str  # as written: "70%", "4"; "" when not predicted
    result: str  # "55%", "3.2"; "" when the round does not show it
    gap: float | None  # result minus prediction, rounded; None without both
    gap_text: str  # "-15 points", "+0.8"; "" without a gap
    flagged: bool
    sentence: str


def _share_spot(predicted: int | None, result: float | None) -> BlindSpot:
    label = "Engaged share"
    shown = "" if result is None else percent(result)
    written = "" if predicted is None else f"{predicted}%"
    if predicted is None or result is None:
        return BlindSpot(ENGAGED, label, written, shown, None, "", False, "")
    gap = float(whole_points(result * 100 - predicted))
    points = abs(int(gap))
    unit = "point" if points == 1 else "points"
    if not gap:
        sentence = f"{shown} of the team are engaged, as you predicted."
    else:
        direction = "more" if gap > 0 else "fewer"
        sentence = (
            f"{shown} of the team are engaged: {points} {unit} {direction} than "
            f"the {written} you predicted."
        )
    return BlindSpot(
        ENGAGED,
        label,
        written,
        shown,
        gap,
        f"{signed_points(gap)} {unit}",
        abs(gap) >= SHARE_FLAG,
        sentence,
    )


def _rating_spot(key: str, predicted: int | None, mean: float | None) -> BlindSpot:
    label = LABELS.get(key, key.capitalize())
    shown = "" if mean is None else tenths(mean)
    written = "" if predicted is None else str(predicted)
    if predicted is None or mean is None:
        return BlindSpot(key, label, written, shown, None, "", False, "")
    gap = float(one_decimal(mean - predicted))
    if not gap:
        sentence = f"The team rated {label} as you predicted."
    else:
        direction = "higher" if gap > 0 else "lower"
        points = tenths(abs(gap))
        unit = "point" if points == "1.0" else "points"
        sentence = (
            f"The team rated {label} {points} {unit} {direction} than you predicted."
        )
    return BlindSpot(
        key,
        label,
        written,
        shown,
        gap,
        signed_tenths(gap),
        abs(gap) >= RATING_FLAG,
        sentence,
    )


def blind_spots(
    prediction: Prediction, outcome: Outcome, *, rating_keys: Sequence[str] = ()
) -> tuple[BlindSpot, ...]:
    """Each item, the engaged share first and then ``rating_keys`` in order
    (the alignment questions the round asks the team), with its gap."""
    spots = [_share_spot(prediction.engaged_share, outcome.engaged_share)]
    for key in rating_keys:
        spots.append(
            _rating_spot(key, prediction.ratings.get(key), outcome.team_means.get(key))
        )
    return tuple(spots)


@dataclass(frozen=True)
class PredictionError:
    """A round's mean absolute gap: the engaged share's in points, the ratings'
    in rating points; None where no item of that kind has a gap."""

    engaged_share: float | None
    ratings: float | None


def prediction_error(spots: Sequence[BlindSpot]) -> PredictionError:
    """The mean absolute gap of ``spots`` (``blind_spots``), by kind."""
    share = [abs(s.gap) for s in spots if s.key == ENGAGED and s.gap is not None]
    ratings = [abs(s.gap) for s in spots if s.key != ENGAGED and s.gap is not None]
    return PredictionError(
        engaged_share=share[0] if share else None,
        ratings=float(one_decimal(sum(ratings) / len(ratings))) if ratings else None,
    )


def came_closer(errors: Sequence[float | None]) -> bool | None:
    """Whether the latest error (in round order) is below the one before it,
    skipping rounds without one; None with fewer than two."""
    known = [error for error in errors if error is not None]
    if len(known) < 2:
        return None
    return known[-1] < known[-2]
