"""Between stored rows and the scoring engine: judgements, overrides, readiness.

Writes keep each answer's stored judgement, each response's ``engaged`` flag and
the round's team profile in step with the answers. Reads build the engine's
inputs from aggregates, so a report costs the same queries at any team size.

A new submission is judged at once against the team profile stored at the last
full scoring. The whole team is scored again (``assessment_rescore``) when it has
grown by half since then, when a manager asks, or when the rules change; so the
total work stays linear in the number of submissions.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Prefetch, Q
from django.utils import timezone

from assessments import scoring
from assessments.catalogue import ALIGNMENT_KEYS, ENGAGEMENT_KEYS
from assessments.models import (
    OUTCOME_FIELDS,
    AlignmentRating,
    AnswerJudgement,
    Assessment,
    Invitation,
    Response,
    StepResult,
    Vision,
    catalogue_steps,
    team_rating_field,
)

RESCORE_GROWTH = 1.5
ENGINE_FIELDS = (
    "clear",
    "consistent",
    "clarity",
    "consistency",
    "score",
    "reasons",
    "engine_version",
    "scored_at",
)
OVERRIDE_FIELDS = (
    "override_clear",
    "override_consistent",
    "override_reason",
    "overridden_by",
    "overridden_at",
)
OVERRIDE_NEEDS_A_REASON = "Say why you are overriding the engine's judgement."
OVERRIDE_NEEDS_A_DECISION = "Choose clear or consistent (or both) to override."
UPDATE_BATCH = 1000


# --- Judging ------------------------------------------------------------------------


def judge_submission(
    *, vision: str, team_profile: scoring.TeamProfile, answers: dict[str, str]
) -> scoring.RespondentJudgement:
    """The engine's judgement of one respondent's answers, against the team
    profile stored at the round's last full scoring."""
    return scoring.judge_respondent(
        vision,
        scoring.Answers("", *(answers.get(key, "") for key in ENGAGEMENT_KEYS)),
        team_profile,
    )


def _judgement_rows(
    response_id: int, judgement: scoring.RespondentJudgement, now: datetime
) -> list[AnswerJudgement]:
    return [
        AnswerJudgement(
            response_id=response_id,
            question_key=key,
            clear=answer.clear,
            consistent=answer.consistent,
            clarity=answer.clarity,
            consistency=answer.consistency,
            score=answer.score,
            reasons=list(answer.reasons),
            engine_version=scoring.ENGINE_VERSION,
            scored_at=now,
        )
        for key, answer in judgement.answers.items()
    ]


def judgements_store(
    *,
    response_id: int,
    judgement: scoring.RespondentJudgement,
    keep_overrides: bool,
    now: datetime,
) -> None:
    """Write one respondent's three judgements in one statement.

    New answers make old overrides meaningless, so a submission clears them;
    rescoring the same answers keeps them.
    """
    AnswerJudgement.objects.bulk_create(
        _judgement_rows(response_id, judgement, now),
        update_conflicts=True,
        unique_fields=("response", "question_key"),
        update_fields=ENGINE_FIELDS
        if keep_overrides
        else ENGINE_FIELDS + OVERRIDE_FIELDS,
    )


def _stored_overrides(assessment: Assessment) -> dict[int, dict[str, scoring.Override]]:
    overridden = (
        AnswerJudgement.objects.filter(response__assessment=assessment)
        .filter(Q(override_clear__isnull=False) | Q(override_consistent__isnull=False))
        .values_list(
            "response_id",
            "question_key",
            "override_clear",
            "override_consistent",
            "override_reason",
        )
    )
    overrides: dict[int, dict[str, scoring.Override]] = {}
    for response_id, key, clear, consistent, reason in overridden:
        overrides.setdefault(response_id, {})[key] = scoring.Override(
            reason=reason, clear=clear, consistent=consistent
        )
    return overrides


