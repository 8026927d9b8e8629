"""Writes that span models: each workflow is one atomic function."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from assessments import results, scoring, tokens
from assessments.answers_csv import AnswerRow
from assessments.catalogue import ALIGNMENT_KEYS, ENGAGEMENT_KEYS
from assessments.links import SurveyLink
from assessments.models import (
    OUTCOME_FIELDS,
    TEAM_RATING_FIELDS,
    AlignmentRating,
    Assessment,
    Commitment,
    Invitation,
    Question,
    Response,
    Team,
    Vision,
    team_rating_field,
)
from assessments.statements import Statement

# Messages the manager's pages show; tests assert on them.
NO_SUCH_ACCOUNT = (
    "No account uses this email address. Ask them to sign up first, then add them."
)
ALREADY_A_MANAGER = "{email} already manages this team."
PRIVACY_FROZEN = (
    "This round is open: whether it is anonymous and its group sizes can no "
    "longer change."
)
ROUND_NOT_OPEN = "Open the round first."
ROUND_CLOSED = "This round is closed: nobody can be invited or sent a link any more."
ALREADY_INVITED = "Already invited to this round: {emails}."
STALE_REVISION = (
    "This was changed by someone else since you opened it; your text is kept below, "
    "reload to see theirs."
)
EMAIL_FAILED = (
    "The emails could not be sent ({error}). Nothing was changed: links given out "
    "before still work. Please try again later."
)

PRIVACY_FIELDS = ("anonymous", "min_group_for_scores", "min_group_for_verbatims")


@dataclass(frozen=True)
class Invitee:
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its token, which exists only until it is sent or shown."""

    invitation: Invitation
    token: str


def response_timestamp(*, anonymous: bool, now: datetime) -> datetime:
    """The time to store on a response: no finer than a day in anonymous rounds."""
    if anonymous:
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
    """Start a draft round for a team."""
    assessment = Assessment(team=team, created_by=created_by, title=title, **privacy)
    assessment.full_clean()
    assessment.save()
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
    """An unsaved response for the respondent holding ``token``."""
    stamp = response_timestamp(anonymous=assessment.anonymous, now=now)
    values = _respondent_values(
        assessment_id=assessment.pk,
        anonymous=assessment.anonymous,
        invitation_id=invitation.pk,
        token=token,
        answers={"vision": vision, "meaning": meaning, "contribution": contribution},
    )
    return Response(**values, created_at=stamp, updated_at=stamp)


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


ANSWER_FIELDS = tuple(f"{key}_answer" for key in ENGAGEMENT_KEYS)
SUBMITTED_FIELDS = (
    "assessment_id",
    "respondent_key",
    "invitation_id",
    *ANSWER_FIELDS,
    *OUTCOME_FIELDS,
    *TEAM_RATING_FIELDS,
)

