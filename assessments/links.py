"""A team member's personal link, read in one query with what the survey needs.

The survey is the one page everyone in a round opens, so it reads exactly what it
shows and judges with, as plain values: the invitation, its round, the round's
team name, vision and confirmed key ideas, the team profile new answers are
judged against, and whether answers through this link are waiting for their
release.
"""

import json
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.utils import InterfaceError, OperationalError

from assessments import scoring, tokens
from assessments.models import Assessment, Invitation
from assessments.statements import Statement

LOOKUP = Statement(
    "servicecult_survey_link",
    """
    SELECT i.id, i.status, i.name, i.email <> '', i.link_used,
           EXISTS (SELECT 1 FROM assessments_response r WHERE r.link_key = $3),
           a.id, a.status, a.anonymous,
           a.min_group_for_scores, a.min_group_for_verbatims,
           a.team_rates_alignment, a.catalogue_version, a.team_profile,
           a.closes_on, t.name, v.statement, v.key_ideas
    FROM assessments_invitation i
    JOIN assessments_assessment a ON a.id = i.assessment_id
    JOIN assessments_team t ON t.id = a.team_id
    LEFT JOIN assessments_vision v ON v.assessment_id = a.id
    WHERE i.token_hash = $1 AND i.status <> $2
    """,
    ("text", "text", "text"),
)


@dataclass(frozen=True)
class SurveyLink:
    invitation_id: int
    invitation_status: str
    invitee_name: str
    has_email: bool  # the invitation has an address: the app emails its links
    link_key: str  # what a response through this link carries until released
    link_used: bool  # answers through this very link were released
    answer_waiting: bool  # answers through this link wait for their release
    assessment_id: int
    status: str
    anonymous: bool
    min_group_for_scores: int
    min_group_for_verbatims: int
    team_rates_alignment: bool
    catalogue_version: int
    team_profile: scoring.TeamProfile
    closes_on: date | None
    team_name: str
    vision: str
    key_ideas: tuple[scoring.KeyIdea, ...]  # confirmed: none, the engine's own

    @property
    def is_open(self) -> bool:
        return self.status == Assessment.Status.OPEN

    @property
    def answered(self) -> bool:
        """Whether someone answered through this link: in a named round, the
        invitation (re-issued links reach the same answers); in an anonymous
        round, this very link, whichever invitation's earlier links did."""
        if self.anonymous:
            return self.link_used or self.answer_waiting
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
    token_hash = tokens.invitation_hash(token)
    link_key = tokens.link_key(token_hash)
    with connection.cursor() as cursor:
        LOOKUP.execute(cursor, (token_hash, Invitation.Status.REVOKED.value, link_key))
        row = cursor.fetchone()
    if row is None:
        return None
    (
        invitation_id,
        invitation_status,
        invitee_name,
        has_email,
        link_used,
        answer_waiting,
        assessment_id,
        status,
        anonymous,
        min_group_for_scores,
        min_group_for_verbatims,
        team_rates_alignment,
        catalogue_version,
        profile,
        closes_on,
        team_name,
        vision,
        key_ideas,
    ) = row
    return SurveyLink(
        invitation_id=invitation_id,
        invitation_status=invitation_status,
        invitee_name=invitee_name,
        # SQLite gives 0 or 1 for booleans, and dates as text
        has_email=bool(has_email),
        link_key=link_key,
        link_used=bool(link_used),
        answer_waiting=bool(answer_waiting),
        assessment_id=assessment_id,
        status=status,
        anonymous=bool(anonymous),
        min_group_for_scores=min_group_for_scores,
        min_group_for_verbatims=min_group_for_verbatims,
        team_rates_alignment=bool(team_rates_alignment),
        catalogue_version=catalogue_version,
        team_profile=scoring.TeamProfile.from_dict(_json(profile)),
        closes_on=date.fromisoformat(closes_on)
        if isinstance(closes_on, str)
        else closes_on,
        team_name=team_name,
        vision=vision or "",
        key_ideas=scoring.ideas_from_data(_json(key_ideas)),
    )


def _json(value):
    # PostgreSQL's driver hands jsonb over as text under Django, as SQLite does.
    return json.loads(value) if isinstance(value, str) else value