def outcome(judgement: scoring.RespondentJudgement) -> dict[str, bool]:
    """The values of ``OUTCOME_FIELDS`` for a respondent's (effective) judgement."""
    values = {
        f"{key}_{kind}": getattr(answer, kind)
        for key, answer in judgement.answers.items()
        for kind in ("clear", "consistent")
    }
    return {**values, "engaged": judgement.engaged}


def _outcomes_store(outcomes: dict[int, dict[str, bool]]) -> None:
    """Write many responses' outcomes: one UPDATE per distinct outcome (a team
    has a handful), in batches of primary keys."""
    groups: dict[tuple[bool, ...], list[int]] = {}
    for pk, values in outcomes.items():
        flags = tuple(values[field] for field in OUTCOME_FIELDS)
        groups.setdefault(flags, []).append(pk)
    for flags, ids in groups.items():
        for start in range(0, len(ids), UPDATE_BATCH):
            Response.objects.filter(pk__in=ids[start : start + UPDATE_BATCH]).update(
                **dict(zip(OUTCOME_FIELDS, flags, strict=True))
            )


@transaction.atomic
def assessment_rescore(*, assessment: Assessment, now: datetime | None = None) -> int:
    """Judge every response of a round again, keeping managers' overrides, and
    store the team profile new submissions are judged against."""
    now = now or timezone.now()
    rows = list(
        Response.objects.filter(assessment=assessment)
        .order_by("pk")
        .values_list("pk", "vision_answer", "meaning_answer", "contribution_answer")
    )
    statement = (
        Vision.objects.filter(assessment=assessment)
        .values_list("statement", flat=True)
        .first()
    )
    judgements, profile = scoring.judge_team_with_profile(
        statement or "", [scoring.Answers(str(pk), v, m, c) for pk, v, m, c in rows]
    )
    overrides = _stored_overrides(assessment)
    AnswerJudgement.objects.bulk_create(
        [
            row
            for (pk, *_), judgement in zip(rows, judgements, strict=True)
            for row in _judgement_rows(pk, judgement, now)
        ],
        batch_size=UPDATE_BATCH,
        update_conflicts=True,
        unique_fields=("response", "question_key"),
        update_fields=ENGINE_FIELDS,
    )
    _outcomes_store(
        {
            pk: outcome(scoring.review_respondent(judgement, overrides.get(pk, {})))
            for (pk, *_), judgement in zip(rows, judgements, strict=True)
        }
    )
    assessment.team_profile = profile.for_newcomers().as_dict()
    assessment.team_profile_size = len(rows)
    assessment.save(update_fields=("team_profile", "team_profile_size"))
    return len(rows)


def rescore_due(assessment: Assessment, respondents: int) -> bool:
    """Whether the team has grown enough since its last full scoring."""
    return respondents > RESCORE_GROWTH * assessment.team_profile_size


@transaction.atomic
def judgement_override(
    *,
    judgement: AnswerJudgement,
    clear: bool | None,
    consistent: bool | None,
    reason: str,
    user,
) -> AnswerJudgement:
    """Record a manager's own decision on one answer, or remove it (both None)."""
    reason = reason.strip()
    removing = clear is None and consistent is None
    if not removing and not reason:
        raise ValidationError(OVERRIDE_NEEDS_A_REASON, code="reason")
    judgement.override_clear = clear
    judgement.override_consistent = consistent
    judgement.override_reason = "" if removing else reason
    judgement.overridden_by = None if removing else user
    judgement.overridden_at = None if removing else timezone.now()
    judgement.save(update_fields=OVERRIDE_FIELDS)
    siblings = {
        j.question_key: j
        for j in AnswerJudgement.objects.filter(response_id=judgement.response_id)
    }
    values = {
        f"{key}_{kind}": getattr(siblings[key], f"effective_{kind}")
        if key in siblings
        else None
        for key in ENGAGEMENT_KEYS
        for kind in ("clear", "consistent")
    }
    values["engaged"] = len(siblings) == len(ENGAGEMENT_KEYS) and all(
        j.effective_clear and j.effective_consistent for j in siblings.values()
    )
    Response.objects.filter(pk=judgement.response_id).update(**values)
    return judgement