# A submission in one statement: the response upserted by respondent key, its
# three judgements upserted (new answers clear any override), the invitation
# marked answered. One statement is one transaction, and PostgreSQL plans it once
# per connection (see assessments/statements.py).
SUBMIT = Statement(
    "servicecult_response_submit",
    """
    WITH response AS (
        INSERT INTO assessments_response AS r (
            assessment_id, respondent_key, invitation_id,
            vision_answer, meaning_answer, contribution_answer,
            vision_clear, vision_consistent, meaning_clear, meaning_consistent,
            contribution_clear, contribution_consistent, engaged,
            rating_goals, rating_hiring, rating_training, rating_empowerment,
            rating_reinforcement, created_at, updated_at
        ) VALUES (
            $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
            $14, $15, $16, $17, $18, $19, $19
        )
        ON CONFLICT (respondent_key) DO UPDATE SET
            vision_answer = excluded.vision_answer,
            meaning_answer = excluded.meaning_answer,
            contribution_answer = excluded.contribution_answer,
            vision_clear = excluded.vision_clear,
            vision_consistent = excluded.vision_consistent,
            meaning_clear = excluded.meaning_clear,
            meaning_consistent = excluded.meaning_consistent,
            contribution_clear = excluded.contribution_clear,
            contribution_consistent = excluded.contribution_consistent,
            engaged = excluded.engaged,
            rating_goals = CASE WHEN $20 THEN excluded.rating_goals
                ELSE r.rating_goals END,
            rating_hiring = CASE WHEN $20 THEN excluded.rating_hiring
                ELSE r.rating_hiring END,
            rating_training = CASE WHEN $20 THEN excluded.rating_training
                ELSE r.rating_training END,
            rating_empowerment = CASE WHEN $20 THEN excluded.rating_empowerment
                ELSE r.rating_empowerment END,
            rating_reinforcement = CASE WHEN $20 THEN excluded.rating_reinforcement
                ELSE r.rating_reinforcement END,
            updated_at = excluded.updated_at
        RETURNING r.id
    ), judged AS (
        INSERT INTO assessments_answerjudgement (
            response_id, question_key, clear, consistent, clarity, consistency,
            score, reasons, engine_version, scored_at, override_clear,
            override_consistent, override_reason, overridden_by_id, overridden_at
        )
        SELECT response.id, v.*, $42, $19, NULL, NULL, '', NULL, NULL
        FROM response, (VALUES
            ($21, $22, $23, $24, $25, $26, $27),
            ($28, $29, $30, $31, $32, $33, $34),
            ($35, $36, $37, $38, $39, $40, $41)
        ) AS v (question_key, clear, consistent, clarity, consistency, score, reasons)
        ON CONFLICT (response_id, question_key) DO UPDATE SET
            clear = excluded.clear,
            consistent = excluded.consistent,
            clarity = excluded.clarity,
            consistency = excluded.consistency,
            score = excluded.score,
            reasons = excluded.reasons,
            engine_version = excluded.engine_version,
            scored_at = excluded.scored_at,
            override_clear = NULL,
            override_consistent = NULL,
            override_reason = '',
            overridden_by_id = NULL,
            overridden_at = NULL
    ), answered AS (
        UPDATE assessments_invitation SET status = $43
        WHERE id = $44 AND status = $45
    )
    SELECT id FROM response
    """,
    (
        "bigint",  # assessment
        "varchar",  # respondent key
        "bigint",  # invitation, named rounds only
        *["text"] * len(ANSWER_FIELDS),
        *["boolean"] * len(OUTCOME_FIELDS),
        *["smallint"] * len(TEAM_RATING_FIELDS),
        "timestamptz",  # created, updated and scored
        "boolean",  # whether the round asks the team to rate alignment
        *["varchar", "boolean", "boolean", "float8", "float8", "float8", "jsonb"]
        * len(ENGAGEMENT_KEYS),
        "varchar",  # engine version
        "varchar",  # answered
        "bigint",  # invitation
        "varchar",  # pending
    ),
)


@dataclass(frozen=True)
class Submission:
    """One submission's row, judged, ready for either way of writing it."""

    link: SurveyLink
    values: dict  # the response's SUBMITTED_FIELDS
    rates: bool  # whether to store the team's alignment ratings
    judgement: scoring.RespondentJudgement
    stamp: datetime  # created or updated, and scored


