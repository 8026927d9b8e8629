"""A team member's personal link, read in one query with what the survey needs.

The survey is the one page everyone in a round opens, so it reads exactly what it
shows and judges with, as plain values: the invitation, its round, the round's
team name and vision, and the team profile new answers are judged against.
"""

import json
from dataclasses import dataclass

from django.db import connection
from django.db.utils import InterfaceError, OperationalError

from assessments import scoring, tokens
from assessments.models import Assessment, Invitation
from assessments.statements import Statement

LOOKUP = Statement(
    "servicecult_survey_link",
    """
    SELECT i.id, i.status, i.name, a.id, a.status, a.anonymous,
           a.min_group_for_scores, a.min_group_for_verbatims,
           a.team_rates_alignment, a.catalogue_version, a.team_profile,
           t.name, v.statement
    FROM assessments_invitation i
    JOIN assessments_assessment a ON a.id = i.assessment_id
    JOIN assessments_team t ON t.id = a.team_id
    LEFT JOIN assessments_vision v ON v.assessment_id = a.id
    WHERE i.token_hash = $1 AND i.status <> $2
    """,
    ("text", "text"),
)


@dataclass(frozen=True)
class SurveyLink:
    invitation_id: int
    invitation_status: str
    invitee_name: str
    assessment_id: int
    status: str
    anonymous: bool
    min_group_for_scores: int
    min_group_for_verbatims: int
    team_rates_alignment: bool
    catalogue_version: int
    team_profile: scoring.TeamProfile
    team_name: str
    vision: str

    @property
    def is_open(self) -> bool:
        return self.status == Assessment.Status.OPEN

    @property
    def answered(self) -> bool:
        return self.invitation_status == Invitation.Status.RESPONDED


def link_lookup(token: str) -> SurveyLink | None:
    """The live link for ``token``; None for an unknown or revoked one.

    The look-up is the survey's first query. On a persistent connection Django
    would first check the connection with a ``SELECT 1`` of its own (a round trip
    for every survey request); the look-up, a read that is safe to repeat, checks
    it instead: when the connection has died since the last request (a database
    restart, say), the look-up runs once more on a new one.
    """
    if not _health_check_pending():
        return _read_link(token)
    connection.health_check_done = True
    try:
        return _read_link(token)
    except (OperationalError, InterfaceError):
        connection.close()
        return _read_link(token)


def _health_check_pending() -> bool:
    """Whether Django would check the connection before the next query."""
    return (
        connection.health_check_enabled
        and not connection.health_check_done
        and connection.connection is not None
        and not connection.in_atomic_block
    )


def _read_link(token: str) -> SurveyLink | None:
    with connection.cursor() as cursor:
        LOOKUP.execute(
            cursor, (tokens.invitation_hash(token), Invitation.Status.REVOKED.value)
        )
        row = cursor.fetchone()
    if row is None:
        return None
    (
        invitation_id,
        invitation_status,
        invitee_name,
        assessment_id,
        status,
        anonymous,
        min_group_for_scores,
        min_group_for_verbatims,
        team_rates_alignment,
        catalogue_version,
        profile,
        team_name,
        vision,
    ) = row
    return SurveyLink(
        invitation_id=invitation_id,
        invitation_status=invitation_status,
        invitee_name=invitee_name,
        assessment_id=assessment_id,
        status=status,
        anonymous=bool(anonymous),  # SQLite gives 0 or 1
        min_group_for_scores=min_group_for_scores,
        min_group_for_verbatims=min_group_for_verbatims,
        team_rates_alignment=bool(team_rates_alignment),
        catalogue_version=catalogue_version,
        team_profile=scoring.TeamProfile.from_dict(_json(profile)),
        team_name=team_name,
        vision=vision or "",
    )


def _json(value) -> dict:
    # PostgreSQL's driver hands jsonb over as text under Django, as SQLite does.
    return json.loads(value) if isinstance(value, str) else value
