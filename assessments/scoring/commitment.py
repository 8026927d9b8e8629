"""Final step: merely enthusiastic, or fully committed?

"Fully committed" needs all five of:

- time: at least ``MIN_HOURS_PER_WEEK`` (1) hour a week set aside: a few
  minutes is not time given,
- owner: a named owner, a person: a placeholder (``is_placeholder_name``: "tbd",
  "-", "n/a", "someone", "me", ...) names nobody,
- sponsor: a named senior sponsor, likewise,
- actions: at least one action with a due date,
- reassessment: a date to assess again, not before ``today`` and no more than
  ``REASSESS_WITHIN_MONTHS`` (6) calendar months after it.

Anything less is "enthusiastic", with the list of what is missing. Budget (an
amount in a currency) and attention are reported as evidence but are not
required.

Follow-through is the share of actions done on or before their due date (or
done, when they had none), among actions that are done or whose due date has
passed; None while no action is in that group. An overdue action (not done, its
due date before ``today``) is in that group and not on time: left undone, it
counts against follow-through from the day after it was due.

The score weighs what was promised against what was done: while follow-through
is None it is the share of the five requirements met; once an action is done
or due, it is ``1 - FOLLOW_THROUGH_WEIGHT`` (half) of that share plus
``FOLLOW_THROUGH_WEIGHT`` of the follow-through. Every requirement met with 0
of 1 due actions done on time scores 50, not 100.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

REASSESS_WITHIN_MONTHS = 6
FOLLOW_THROUGH_WEIGHT = 0.5

MIN_HOURS_PER_WEEK = 1

# What people type for a name they do not have yet, compared casefolded with its
# spacing made plain and a trailing full stop dropped. Text with no letter at
# all ("-", "?", "...") names nobody either.
PLACEHOLDER_NAMES = frozenset(
    {
        "tbd",
        "tbc",
        "tba",
        "to be decided",
        "to be determined",
        "to be confirmed",
        "n/a",
        "n.a",
        "none",
        "nobody",
        "no one",
        "noone",
        "nil",
        "null",
        "someone",
        "somebody",
        "anyone",
        "anybody",
        "everyone",
        "everybody",
        "me",
        "myself",
        "i",
        "unknown",
        "not sure",
        "not yet",
        "todo",
        "to do",
        "x",
        "xx",
        "xxx",
        "test",
    }
)
_LETTER = re.compile(r"[^\W\d_]")


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

    def is_overdue(self, today: date) -> bool:
        """Not done, and its due date is before ``today``."""
        return self.done_on is None and self.due_on is not None and self.due_on < today


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
    budget_currency: str = ""  # an ISO 4217 code


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
    actions_overdue: int = 0  # among those counted: not done, past their due date

    @property
    def missing(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if not r.met)


def is_placeholder_name(name: str) -> bool:
    """Whether ``name`` stands in for a person rather than naming one ("tbd",
    "-", "n/a", "someone", "me"); a blank name is no placeholder, just none."""
    text = " ".join(name.casefold().split()).removesuffix(".").strip()
    if not text:
        return False
    return text in PLACEHOLDER_NAMES or not _LETTER.search(text)


def budget_text(amount: Decimal | float | None, currency: str) -> str:
    """A budget as people read it, with its currency: "1,500.00 EUR"."""
    if amount is None:
        return "none"
    text = f"{amount:,.2f}"
    return f"{text} {currency}" if currency else f"{text} (currency not given)"


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
    if is_placeholder_name(name):
        return Requirement(key, label, False, f"“{name}” names nobody")
    return Requirement(key, label, bool(name), name or "nobody named")


def _time(hours: Decimal | float | None) -> Requirement:
    label = "Time set aside each week"
    if hours is None or hours <= 0:
        return Requirement("time", label, False, "no weekly time set aside")
    detail = f"{hours:g} hours a week"
    if hours < MIN_HOURS_PER_WEEK:
        detail += f", less than {MIN_HOURS_PER_WEEK} hour"
    return Requirement("time", label, hours >= MIN_HOURS_PER_WEEK, detail)


def _requirements(commitment: CommitmentInput) -> tuple[Requirement, ...]:
    dated = [a for a in commitment.actions if a.due_on is not None]
    return (
        _time(commitment.hours_per_week),
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
        actions_overdue=sum(a.is_overdue(commitment.today) for a in counted),
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
