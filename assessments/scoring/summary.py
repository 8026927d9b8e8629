"""Team engagement readiness: counts, shares and the step 2 thresholds.

The summary holds counts only, so the database can produce the same numbers
with an aggregate query. The team is ready when, by default:

- at least 80% of respondents are engaged (all three answers clear and
  consistent),
- at least 3 people responded, and
- at least 60% of the invited people responded. This check is skipped when the
  number of invitations is unknown.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.scoring.engagement import RespondentJudgement


@dataclass(frozen=True)
class QuestionTally:
    """How many respondents answered one question clearly, consistently, or both."""

    key: str
    clear: int
    consistent: int
    both: int


@dataclass(frozen=True)
class EngagementSummary:
    """Aggregate counts for a team's engagement answers."""

    invitations: int | None
    respondents: int
    engaged: int
    per_question: tuple[QuestionTally, ...]

    @property
    def engaged_share(self) -> float:
        return self.engaged / self.respondents if self.respondents else 0.0

    @property
    def participation(self) -> float | None:
        """Responses per invitation, capped at 1; None when invitations are unknown."""
        if not self.invitations:
            return None
        return min(1.0, self.respondents / self.invitations)

    def tally(self, key: str) -> QuestionTally:
        return next(t for t in self.per_question if t.key == key)


@dataclass(frozen=True)
class EngagementThresholds:
    """What a team needs for step 2's moment of truth to be a yes."""

    min_engaged_share: float = 0.8
    min_respondents: int = 3
    min_participation: float = 0.6


@dataclass(frozen=True)
class EngagementReadiness:
    """Whether step 2 is ready, and each threshold the team falls short of."""

    ready: bool
    shortfalls: tuple[str, ...]


DEFAULT_THRESHOLDS = EngagementThresholds()


def summarise(
    judgements: Iterable[RespondentJudgement], invitations: int | None
) -> EngagementSummary:
    """Count respondents, engaged respondents and per-question decisions."""
    respondents = engaged = 0
    counts = {key: [0, 0, 0] for key in ENGAGEMENT_KEYS}
    for respondent in judgements:
        respondents += 1
        engaged += respondent.engaged
        for key, answer in respondent.answers.items():
            counts[key][0] += answer.clear
            counts[key][1] += answer.consistent
            counts[key][2] += answer.clear and answer.consistent
    per_question = tuple(QuestionTally(key, *counts[key]) for key in ENGAGEMENT_KEYS)
    return EngagementSummary(invitations, respondents, engaged, per_question)


def _percent(share: float) -> str:
    """A share as a whole percentage, rounded down so 79.9% never reads as 80%."""
    return f"{math.floor(share * 100 + 1e-9)}%"


def engagement_ready(
    summary: EngagementSummary, thresholds: EngagementThresholds = DEFAULT_THRESHOLDS
) -> EngagementReadiness:
    """Check a summary against the thresholds, naming every shortfall."""
    shortfalls = []
    if summary.respondents < thresholds.min_respondents:
        shortfalls.append(
            f"{summary.respondents} of the {thresholds.min_respondents} respondents "
            "needed have answered"
        )
    if summary.engaged_share < thresholds.min_engaged_share:
        shortfalls.append(
            f"{summary.engaged} of {summary.respondents} respondents are engaged "
            f"({_percent(summary.engaged_share)}); "
            f"{_percent(thresholds.min_engaged_share)} needed"
        )
    participation = summary.participation
    if participation is not None and participation < thresholds.min_participation:
        shortfalls.append(
            f"{summary.respondents} of {summary.invitations} invited people responded "
            f"({_percent(participation)}); {_percent(thresholds.min_participation)} "
            "needed"
        )
    return EngagementReadiness(not shortfalls, tuple(shortfalls))