# --- Reading the round for its report -------------------------------------------------


def response_aggregates(assessment: Assessment) -> dict:
    """Respondents, engaged ones, per-answer tallies and the team's alignment
    ratings, in one query."""
    aggregates = {
        "respondents": Count("pk"),
        "engaged": Count("pk", filter=Q(engaged=True)),
    }
    for key in ENGAGEMENT_KEYS:
        clear = Q(**{f"{key}_clear": True})
        consistent = Q(**{f"{key}_consistent": True})
        aggregates[f"n_{key}_clear"] = Count("pk", filter=clear)
        aggregates[f"n_{key}_consistent"] = Count("pk", filter=consistent)
        aggregates[f"n_{key}_both"] = Count("pk", filter=clear & consistent)
    for key in ALIGNMENT_KEYS:
        field = team_rating_field(key)
        aggregates[f"{key}_mean"] = Avg(field)
        aggregates[f"{key}_count"] = Count(field)
    return Response.objects.filter(assessment=assessment).aggregate(**aggregates)


def question_tallies(aggregates: dict) -> tuple[scoring.QuestionTally, ...]:
    """Per question, how many answers are clear, consistent and both (overrides
    win), from ``response_aggregates``."""
    return tuple(
        scoring.QuestionTally(
            key,
            aggregates[f"n_{key}_clear"],
            aggregates[f"n_{key}_consistent"],
            aggregates[f"n_{key}_both"],
        )
        for key in ENGAGEMENT_KEYS
    )


def engagement_thresholds(assessment: Assessment) -> scoring.EngagementThresholds:
    """The round's thresholds. Step 2 cannot be ready before its scores may be
    shown: a verdict on fewer people would itself be a score."""
    return scoring.EngagementThresholds(
        min_engaged_share=assessment.ready_engaged_share,
        min_respondents=max(
            assessment.ready_min_respondents, assessment.min_group_for_scores
        ),
        min_participation=assessment.ready_min_participation,
    )


DIFFERENCING = (
    "Scores and answers are hidden for this round: {other} invited almost the same "
    "people (only {difference} different), so comparing the two could reveal what "
    "{those} said. Invite at least {needed} different people, or reuse the same list."
)


def _identity(email: str, name: str, pk: int) -> str:
    """Who an invitation is for, as far as can be told; unnamed ones match nobody."""
    return email.strip().lower() or name.strip().lower() or f"#{pk}"


def differencing_risk(assessment: Assessment) -> str | None:
    """Why this anonymous round's numbers must stay hidden, if they must.

    Subtracting two rounds' numbers isolates the people invited to one and not
    the other. When an earlier round of this team, its parent or its children
    invited a list that differs from this one by fewer people than the minimum
    group, this (later) round is suppressed, with an explanation.
    """
    team = assessment.team
    related = Q(team_id=team.pk) | Q(team__parent_id=team.pk)
    if team.parent_id:
        related |= Q(team_id=team.parent_id)
    earlier = {
        round_.pk: str(round_)
        for round_ in Assessment.objects.filter(related, pk__lt=assessment.pk)
        .select_related("team")
        .only("pk", "title", "team__name")
    }
    if not earlier:
        return None
    rosters: dict[int, set[str]] = {pk: set() for pk in [assessment.pk, *earlier]}
    invited = (
        Invitation.objects.filter(assessment_id__in=rosters)
        .exclude(status=Invitation.Status.REVOKED)
        .values_list("assessment_id", "email", "name", "pk")
    )
    for round_pk, email, name, pk in invited:
        rosters[round_pk].add(_identity(email, name, pk))
    needed = assessment.min_group_for_scores
    mine = rosters[assessment.pk]
    for pk, label in earlier.items():
        difference = len(mine ^ rosters[pk])
        if 0 < difference < needed:
            return DIFFERENCING.format(
                other=label,
                difference=difference,
                those="that person" if difference == 1 else "those people",
                needed=needed,
            )
    return None


