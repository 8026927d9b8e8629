"""The readiness report: the four steps in order, each closed by its moment of truth.

Each step is assessed on its own data first: its moment-of-truth answer, a score
from 0 to 100, the evidence behind it and two to four next actions.

- 1 Vision: yes when a statement exists, says something specific, and the
  manager did not answer no. Score 0 without a statement, ``MIN_VISION_SCORE``
  for one made only of stock phrases and general words, else 100 minus
  ``FINDING_PENALTY`` per vision-check finding, never below ``MIN_VISION_SCORE``.
- 2 Engagement: yes when ``engagement_ready`` passes. Score = engaged share.
- 3 Alignment: yes when every question is rated 4+ with evidence. Score = the
  mean question score.
- 4 Commitment: yes when fully committed. Score = share of the five
  requirements met.

Then the gate, as the framework orders it: the first step whose answer is no is
"not yet", and every step after it is "blocked" by that step's number. A blocked
step still shows its data, marked provisional.
"""

from dataclasses import dataclass
from enum import StrEnum

from assessments.catalogue import ENGAGEMENT_QUESTIONS, STEPS
from assessments.scoring import advice
from assessments.scoring.alignment import (
    AlignmentInput,
    AlignmentResult,
    assess_alignment,
)
from assessments.scoring.commitment import (
    CommitmentInput,
    CommitmentLevel,
    CommitmentResult,
    assess_commitment,
    budget_text,
)
from assessments.scoring.numbers import percent
from assessments.scoring.summary import (
    DEFAULT_THRESHOLDS,
    EngagementReadiness,
    EngagementSummary,
    EngagementThresholds,
    engagement_ready,
)
from assessments.scoring.vision_check import (
    GENERIC_ONLY,
    Finding,
    VisionInput,
    check_vision,
    vision_exists,
    vision_is_specific,
)

FINDING_PENALTY = 15
MIN_VISION_SCORE = 40
QUOTE_LENGTH = 200


class Status(StrEnum):
    READY = "ready"
    NOT_YET = "not_yet"
    BLOCKED = "blocked"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class VisionDetail:
    statement: str
    has_vision: bool | None
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class EngagementDetail:
    summary: EngagementSummary
    thresholds: EngagementThresholds
    readiness: EngagementReadiness


type StepDetail = VisionDetail | EngagementDetail | AlignmentResult | CommitmentResult


@dataclass(frozen=True)
class StepReport:
    """One step's place in the report: gate status, score, evidence and actions."""

    number: int
    key: str
    name: str
    moment_of_truth: str
    answer: Answer
    status: Status
    blocked_by: int | None
    score: int
    evidence: tuple[str, ...]
    next_actions: tuple[str, ...]
    provisional: bool
    detail: StepDetail


@dataclass(frozen=True)
class Report:
    """The four steps in order."""

    steps: tuple[StepReport, ...]

    @property
    def first_blocker(self) -> StepReport | None:
        """The step to work on first: the first whose moment of truth is no."""
        return next((s for s in self.steps if s.status is Status.NOT_YET), None)

    @property
    def ready(self) -> bool:
        return self.first_blocker is None

    @property
    def headline(self) -> str:
        blocker = self.first_blocker
        if blocker is None:
            return "All four steps are ready: keep the improvements going."
        return (
            f"Start with step {blocker.number}, {blocker.name}: "
            f"{blocker.next_actions[0]}"
        )

    @property
    def gating(self) -> str | None:
        """Which steps wait, and for what: the order the framework asks for."""
        blocker = self.first_blocker
        waiting = [s.number for s in self.steps if s.status is Status.BLOCKED]
        if blocker is None or not waiting:
            return None
        numbers = " and ".join(
            [", ".join(str(n) for n in waiting[:-1]), str(waiting[-1])]
            if len(waiting) > 1
            else [str(waiting[0])]
        )
        plural = "Steps" if len(waiting) > 1 else "Step"
        verb = "wait" if len(waiting) > 1 else "waits"
        return (
            f"{plural} {numbers} {verb} until step {blocker.number}, {blocker.name}, "
            "is ready: fix it first."
        )

    def step(self, key: str) -> StepReport:
        return next(s for s in self.steps if s.key == key)


@dataclass(frozen=True)
class _Assessed:
    """A step judged on its own data, before the gate is applied."""

    ready: bool
    score: float
    evidence: tuple[str, ...]
    next_actions: tuple[str, ...]
    detail: StepDetail


def _percent(share: float) -> str:
    return percent(share)


