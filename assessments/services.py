"""Writes that span models: each workflow is one atomic function."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from assessments import tokens
from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.models import (
    AnswerJudgement,
    Assessment,
    Commitment,
    Invitation,
    Response,
    Team,
    Vision,
    team_rating_field,
)


@dataclass(frozen=True)
class Invitee:
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its token, which exists only until it is sent or shown."""

    invitation: Invitation
    token: str


def response_timestamp(*, assessment: Assessment, now: datetime) -> datetime:
    """The time to store on a response: no finer than a day in anonymous rounds."""
    if assessment.anonymous:
        return now.replace(hour=0, minute=0, second=0, microsecond=0)
    return now


@transaction.atomic
def team_create(
    *, name: str, manager, level: str = Team.Level.TEAM, parent=None
) -> Team:
    """Create a team managed by ``manager``."""
    team = Team(name=name, level=level, parent=parent)
    team.full_clean()
    team.save()
    team.managers.add(manager)
    return team


@transaction.atomic
def assessment_create(
    *, team: Team, created_by, title: str = "", **privacy
) -> Assessment:
    """Start a draft round for a team, with its empty vision and commitment."""
    assessment = Assessment(team=team, created_by=created_by, title=title, **privacy)
    assessment.full_clean()
    assessment.save()
    Vision.objects.create(assessment=assessment, updated_by=created_by)
    Commitment.objects.create(assessment=assessment, updated_by=created_by)
    return assessment


@transaction.atomic
def assessment_open(
    *, assessment: Assessment, now: datetime | None = None
) -> Assessment:
    """Open a draft round: from now on its privacy settings are frozen."""
    if assessment.status != Assessment.Status.DRAFT:
        return assessment
    assessment.status = Assessment.Status.OPEN
    assessment.opened_at = now or timezone.now()
    assessment.save(update_fields=("status", "opened_at"))
    return assessment


@transaction.atomic
def invitations_issue(
    *, assessment: Assessment, invitees: Sequence[Invitee]
) -> list[IssuedInvitation]:
    """Create one invitation per invitee, each with a fresh unguessable token."""
    issued_tokens = [tokens.new_token() for _ in invitees]
    invitations = [
        Invitation(
            assessment=assessment,
            token_hash=tokens.invitation_hash(token),
            name=invitee.name,
            email=invitee.email,
        )
        for token, invitee in zip(issued_tokens, invitees, strict=True)
    ]
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    return [
        IssuedInvitation(invitation=invitation, token=token)
        for invitation, token in zip(invitations, issued_tokens, strict=True)
    ]


def build_response(
    *,
    assessment: Assessment,
    token: str,
    invitation: Invitation,
    vision: str,
    meaning: str,
    contribution: str,
    now: datetime,
) -> Response:
    """An unsaved response for the respondent holding ``token``.

    Only named rounds link the response to its invitation.
    """
    stamp = response_timestamp(assessment=assessment, now=now)
    return Response(
        assessment=assessment,
        respondent_key=tokens.respondent_key(token),
        invitation=None if assessment.anonymous else invitation,
        vision_answer=vision,
        meaning_answer=meaning,
        contribution_answer=contribution,
        created_at=stamp,
        updated_at=stamp,
    )


ANSWER_FIELDS = tuple(f"{key}_answer" for key in ENGAGEMENT_KEYS)


@transaction.atomic
def response_submit(
    *,
    invitation: Invitation,
    token: str,
    answers: dict[str, str],
    ratings: dict[str, int | None] | None = None,
) -> Response:
    """Save a team member's answers.

    The first submission creates the response; every later one (a double click, a
    refresh, a change of mind) updates the same row, in one upsert that two
    simultaneous submissions cannot turn into two rows.
    """
    assessment = invitation.assessment
    response = build_response(
        assessment=assessment,
        token=token,
        invitation=invitation,
        now=timezone.now(),
        **{key: answers.get(key, "") for key in ENGAGEMENT_KEYS},
    )
    rating_fields = ()
    if assessment.team_rates_alignment and ratings is not None:
        for key, rating in ratings.items():
            setattr(response, team_rating_field(key), rating)
        rating_fields = tuple(team_rating_field(key) for key in ratings)
    Response.objects.bulk_create(
        [response],
        update_conflicts=True,
        unique_fields=("respondent_key",),
        update_fields=(*ANSWER_FIELDS, *rating_fields, "engaged", "updated_at"),
    )
    AnswerJudgement.objects.filter(response=response).delete()
    if invitation.status == Invitation.Status.PENDING:
        Invitation.objects.filter(pk=invitation.pk).update(
            status=Invitation.Status.RESPONDED
        )
    return response
