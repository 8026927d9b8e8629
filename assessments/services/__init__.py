"""Every write of the app, one module per sub-domain; call sites read
``services.<entity>_<action>``. Each workflow is one atomic function."""

from assessments.services.answers import (
    IMPORT_ROUND_CLOSED,
    require_importable,
    responses_import,
)
from assessments.services.demo import demo_manager_ensure, demo_round_create
from assessments.services.invitations import (
    ALREADY_INVITED,
    EMAIL_FAILED,
    Invitee,
    IssuedInvitation,
    invitation_reissue,
    invitations_create,
    invitations_remind,
    invitations_send,
    members_invite,
    survey_url,
)
from assessments.services.judging import (
    OVERRIDE_NEEDS_A_REASON,
    assessment_rescore,
    judgement_override,
    readiness_refresh,
    respondent_judge,
    response_correct,
)
from assessments.services.rounds import (
    PRIVACY_FIELDS,
    PRIVACY_FROZEN,
    ROUND_CLOSED,
    ROUND_NOT_OPEN,
    assessment_close,
    assessment_create,
    assessment_open,
    assessment_update,
    response_timestamp,
)
from assessments.services.steps import (
    STALE_REVISION,
    Rating,
    action_create,
    action_delete,
    action_update,
    alignment_update,
    commitment_update,
    vision_update,
)
from assessments.services.survey import response_build, response_submit
from assessments.services.teams import (
    ALREADY_A_MANAGER,
    NO_SUCH_ACCOUNT,
    team_create,
    team_manager_add,
)

__all__ = [
    "ALREADY_A_MANAGER",
    "ALREADY_INVITED",
    "EMAIL_FAILED",
    "IMPORT_ROUND_CLOSED",
    "NO_SUCH_ACCOUNT",
    "OVERRIDE_NEEDS_A_REASON",
    "PRIVACY_FIELDS",
    "PRIVACY_FROZEN",
    "ROUND_CLOSED",
    "ROUND_NOT_OPEN",
    "STALE_REVISION",
    "Invitee",
    "IssuedInvitation",
    "Rating",
    "action_create",
    "action_delete",
    "action_update",
    "alignment_update",
    "assessment_close",
    "assessment_create",
    "assessment_open",
    "assessment_rescore",
    "assessment_update",
    "commitment_update",
    "demo_manager_ensure",
    "demo_round_create",
    "invitation_reissue",
    "invitations_create",
    "invitations_remind",
    "invitations_send",
    "judgement_override",
    "members_invite",
    "readiness_refresh",
    "require_importable",
    "respondent_judge",
    "response_build",
    "response_correct",
    "response_submit",
    "response_timestamp",
    "responses_import",
    "survey_url",
    "team_create",
    "team_manager_add",
    "vision_update",
]