def submission_for(
    *,
    link: SurveyLink,
    token: str,
    answers: dict[str, str],
    ratings: dict[str, int | None] | None,
    now: datetime,
) -> Submission:
    judgement = results.judge_submission(
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
        **results.outcome(judgement),
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
    submission = submission_for(
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
    results.judgements_store(
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


# --- The manager's journey --------------------------------------------------------


@transaction.atomic
def team_manager_add(*, team: Team, email: str):
    """Let the existing account with this email address manage the team too."""
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise ValidationError(NO_SUCH_ACCOUNT, code="no_such_account")
    if team.managers.filter(pk=user.pk).exists():
        raise ValidationError(
            ALREADY_A_MANAGER.format(email=user.email), code="already_a_manager"
        )
    team.managers.add(user)
    return user


@transaction.atomic
def assessment_update(*, assessment: Assessment, **fields) -> Assessment:
    """Change a round's settings; its privacy only while it is still a draft."""
    # Read the stored row, locked: the caller's instance may hold form input, and
    # the round may have been opened since the form was shown.
    stored = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if stored.status != Assessment.Status.DRAFT and any(
        fields[name] != getattr(stored, name)
        for name in PRIVACY_FIELDS
        if name in fields
    ):
        raise ValidationError(PRIVACY_FROZEN, code="privacy_frozen")
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.full_clean()
    stored.save(update_fields=tuple(fields))
    return stored


@transaction.atomic
def assessment_close(
    *, assessment: Assessment, now: datetime | None = None
) -> Assessment:
    """Close an open round: its links stop working and its counts are final."""
    if assessment.status == Assessment.Status.DRAFT:
        raise ValidationError(ROUND_NOT_OPEN, code="not_open")
    if assessment.status == Assessment.Status.OPEN:
        assessment.status = Assessment.Status.CLOSED
        assessment.closed_at = now or timezone.now()
        assessment.save(update_fields=("status", "closed_at"))
    return assessment


def _save_revision(model, *, pk: int, revision: int, user, values: dict) -> None:
    """Write ``values`` only if the row is still at ``revision``, and bump it.

    Two managers who opened the same form read the same revision; the conditional
    UPDATE lets only the first save match it, so nobody's text is overwritten
    unseen. Saving what is already stored changes nothing.
    """
    if model.objects.filter(pk=pk).values(*values).get() == values:
        return
    updated = model.objects.filter(pk=pk, revision=revision).update(
        **values,
        revision=F("revision") + 1,
        updated_by=user,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(STALE_REVISION, code="stale")
    # A conditional UPDATE sends no signal, so the audit trail is written here.
    model.history.bulk_history_create(
        [model.objects.get(pk=pk)], update=True, default_user=user
    )


@transaction.atomic
def vision_update(
    *, vision: Vision, revision: int, statement: str, has_vision: bool | None, user
) -> None:
    """Save the vision and the moment-of-truth answer, unless changed meanwhile."""
    _save_revision(
        Vision,
        pk=vision.pk,
        revision=revision,
        user=user,
        values={"statement": statement, "has_vision": has_vision},
    )


@dataclass(frozen=True)
class Rating:
    """The manager's rating of one alignment question, with the revision read."""

    question: Question
    rating: int
    evidence: str
    revision: int = 0  # no rating was stored when the form was opened


@transaction.atomic
def alignment_update(
    *,
    assessment: Assessment,
    ratings: Sequence[Rating],
    team_rates_alignment: bool,
    user,
) -> None:
    """Save the manager's alignment ratings, all or none if one changed meanwhile."""
    stored = {
        rating.question_id: rating for rating in assessment.alignment_ratings.all()
    }
    for item in ratings:
        values = {"rating": item.rating, "evidence": item.evidence}
        current = stored.get(item.question.pk)
        if current is not None:
            _save_revision(
                AlignmentRating,
                pk=current.pk,
                revision=item.revision,
                user=user,
                values=values,
            )
            continue
        try:
            with transaction.atomic():
                AlignmentRating.objects.create(
                    assessment=assessment,
                    question=item.question,
                    updated_by=user,
                    **values,
                )
        except IntegrityError:  # another manager rated it first
            raise ValidationError(STALE_REVISION, code="stale") from None
    if team_rates_alignment != assessment.team_rates_alignment:
        assessment.team_rates_alignment = team_rates_alignment
        assessment.save(update_fields=("team_rates_alignment",))


@transaction.atomic
def commitment_update(*, commitment: Commitment, revision: int, user, **values) -> None:
    """Save the commitment evidence, unless someone changed it meanwhile."""
    _save_revision(
        Commitment, pk=commitment.pk, revision=revision, user=user, values=values
    )


def _require_not_closed(assessment: Assessment) -> None:
    if assessment.status == Assessment.Status.CLOSED:
        raise ValidationError(ROUND_CLOSED, code="closed")


def _reissue(invitations: Sequence[Invitation]) -> list[IssuedInvitation]:
    """Give each invitation a new token: its earlier link stops working.

    A named round's response is re-keyed to the new token so its answers can
    still be changed; an anonymous response cannot be found from its invitation.
    """
    issued = [
        IssuedInvitation(invitation=invitation, token=tokens.new_token())
        for invitation in invitations
    ]
    for item in issued:
        item.invitation.token_hash = tokens.invitation_hash(item.token)
    Invitation.objects.bulk_update(invitations, ("token_hash",), batch_size=1000)
    keys = {item.invitation.pk: tokens.respondent_key(item.token) for item in issued}
    responses = list(Response.objects.filter(invitation__in=invitations))
    for response in responses:
        response.respondent_key = keys[response.invitation_id]
    Response.objects.bulk_update(responses, ("respondent_key",), batch_size=1000)
    return issued


def survey_link(base_url: str, token: str) -> str:
    """The absolute address of a team member's survey."""
    return base_url.rstrip("/") + reverse("assessments:survey", args=(token,))


def _email_links(
    assessment: Assessment,
    issued: Sequence[IssuedInvitation],
    *,
    base_url: str,
    sender,
    reminder: bool,
) -> None:
    """Email each person their link; a failure undoes the caller's transaction."""
    team = " ".join(assessment.team.name.split())  # a header holds one line
    subject = (
        f"Reminder: {team} would like your answers"
        if reminder
        else f"{team}: three questions about customer service"
    )
    messages = [
        EmailMessage(
            subject,
            render_to_string(
                "assessments/emails/invitation.txt",
                {
                    "name": item.invitation.name,
                    "team": team,
                    "anonymous": assessment.anonymous,
                    "link": survey_link(base_url, item.token),
                    "reminder": reminder,
                },
            ),
            to=[item.invitation.email],
            reply_to=[sender.email] if sender.email else None,
        )
        for item in issued
    ]
    try:
        mailers.default.send_messages(messages)
    except OSError as error:  # smtplib's errors are OSErrors
        raise ValidationError(
            EMAIL_FAILED.format(error=error), code="email_failed"
        ) from error


@transaction.atomic
def invitations_create(
    *,
    assessment: Assessment,
    invitees: Sequence[Invitee],
    email_links: bool,
    base_url: str,
    sender,
) -> list[IssuedInvitation]:
    """Invite team members, and email their links at once when asked.

    A link exists only when it is issued (its hash is what is stored), so this is
    the one moment it can be both shown to the manager and emailed.
    """
    _require_not_closed(assessment)
    emails = [invitee.email.lower() for invitee in invitees if invitee.email]
    taken = list(
        assessment.invitations.live()
        .alias(lower_email=Lower("email"))
        .filter(lower_email__in=emails)
        .order_by("email")
        .values_list("email", flat=True)
    )
    if taken:
        raise ValidationError(
            ALREADY_INVITED.format(emails=", ".join(taken)), code="already_invited"
        )
    issued = invitations_issue(assessment=assessment, invitees=invitees)
    to_email = [item for item in issued if email_links and item.invitation.email]
    if to_email:
        Invitation.objects.filter(
            pk__in=[item.invitation.pk for item in to_email]
        ).update(sent_at=timezone.now())
        _email_links(
            assessment, to_email, base_url=base_url, sender=sender, reminder=False
        )
    return issued


@transaction.atomic
def invitations_send(*, assessment: Assessment, base_url: str, sender) -> int:
    """Email a new link to everyone with an email address not yet sent one.

    Only hashes of links are stored, so sending issues new links: a link copied
    from the page earlier stops working. Returns how many were sent.
    """
    _require_not_closed(assessment)
    invitations = list(
        assessment.invitations.live()
        .filter(sent_at__isnull=True)
        .exclude(email="")
        .select_for_update()
    )
    issued = _reissue(invitations)
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
        sent_at=timezone.now()
    )
    _email_links(assessment, issued, base_url=base_url, sender=sender, reminder=False)
    return len(issued)


@transaction.atomic
def invitations_remind(*, assessment: Assessment, base_url: str, sender) -> int:
    """Email a reminder with a new link to everyone who has not answered yet.

    Like any sending it issues new links: each reminded person's earlier link
    stops working. Only people with an email address can be reminded.
    """
    if assessment.status != Assessment.Status.OPEN:
        raise ValidationError(ROUND_NOT_OPEN, code="not_open")
    invitations = list(
        assessment.invitations.filter(status=Invitation.Status.PENDING)
        .exclude(email="")
        .select_for_update()
    )
    issued = _reissue(invitations)
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
        reminded_at=timezone.now()
    )
    _email_links(assessment, issued, base_url=base_url, sender=sender, reminder=True)
    return len(issued)


@transaction.atomic
def invitation_reissue(*, invitation: Invitation) -> IssuedInvitation:
    """A new link for someone who lost theirs; the old one stops working."""
    _require_not_closed(invitation.assessment)
    return _reissue([invitation])[0]


# --- Administration: rescoring, imports, corrections -------------------------------

IMPORT_ROUND_CLOSED = (
    "This round is closed: its answers are final, so no more can be imported."
)


@transaction.atomic
def assessment_recompute(*, assessment: Assessment, now: datetime | None = None) -> int:
    """Judge every answer of a round again and store its readiness per step;
    returns how many responses were judged."""
    now = now or timezone.now()
    # Judgements are dated like the responses they judge.
    stamp = response_timestamp(anonymous=assessment.anonymous, now=now)
    judged = results.assessment_rescore(assessment=assessment, now=stamp)
    results.readiness_refresh(assessment_id=assessment.pk, now=now)
    return judged


def require_importable(assessment: Assessment) -> None:
    """Refuse answers for a closed round, whose counts are final."""
    if assessment.status == Assessment.Status.CLOSED:
        raise ValidationError(IMPORT_ROUND_CLOSED, code="closed")


@transaction.atomic
def responses_import(
    *,
    assessment: Assessment,
    rows: Sequence[AnswerRow],
    user=None,
    source: str = "",
    now: datetime | None = None,
) -> int:
    """Add answers gathered elsewhere to a round, all or none, then rescore it.

    Imported answers come through no invitation: each gets a random respondent
    key and the round's timestamps (to the day when it is anonymous). The
    ``respondent`` column only names lines in error messages; it is not stored.
    Rows come checked by ``answers_csv.read_answers`` and the database's
    constraints refuse anything else, so rows skip ``full_clean``, which would
    cost queries per row.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    require_importable(assessment)
    now = now or timezone.now()
    stamp = response_timestamp(anonymous=assessment.anonymous, now=now)
    responses = [
        Response(
            assessment=assessment,
            respondent_key=tokens.respondent_key(tokens.new_token()),
            vision_answer=row.vision,
            meaning_answer=row.meaning,
            contribution_answer=row.contribution,
            created_at=stamp,
            updated_at=stamp,
        )
        for row in rows
    ]
    # One audit row per response, dated like the responses themselves.
    bulk_create_with_history(
        responses,
        Response,
        batch_size=1000,
        default_user=user,
        default_change_reason=f"Imported from {source}"[:100] if source else "",
        default_date=stamp,
    )
    assessment_recompute(assessment=assessment, now=now)
    return len(responses)


@transaction.atomic
def response_update(
    *, response: Response, answers: dict[str, str], now: datetime | None = None
) -> Response:
    """Correct a response's answers (say, to remove a name someone typed) and judge
    them again; like a resubmission, new answers clear any overrides."""
    now = now or timezone.now()
    assessment = Assessment.objects.select_related("vision").get(
        pk=response.assessment_id
    )
    for key in ENGAGEMENT_KEYS:
        setattr(response, f"{key}_answer", answers.get(key, ""))
    judgement = results.judge_submission(
        vision=assessment.vision.statement,
        team_profile=scoring.TeamProfile.from_dict(assessment.team_profile),
        answers=answers,
    )
    for field, value in results.outcome(judgement).items():
        setattr(response, field, value)
    response.updated_at = max(
        response.created_at, response_timestamp(anonymous=assessment.anonymous, now=now)
    )
    response.save()
    results.judgements_store(
        response_id=response.pk,
        judgement=judgement,
        keep_overrides=False,
        now=response.updated_at,  # no finer than a day in anonymous rounds
    )
    return response
