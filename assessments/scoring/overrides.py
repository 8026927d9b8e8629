"""Manager overrides of the engine's engagement judgements.

A manager may set clear and/or consistent on any answer, with a reason. The
effective judgement takes the manager's decisions; the score behind an
overridden decision becomes 1.0 (yes) or 0.0 (no) so that every decision still
follows its score, and the reasons end with the manager's. The engine's own
judgement is kept beside it, so a report can show both.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from assessments.scoring.engagement import (
    AnswerVerdict,
    RespondentJudgement,
    judgement,
    respondent_judgement,
)


@dataclass(frozen=True)
class Override:
    """A manager's decision on one answer; None leaves the engine's decision."""

    reason: str
    clear: bool | None = None
    consistent: bool | None = None

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("An override needs a reason.")
        if self.clear is None and self.consistent is None:
            raise ValueError("An override must set clear, consistent or both.")


@dataclass(frozen=True)
class ReviewedJudgement:
    """The engine's judgement of an answer and, after any override, the one in force."""

    engine: AnswerVerdict
    effective: AnswerVerdict
    override: Override | None

    @property
    def overridden(self) -> bool:
        return self.override is not None


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def apply_override(
    engine: AnswerVerdict, override: Override | None
) -> ReviewedJudgement:
    """The judgement in force once a manager's override (if any) is applied."""
    if override is None:
        return ReviewedJudgement(engine, engine, None)
    clarity = engine.clarity if override.clear is None else float(override.clear)
    consistency = (
        engine.consistency
        if override.consistent is None
        else float(override.consistent)
    )
    changes = [
        f"{name}: {_yes_no(value)}"
        for name, value in (
            ("clear", override.clear),
            ("consistent", override.consistent),
        )
        if value is not None
    ]
    note = f"manager set {', '.join(changes)}: {override.reason.strip()}"
    effective = judgement(clarity, consistency, (*engine.reasons, note))
    return ReviewedJudgement(engine, effective, override)


def review_respondent(
    engine: RespondentJudgement, overrides: Mapping[str, Override]
) -> RespondentJudgement:
    """A respondent's judgements in force, with engaged worked out again."""
    effective = {
        key: apply_override(answer, overrides.get(key)).effective
        for key, answer in engine.answers.items()
    }
    return respondent_judgement(engine.respondent, effective)