def _assess_vision(vision: VisionInput) -> _Assessed:
    statement = vision.statement.strip()
    findings = check_vision(statement)
    exists = vision_exists(vision)
    specific = vision_is_specific(statement)
    answered = {True: "yes", False: "no", None: "not answered"}[vision.has_vision]
    evidence = [f"Manager's answer: {answered}"]
    if statement:
        quote = statement[:QUOTE_LENGTH] + (
            "…" if len(statement) > QUOTE_LENGTH else ""
        )
        evidence.insert(0, f"Vision statement: \u201c{quote}\u201d")
        score = max(MIN_VISION_SCORE, 100 - FINDING_PENALTY * len(findings))
        if not specific:
            evidence.append(GENERIC_ONLY)
            score = MIN_VISION_SCORE
    else:
        score = 0
    evidence += [f.message for f in findings] or ["Nothing stands out in how it reads."]
    return _Assessed(
        ready=exists and specific,
        score=score / 100,
        evidence=tuple(evidence),
        next_actions=advice.vision_actions(
            exists, bool(statement), findings, specific=specific
        ),
        detail=VisionDetail(statement, vision.has_vision, findings),
    )


def _assess_engagement(
    summary: EngagementSummary, thresholds: EngagementThresholds
) -> _Assessed:
    readiness = engagement_ready(summary, thresholds)
    evidence = [
        f"{summary.engaged} of {summary.respondents} respondents engaged "
        f"({_percent(summary.engaged_share)}; "
        f"{_percent(thresholds.min_engaged_share)} needed)",
        f"{summary.respondents} respondents ({thresholds.min_respondents} needed)",
    ]
    if summary.participation is None:
        evidence.append("Invitations sent: not known, so participation is not checked")
    else:
        evidence.append(
            f"{summary.respondents} of {summary.invitations} invited people responded "
            f"({_percent(summary.participation)}; "
            f"{_percent(thresholds.min_participation)} needed)"
        )
    questions = {q.key: q.text for q in ENGAGEMENT_QUESTIONS}
    evidence += [
        f"{questions[t.key]} \u2014 {t.clear} clear, {t.consistent} consistent, "
        f"{t.both} both"
        for t in summary.per_question
    ]
    return _Assessed(
        ready=readiness.ready,
        score=summary.engaged_share,
        evidence=tuple(evidence),
        next_actions=advice.engagement_actions(summary, readiness, thresholds),
        detail=EngagementDetail(summary, thresholds, readiness),
    )


def _assess_alignment(alignment: AlignmentInput) -> _Assessed:
    result = assess_alignment(alignment)
    evidence = tuple(
        f"{row.key.capitalize()}: "
        + ("; ".join(row.notes) or f"rated {row.rating} with evidence")
        for row in result.rows
    )
    return _Assessed(
        ready=result.ready,
        score=result.score,
        evidence=evidence,
        next_actions=advice.alignment_actions(result),
        detail=result,
    )


def _assess_commitment(commitment: CommitmentInput) -> _Assessed:
    result = assess_commitment(commitment)
    evidence = [
        f"{r.label}: {r.detail}" + ("" if r.met else " (missing)")
        for r in result.requirements
    ]
    budget_set = bool(commitment.budget and commitment.budget > 0)
    attention = commitment.attention.strip()
    evidence.append(
        f"Budget: {budget_text(commitment.budget, commitment.budget_currency)}"
        if budget_set
        else "Budget: none"
    )
    evidence.append(
        f"Attention: {attention}" if attention else "Attention: not described"
    )
    if result.follow_through is not None:
        evidence.append(
            f"{result.actions_on_time} of {result.actions_counted} actions due so far "
            f"were done on time ({_percent(result.follow_through)})"
            + (f"; {result.actions_overdue} overdue" if result.actions_overdue else "")
        )
    return _Assessed(
        ready=result.level is CommitmentLevel.FULLY_COMMITTED,
        score=result.score,
        evidence=tuple(evidence),
        next_actions=advice.commitment_actions(result, budget_set, bool(attention)),
        detail=result,
    )


def build_report(
    *,
    vision: VisionInput,
    engagement: EngagementSummary,
    engagement_thresholds: EngagementThresholds = DEFAULT_THRESHOLDS,
    alignment: AlignmentInput,
    commitment: CommitmentInput,
) -> Report:
    """Assess the four steps, then gate them in order."""
    assessed = (
        _assess_vision(vision),
        _assess_engagement(engagement, engagement_thresholds),
        _assess_alignment(alignment),
        _assess_commitment(commitment),
    )
    steps = []
    blocked_by = None
    for spec, step in zip(STEPS, assessed, strict=True):
        if blocked_by is not None:
            status = Status.BLOCKED
        else:
            status = Status.READY if step.ready else Status.NOT_YET
        steps.append(
            StepReport(
                number=spec.number,
                key=spec.key,
                name=spec.name,
                moment_of_truth=spec.moment_of_truth,
                answer=Answer.YES if step.ready else Answer.NO,
                status=status,
                blocked_by=blocked_by,
                score=round(step.score * 100),
                evidence=step.evidence,
                next_actions=step.next_actions,
                provisional=status is Status.BLOCKED,
                detail=step.detail,
            )
        )
        if blocked_by is None and not step.ready:
            blocked_by = spec.number
    return Report(tuple(steps))
