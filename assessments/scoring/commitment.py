"""Final step: merely enthusiastic, or fully committed?

"Fully committed" needs all five of:

- time: more than 0 hours a week set aside,
- owner: a named owner,
- sponsor: a named senior sponsor,
- actions: at least one action with a due date,
- reassessment: a date to assess again, not before ``today`` and no more than
  ``REASSESS_WITHIN_MONTHS`` (6) calendar months after it.

Anything less is "enthusiastic", with the list of what is missing. Budget and
attention are reported as evidence but are not required.

Follow-through is the share of actions done on or before their due date (or
done, when they had none), among actions that are done or whose due date has
passed; None while no action is in that group.

The score weighs what was promised against what was done: while follow-through
is None it is the share of the five requirements met; once an action is done
or due, it is ``1 - FOLLOW_THROUGH_WEIGHT`` (half) of that share plus
``FOLLOW_THROUGH_WEIGHT`` of the follow-through. Every requirement met with 0
of 1 due actions done on time scores 50, not 100.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

REASSESS_WITHIN_MONTHS = 6
FOLLOW_THROUGH_WEIGHT = 0.5


class CommitmentLevel(StrEnum):
    FULLY_COMMITTED = "fully_committed"
    ENTHUSIASTIC = "enthusiastic"


@dataclass(frozen=True)
class ActionInput:
    """One concrete improvement with its dates."""

    title: str
    owner: str = ""
    due_on: date | None = None
    done_on: date | None = None


@dataclass(frozen=True)
class CommitmentInput:
    """The evidence of commitment, and the day it is judged on."""

    hours_per_week: Decimal | float | None
    budget: Decimal | float | None
    attention: str
    owner: str
    sponsor: str
    reassess_on: date | None
    actions: tuple[ActionInput, ...]
    today: date


@dataclass(frozen=True)
class Requirement:
    """One of the five things full commitment needs, and how this team stands."""

    key: str
    label: str
    met: bool
    detail: str


@dataclass(frozen=True)
class CommitmentResult:
    """The commitment level, each requirement, and the follow-through so far."""

    level: CommitmentLevel
    requirements: tuple[Requirement, ...]
    follow_through: float | None
    actions_on_time: int
    actions_counted: int
    score: float

    @property
    def missing(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if not r.met)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later, clipped to the month's end."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _reassessment(reassess_on: date | None, today: date) -> Requirement:
    label = "A date to assess again within six months"
    latest = add_months(today, REASSESS_WITHIN_MONTHS)
    if reassess_on is None:
        return Requirement("reassessment", label, False, "no date set")
    if reassess_on < today:
        return Requirement(
            "reassessment", label, False, f"{reassess_on:%d %b %Y} is in the past"
        )
    if reassess_on > latest:
        return Requirement(
            "reassessment",
            label,
            False,
            f"{reassess_on:%d %b %Y} is more than six months away",
        )
    return Requirement(
        "reassessment", label, True, f"booked for {reassess_on:%d %b %Y}"
    )


def _named(key: str, label: str, name: str) -> Requirement:
    name = name.strip()
    return Requirement(key, label, bool(name), name or "nobody named")


def _requirements(commitment: CommitmentInput) -> tuple[Requirement, ...]:
    hours = commitment.hours_per_week
    has_time = hours is not None and hours > 0
    dated = [a for a in commitment.actions if a.due_on is not None]
    return (
        Requirement(
            "time",
            "Time set aside each week",
            has_time,
            f"{hours:g} hours a week" if has_time else "no weekly time set aside",
        ),
        _named("owner", "A named owner", commitment.owner),
        _named("sponsor", "A senior sponsor", commitment.sponsor),
        Requirement(
            "actions",
            "At least one action with a due date",
            bool(dated),
            f"{len(dated)} of {len(commitment.actions)} actions have a due date",
        ),
        _reassessment(commitment.reassess_on, commitment.today),
    )


def _on_time(action: ActionInput) -> bool:
    return action.done_on is not None and (
        action.due_on is None or action.done_on <= action.due_on
    )


def assess_commitment(commitment: CommitmentInput) -> CommitmentResult:
    """Decide between fully committed and enthusiastic, and measure follow-through."""
    requirements = _requirements(commitment)
    counted = [
        a
        for a in commitment.actions
        if a.done_on is not None
        or (a.due_on is not None and a.due_on < commitment.today)
    ]
    on_time = sum(_on_time(a) for a in counted)
    all_met = all(r.met for r in requirements)
    follow_through = on_time / len(counted) if counted else None
    return CommitmentResult(
        level=CommitmentLevel.FULLY_COMMITTED
        if all_met
        else CommitmentLevel.ENTHUSIASTIC,
        requirements=requirements,
        follow_through=follow_through,
        actions_on_time=on_time,
        actions_counted=len(counted),
        score=commitment_score(
            sum(r.met for r in requirements) / len(requirements), follow_through
        ),
    )


def commitment_score(met_share: float, follow_through: float | None) -> float:
    """The step's score in [0, 1]: the requirements met, weighed with the
    follow-through once there is any to measure."""
    if follow_through is None:
        return met_share
    return (
        1 - FOLLOW_THROUGH_WEIGHT
    ) * met_share + FOLLOW_THROUGH_WEIGHT * follow_through
