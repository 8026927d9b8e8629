"""A team member's submission through their personal link.

In a named round the link finds the response again, and marks its invitation
answered. In an anonymous round the respondent is known by an edit code made at
their first submission and handed to them alone; the link is only kept from
answering twice (``link_key``) until the worker releases the answers.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
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
    random_id,
    team_rating_field,
)
from assessments.services.judging import (
    awaiting_review,
    judgements_store,
    outcome,
    respondent_judge,
    response_outcome,
)
from assessments.services.rounds import response_timestamp
from assessments.services.survey_statement import (
    ANSWER_FIELDS,
    SUBMIT_ANONYMOUS,
    SUBMIT_NAMED,
    SUBMITTED_FIELDS,
)

# A named round's answers are visible as they come: release number 0.
RELEASED_AT_ONCE = 0
LINK_USED = (
    "Nothing was saved: answers have already been given through this link. Only "
    "the person who gave them can change them: in the browser they answered with, "
    "or with the edit code they were shown."
)


def _respondent_values(
    *, assessment_id: int, answers: dict[str, str], **respondent
) -> dict:
    """A response's new id, round, respondent (``respondent_key``,
    ``invitation_id``, ``link_key``, ``counts_for_minimum``, ``release``) and
    answers."""
    return {
        "id": random_id(),
        "assessment_id": assessment_id,
        **respondent,
        **{f"{key}_answer": answers.get(key, "") for key in ENGAGEMENT_KEYS},
    }


def _respondent_through(link: SurveyLink, token: str, edit_code: str | None) -> dict:
    """Who answers through ``link``. Only a named round links the response to its
    invitation. An anonymous one is its edit code's, carries the link's key until
    its release, and counts for the minimum groups only if the app emails the
    link (the invitation has an address): not a link the manager handed out."""
    if not link.anonymous:
        return {
            "respondent_key": tokens.respondent_key(token),
            "invitation_id": link.invitation_id,
            "link_key": None,
            "counts_for_minimum": True,
            "release": RELEASED_AT_ONCE,
        }
    return {
        "respondent_key": tokens.edit_key(edit_code),
        "invitation_id": None,
        "link_key": link.link_key,
        "counts_for_minimum": link.has_email,
        "release": None,
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
    release: int,
) -> Response:
    """An unsaved, unjudged response for the respondent holding ``token``, as
    the demo seeds them: released as ``release`` and counted, whoever it is for.
    An anonymous one's edit code is made and thrown away."""
    stamp = response_timestamp(anonymous=assessment.anonymous, now=now)
    anonymous = assessment.anonymous
    values = _respondent_values(
        assessment_id=assessment.pk,
        answers={"vision": vision, "meaning": meaning, "contribution": contribution},
        respondent_key=tokens.edit_key(tokens.new_edit_code())
        if anonymous
        else tokens.respondent_key(token),
        invitation_id=None if anonymous else invitation.pk,
        counts_for_minimum=True,
        release=release,
    )
    return Response(**values, created_at=stamp, updated_at=stamp)


def _judged_against(
    link: SurveyLink, respondent_key: str, *, new: bool
) -> tuple[scoring.TeamProfile, list[str] | None]:
    """The team profile to judge a submission against and the terms it counts
    for the respondent (``Response.profile_terms``). Someone who may have
    answered before has both read with their response, in one query, so the two
    come from the same full scoring; anyone else is a newcomer to the profile
    the link was read with."""
    if new or not (link.anonymous or link.answered):
        return link.team_profile, None
    stored = (
        Response.objects.filter(respondent_key=respondent_key)
        .values_list("profile_terms", "assessment__team_profile")
        .first()
    )
    if stored is None:
        return link.team_profile, None
    return scoring.TeamProfile.from_dict(stored[1]), stored[0]


@dataclass(frozen=True)
class Submission:
    """One submission's row, judged, ready for either way of writing it."""

    link: SurveyLink
    values: dict  # the response's SUBMITTED_FIELDS and answers awaiting review
    rates: bool  # whether to store the team's alignment ratings
    judgement: scoring.RespondentJudgement
    stamp: datetime  # created or updated, and scored
    new: bool  # a first anonymous submission: the row cannot exist yet


