"""A team member's submission through their personal link."""

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from assessments import scoring, tokens
from assessments.catalogue import ALIGNMENT_KEYS, ENGAGEMENT_KEYS
from assessments.links import SurveyLink
from assessments.models import (
    OUTCOME_FIELDS,
    TEAM_RATING_FIELDS,
    Assessment,
    Invitation,
    Response,
    team_rating_field,
)
from assessments.services.judging import judgements_store, outcome, respondent_judge
from assessments.services.rounds import response_timestamp
from assessments.services.survey_statement import (
    ANSWER_FIELDS,
    SUBMIT,
    SUBMITTED_FIELDS,
)


def _respondent_values(
    *,
    assessment_id: int,
    anonymous: bool,
    invitation_id: int,
    token: str,
    answers: dict[str, str],
) -> dict:
    """A response's round, respondent and answers. Only named rounds link the
    response to its invitation."""
    return {
        "assessment_id": assessment_id,
        "respondent_key": tokens.respondent_key(token),
        "invitation_id": None if anonymous else invitation_id,
        **{f"{key}_answer": answers.get(key, "") for key in ENGAGEMENT_KEYS},
    }


def response_build(
    *,
    assessment: Assessment,
    token: str,
    invitation: Invitation,
    vision: str,
    meaning: str,
    contribution: str,
    now: datetime,
) -> Response:
    """An unsaved, unjudged response for the respondent holding ``token``."""
    stamp = response_timestamp(anonymous=assessment.anonymous, now=now)
    values = _respondent_values(
        assessment_id=assessment.pk,
        anonymous=assessment.anonymous,
        invitation_id=invitation.pk,
        token=token,
        answers={"vision": vision, "meaning": meaning, "contribution": contribution},
    )
    return Response(**values, created_at=stamp, updated_at=stamp)


@dataclass(frozen=True)
class Submission:
    """One submission's row, judged, ready for either way of writing it."""

    link: SurveyLink
    values: dict  # the response's SUBMITTED_FIELDS
    rates: bool  # whether to store the team's alignment ratings
    judgement: scoring.RespondentJudgement
    stamp: datetime  # created or updated, and scored


def submission_judge(
    *,
    link: SurveyLink,
    token: str,
    answers: dict[str, str],
    ratings: dict[str, int | None] | None,
    now: datetime,
) -> Submission:
    """A submission's answers judged and laid out as the response's columns."""
    judgement = respondent_judge(
        vision=link.vision, team_profile=link.team_profile, answers=answers
    )
    rates = link.team_rates_alignment and ratings is not None
    values = {
        **_respondent_values(
            assessment_id=link.assessment_id,
            anonymous=link.anonymous,
            invitation_id=link.invitation_id,
            token=token,
            answers=answers,
        ),
        **outcome(judgement),
        **{
            team_rating_field(key): (ratings or {}).get(key) if rates else None
            for key in ALIGNMENT_KEYS
        },
    }
    stamp = response_timestamp(anonymous=link.anonymous, now=now)
    return Submission(link, values, rates, judgement, stamp)


def response_submit(
    *,
    link: SurveyLink,
    token: str,
    answers: dict[str, str],
    ratings: dict[str, int | None] | None = None,
) -> int:
    """Save a team member's answers; returns the response's id.

    The first submission creates the response; every later one (a double click, a
    refresh, a change of mind) updates the same row, in one upsert that two
    simultaneous submissions cannot turn into two rows. The answers are judged
    at once against the team profile of the round's last full scoring.
    """
    submission = submission_judge(
        link=link, token=token, answers=answers, ratings=ratings, now=timezone.now()
    )
    if connection.vendor == "postgresql":
        return write_in_one_statement(submission)
    return write_in_one_transaction(submission)


def write_in_one_statement(submission: Submission) -> int:
    """A submission's writes as one statement (PostgreSQL): one round trip, and
    atomic without a transaction around it."""
    params = [
        *(submission.values[field] for field in SUBMITTED_FIELDS),
        submission.stamp,
        submission.rates,
    ]
    for key, answer in submission.judgement.answers.items():
        params += (
            key,
            answer.clear,
            answer.consistent,
            answer.clarity,
            answer.consistency,
            answer.score,
            json.dumps(answer.reasons),
        )
    params += (
        scoring.ENGINE_VERSION,
        Invitation.Status.RESPONDED.value,
        submission.link.invitation_id,
        Invitation.Status.PENDING.value,
    )
    with connection.cursor() as cursor:
        SUBMIT.execute(cursor, params)
        return cursor.fetchone()[0]


@transaction.atomic
def write_in_one_transaction(submission: Submission) -> int:
    """The same writes as ``write_in_one_statement``, for SQLite, which cannot
    write from a WITH clause."""
    rating_fields = TEAM_RATING_FIELDS if submission.rates else ()
    row = Response(
        **submission.values, created_at=submission.stamp, updated_at=submission.stamp
    )
    Response.objects.bulk_create(
        [row],
        update_conflicts=True,
        unique_fields=("respondent_key",),
        update_fields=(*ANSWER_FIELDS, *rating_fields, *OUTCOME_FIELDS, "updated_at"),
    )
    judgements_store(
        response_id=row.pk,
        judgement=submission.judgement,
        keep_overrides=False,
        now=submission.stamp,
    )
    if submission.link.invitation_status == Invitation.Status.PENDING:
        Invitation.objects.filter(
            pk=submission.link.invitation_id, status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.RESPONDED)
    return row.pk