WITHHELD = "Scores appear once {needed} people have answered ({count} so far)."


def withheld_because(assessment: Assessment, respondents: int) -> str | None:
    """Why a round's scores and answers must stay hidden now, if they must."""
    if respondents < assessment.min_group_for_scores:
        return WITHHELD.format(
            needed=assessment.min_group_for_scores, count=respondents
        )
    if assessment.anonymous:
        return differencing_risk(assessment)
    return None


def _withhold_engagement(report: scoring.Report, reason: str) -> scoring.Report:
    """The report with step 2's numbers replaced by the reason they are hidden."""
    return scoring.Report(
        tuple(
            replace(step, score=0, evidence=(reason,))
            if step.key == "engagement"
            else step
            for step in report.steps
        )
    )


def alignment_input(
    assessment: Assessment, aggregates: dict, ratings: Iterable[AlignmentRating]
) -> scoring.AlignmentInput:
    """The manager's ratings, and the team's where enough people rated a question:
    below the round's minimum group, the team's view is left out entirely."""
    by_key = {rating.question.key: rating for rating in ratings}
    answers = []
    for key in ALIGNMENT_KEYS:
        team_count = aggregates[f"{key}_count"]
        shown = team_count >= assessment.min_group_for_scores
        answers.append(
            scoring.AlignmentAnswer(
                key,
                by_key[key].rating if key in by_key else None,
                by_key[key].evidence if key in by_key else "",
                team_mean=aggregates[f"{key}_mean"] if shown else None,
                team_count=team_count if shown else 0,
            )
        )
    return scoring.AlignmentInput(tuple(answers))


def commitment_input(assessment: Assessment, today: date) -> scoring.CommitmentInput:
    commitment = assessment.commitment
    return scoring.CommitmentInput(
        hours_per_week=commitment.hours_per_week,
        budget=commitment.budget,
        attention=commitment.attention,
        owner=commitment.owner,
        sponsor=commitment.sponsor,
        reassess_on=commitment.reassess_on,
        actions=tuple(
            scoring.ActionInput(a.title, a.owner, a.due_on, a.done_on)
            for a in assessment.actions.all()
        ),
        today=today,
    )


def readiness_report(
    assessment: Assessment, *, today: date, aggregates: dict, invitations: int
) -> scoring.Report:
    """The four steps in order, from the round's stored rows.

    ``assessment`` comes with ``vision`` and ``commitment`` selected and its
    ``actions`` and ``alignment_ratings__question`` prefetched.
    """
    vision = assessment.vision
    summary = scoring.EngagementSummary(
        invitations=invitations,
        respondents=aggregates["respondents"],
        engaged=aggregates["engaged"],
        per_question=question_tallies(aggregates),
    )
    return scoring.build_report(
        vision=scoring.VisionInput(vision.statement, vision.has_vision),
        engagement=summary,
        engagement_thresholds=engagement_thresholds(assessment),
        alignment=alignment_input(
            assessment, aggregates, assessment.alignment_ratings.all()
        ),
        commitment=commitment_input(assessment, today),
    )


def readiness_store(
    *, assessment: Assessment, report: scoring.Report, now: datetime
) -> None:
    """Keep the report's status and score per step, for dashboards and the admin."""
    steps = {step.key: step for step in catalogue_steps(assessment.catalogue_version)}
    StepResult.objects.bulk_create(
        [
            StepResult(
                assessment=assessment,
                step=steps[step.key],
                status=str(step.status),
                score=step.score,
                computed_at=now,
            )
            for step in report.steps
            if step.key in steps
        ],
        update_conflicts=True,
        unique_fields=("assessment", "step"),
        update_fields=("status", "score", "computed_at"),
    )


@dataclass(frozen=True)
class RoundReport:
    """What the report page shows of a round, with its privacy thresholds applied."""

    report: scoring.Report
    respondents: int
    invitations: int
    shows_scores: bool
    shows_verbatims: bool
    withheld: str | None