def submission_judge(
    *,
    link: SurveyLink,
    token: str,
    answers: dict[str, str],
    ratings: dict[str, int | None] | None,
    now: datetime,
    edit_code: str | None = None,
    new: bool = False,
) -> Submission:
    """A submission's answers judged and laid out as the response's columns; an
    anonymous round's respondent is the holder of ``edit_code``."""
    respondent = _respondent_through(link, token, edit_code)
    team_profile, counted_terms = _judged_against(
        link, respondent["respondent_key"], new=new
    )
    judgement = respondent_judge(
        vision=link.vision,
        ideas=link.key_ideas,
        team_profile=team_profile,
        answers=answers,
        counted_terms=counted_terms,
    )
    rates = link.team_rates_alignment and ratings is not None
    values = {
        **_respondent_values(
            assessment_id=link.assessment_id, answers=answers, **respondent
        ),
        **outcome(judgement),
        # Not a parameter of the one statement, which adds up the answers'
        # own need for review: a new answer has no override.
        "answers_awaiting_review": awaiting_review(judgement),
        **{
            team_rating_field(key): (ratings or {}).get(key) if rates else None
            for key in ALIGNMENT_KEYS
        },
    }
    stamp = response_timestamp(anonymous=link.anonymous, now=now)
    return Submission(link, values, rates, judgement, stamp, new)


@dataclass(frozen=True)
class Saved:
    """A saved submission: its response, and a new anonymous respondent's edit
    code, to be handed to them once (None otherwise)."""

    response_id: int
    edit_code: str | None = None


def response_submit(
    *,
    link: SurveyLink,
    token: str,
    answers: dict[str, str],
    ratings: dict[str, int | None] | None = None,
    edit_code: str | None = None,
) -> Saved:
    """Save a team member's answers.

    The first submission creates the response; every later one (a double click, a
    refresh, a change of mind) updates the same row, in one upsert that two
    simultaneous submissions cannot turn into two rows. The answers are judged
    at once against the team profile of the round's last full scoring.

    In an anonymous round the respondent changes their answers with
    ``edit_code``, the code of a response of this round (the caller has found
    it). Without one, a link already answered through saves nothing and raises
    ``LINK_USED``; a first submission gets a new code, in the result.
    """
    new = link.anonymous and edit_code is None
    if new:
        if link.answered:
            raise ValidationError(LINK_USED, code="link_used")
        edit_code = tokens.new_edit_code()
    submission = submission_judge(
        link=link,
        token=token,
        answers=answers,
        ratings=ratings,
        now=timezone.now(),
        edit_code=edit_code,
        new=new,
    )
    try:
        response_id = _write(submission)
    except IntegrityError as error:
        # Two first submissions through one link at once: in an anonymous round
        # the first one wins; in a named one the other's row is there now, and
        # the same upsert updates it.
        if new and "link_key" in str(error):
            raise ValidationError(LINK_USED, code="link_used") from None
        if link.anonymous or "invitation_id" not in str(error):
            raise
        response_id = _write(submission)
    return Saved(response_id, edit_code if new else None)


def _write(submission: Submission) -> int:
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
            random_id(),
            key,
            answer.clear,
            answer.consistent,
            answer.clarity,
            answer.consistency,
            answer.score,
            json.dumps(answer.reasons),
            answer.confidence,
            answer.language,
            answer.needs_review,
        )
    params.append(scoring.ENGINE_VERSION)
    statement = SUBMIT_ANONYMOUS
    if not submission.link.anonymous:
        statement = SUBMIT_NAMED
        params += (
            Invitation.Status.RESPONDED.value,
            submission.link.invitation_id,
            Invitation.Status.PENDING.value,
        )
    with connection.cursor() as cursor:
        statement.execute(cursor, params)
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
        update_fields=(
            *ANSWER_FIELDS,
            *rating_fields,
            *OUTCOME_FIELDS,
            "answers_awaiting_review",
            "updated_at",
        ),
    )
    response_id = row.pk
    if not submission.new:
        # An update keeps the stored row's id, which the insert does not return.
        response_id = Response.objects.values_list("pk", flat=True).get(
            respondent_key=row.respondent_key
        )
    judgements_store(
        response_id=response_id, judgement=submission.judgement, now=submission.stamp
    )
    if not submission.new:
        # The managers' decisions on stored answers stay, and still decide.
        effective = response_outcome(
            response_id=response_id, judgement=submission.judgement
        )
        if effective != {field: submission.values[field] for field in effective}:
            Response.objects.filter(pk=response_id).update(**effective)
    link = submission.link
    if not link.anonymous and link.invitation_status == Invitation.Status.PENDING:
        Invitation.objects.filter(
            pk=link.invitation_id, status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.RESPONDED)
    return response_id
