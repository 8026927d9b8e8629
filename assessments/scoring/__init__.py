"""The pure scoring engine: frozen dataclasses in, frozen dataclasses out.

Nothing here imports Django or reads the clock: every result depends only on the
arguments, so the same inputs always give the same report. See docs/scoring.md
for the method and its limits.
"""

from assessments.scoring.alignment import (
    AlignmentAnswer,
    AlignmentInput,
    AlignmentResult,
    AlignmentRow,
    assess_alignment,
)
from assessments.scoring.blind_spots import (
    BlindSpot,
    Outcome,
    Prediction,
    PredictionError,
    blind_spots,
    came_closer,
    prediction_error,
)
from assessments.scoring.commitment import (
    ActionInput,
    CommitmentInput,
    CommitmentLevel,
    CommitmentResult,
    Requirement,
    assess_commitment,
    budget_text,
    is_placeholder_name,
)
from assessments.scoring.engagement import (
    Answers,
    AnswerVerdict,
    RespondentJudgement,
    TeamProfile,
    judge_respondent,
    judge_team,
    judge_team_with_profile,
    judge_team_with_terms,
    key_ideas,
    respondent_terms,
)
from assessments.scoring.ideas import (
    KeyIdea,
    ideas_as_data,
    ideas_from_data,
    propose_key_ideas,
)
from assessments.scoring.overrides import (
    Override,
    ReviewedJudgement,
    apply_override,
    review_respondent,
)
from assessments.scoring.report import (
    Answer,
    EngagementDetail,
    Report,
    Status,
    StepReport,
    VisionDetail,
    build_report,
)
from assessments.scoring.summary import (
    DEFAULT_THRESHOLDS,
    EngagementReadiness,
    EngagementSummary,
    EngagementThresholds,
    QuestionTally,
    engagement_ready,
    summarise,
)
from assessments.scoring.text import Word
from assessments.scoring.vision_check import (
    Finding,
    VisionInput,
    check_vision,
    vision_exists,
    vision_is_specific,
)

# Stored with each judgement; raise it whenever a rule or word list changes.
ENGINE_VERSION = "2"

__all__ = [
    "DEFAULT_THRESHOLDS",
    "ENGINE_VERSION",
    "ActionInput",
    "AlignmentAnswer",
    "AlignmentInput",
    "AlignmentResult",
    "AlignmentRow",
    "Answer",
    "AnswerVerdict",
    "Answers",
    "BlindSpot",
    "CommitmentInput",
    "CommitmentLevel",
    "CommitmentResult",
    "EngagementDetail",
    "EngagementReadiness",
    "EngagementSummary",
    "EngagementThresholds",
    "Finding",
    "KeyIdea",
    "Outcome",
    "Override",
    "Prediction",
    "PredictionError",
    "QuestionTally",
    "Report",
    "Requirement",
    "RespondentJudgement",
    "ReviewedJudgement",
    "Status",
    "StepReport",
    "TeamProfile",
    "VisionDetail",
    "VisionInput",
    "Word",
    "apply_override",
    "assess_alignment",
    "assess_commitment",
    "blind_spots",
    "budget_text",
    "build_report",
    "came_closer",
    "check_vision",
    "engagement_ready",
    "ideas_as_data",
    "ideas_from_data",
    "is_placeholder_name",
    "judge_respondent",
    "judge_team",
    "judge_team_with_profile",
    "judge_team_with_terms",
    "key_ideas",
    "prediction_error",
    "propose_key_ideas",
    "respondent_terms",
    "review_respondent",
    "summarise",
    "vision_exists",
    "vision_is_specific",
]