def round_report(assessment: Assessment, *, now: datetime) -> RoundReport:
    """Build a round's readiness report, scoring the whole team again first when it
    has grown enough, and keep each step's readiness for dashboards."""
    aggregates = response_aggregates(assessment)
    if rescore_due(assessment, aggregates["respondents"]):
        assessment_rescore(assessment=assessment, now=now)
        aggregates = response_aggregates(assessment)
    invitations = assessment.invitations.live().count()
    report = readiness_report(
        assessment,
        today=timezone.localdate(now),
        aggregates=aggregates,
        invitations=invitations,
    )
    respondents = aggregates["respondents"]
    withheld = withheld_because(assessment, respondents)
    if withheld:
        report = _withhold_engagement(report, withheld)
    readiness_store(assessment=assessment, report=report, now=now)
    return RoundReport(
        report=report,
        respondents=respondents,
        invitations=invitations,
        shows_scores=withheld is None,
        shows_verbatims=withheld is None
        and respondents >= assessment.min_group_for_verbatims,
        withheld=withheld,
    )


def readiness_refresh(*, assessment_id: int, now: datetime) -> RoundReport:
    """Build a round's report from the database and store each step's readiness,
    outside any page: after seeding, importing or rescoring a round."""
    assessment = (
        Assessment.objects.select_related("team", "vision", "commitment")
        .prefetch_related(
            "actions",
            Prefetch(
                "alignment_ratings",
                queryset=AlignmentRating.objects.select_related("question"),
            ),
        )
        .get(pk=assessment_id)
    )
    return round_report(assessment, now=now)


# --- Exporting answers ------------------------------------------------------------

EXPORT_HEADER = (
    "respondent",
    "vision",
    "meaning",
    "contribution",
    "engaged",
    *(
        f"{key}_{column}"
        for key in ENGAGEMENT_KEYS
        for column in ("clear", "consistent", "score", "reasons", "override_reason")
    ),
)
EXPORT_CHUNK = 1000


def respondent_label(name: str | None, respondent_key: str) -> str:
    """How a respondent is named outside the survey: by name where a named round
    links the response to one, otherwise by a stable pseudonym that leads back
    to no invitation."""
    return name or f"r-{respondent_key[:12]}"


def answers_export_rows(assessment: Assessment) -> Iterator[list[object]]:
    """One row per response with its judgements (overrides applied), read in
    chunks so any number of responses streams in constant memory.

    Rows are plain values, not model instances: prefetched judgements and their
    responses point at each other, and such cycles outlive their chunk until a
    full garbage collection, so memory would grow with the round.
    """
    responses = (
        Response.objects.filter(assessment=assessment)
        .order_by("respondent_key")
        .values_list(
            "pk",
            "respondent_key",
            "invitation__name",
            "vision_answer",
            "meaning_answer",
            "contribution_answer",
            "engaged",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    while chunk := list(islice(responses, EXPORT_CHUNK)):
        judged = AnswerJudgement.objects.filter(
            response_id__in=[pk for pk, *_ in chunk]
        ).values(
            "response_id",
            "question_key",
            "clear",
            "consistent",
            "score",
            "reasons",
            "override_clear",
            "override_consistent",
            "override_reason",
        )
        judgements = {
            (j["response_id"], j["question_key"]): [
                j["clear"] if j["override_clear"] is None else j["override_clear"],
                j["consistent"]
                if j["override_consistent"] is None
                else j["override_consistent"],
                round(j["score"], 4),
                "; ".join(j["reasons"]),
                j["override_reason"],
            ]
            for j in judged
        }
        for pk, key, name, vision, meaning, contribution, engaged in chunk:
            row: list[object] = [
                respondent_label(name, key),
                vision,
                meaning,
                contribution,
                "" if engaged is None else engaged,
            ]
            for question in ENGAGEMENT_KEYS:
                row.extend(judgements.get((pk, question), ["", "", "", "", ""]))
            yield row
