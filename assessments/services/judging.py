"""Judging answers and keeping what is stored in step with the judgements.

Each answer's judgement, each response's ``engaged`` flag and outcome columns,
the round's team profile and its stored readiness per step are written here and
nowhere else.

A new submission is judged at once against the team profile stored at the last
full scoring. The whole team is scored again (``assessment_rescore``, by a worker:
see ``services.upkeep``) when a manager or an administrator asks, after an import
or a new vision, once the team has grown by half, or when the rules change; so
the total work stays linear in the number of submissions.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assessments import reports, scoring
from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.models import (
    OUTCOME_FIELDS,
    OVERRIDE_NEEDS_A_REASON,
    SCORING_STALE,
    AnswerJudgement,
    Assessment,
    Response,
    RoundScoring,
    StepKey,
    StepResult,
    Vision,
    catalogue_steps,
)
from assessments.services.rounds import response_timestamp

# What a judgement row holds from the engine: a full scoring compares them to
# leave rows it judges the same unwritten.
JUDGED_COLUMNS = (
    "clear",
    "consistent",
    "clarity",
    "consistency",
    "score",
    "reasons",
    "confidence",
    "language",
    "needs_review",
    "engine_version",
)
ENGINE_FIELDS = (*JUDGED_COLUMNS, "scored_at")
ANSWER_COLUMNS = ("vision_answer", "meaning_answer", "contribution_answer")
# What a response holds from its judgements: a full scoring compares them too.
RESPONSE_JUDGED_FIELDS = (*OUTCOME_FIELDS, "answers_awaiting_review")
OVERRIDE_FIELDS = (
    "override_clear",
    "override_consistent",
    "override_reason",
    "overridden_by",
    "overridden_at",
)
UPDATE_BATCH = 1000
# Respondents the engine reads between two commits of a full scoring's progress.
PROGRESS_EVERY = 500


def respondent_judge(
    *, vision: str, team_profile: scoring.TeamProfile, answers: dict[str, str]
) -> scoring.RespondentJudgement:
    """The engine's judgement of one respondent's answers, against the team
    profile stored at the round's last full scoring."""
    return scoring.judge_respondent(
        vision,
        scoring.Answers("", *(answers.get(key, "") for key in ENGAGEMENT_KEYS)),
        team_profile,
    )


def outcome(judgement: scoring.RespondentJudgement) -> dict[str, bool]:
    """The values of ``OUTCOME_FIELDS`` for a respondent's (effective) judgement."""
    values = {
        f"{key}_{kind}": getattr(answer, kind)
        for key, answer in judgement.answers.items()
        for kind in ("clear", "consistent")
    }
    return {**values, "engaged": judgement.engaged}


def awaiting_review(
    judgement: scoring.RespondentJudgement, overridden: Iterable[str] = ()
) -> int:
    """How many of a respondent's answers await review (``AWAITING_REVIEW``):
    those the engine is unsure of, less the ``overridden`` question keys."""
    settled = set(overridden)
    return sum(
        answer.needs_review
        for key, answer in judgement.answers.items()
        if key not in settled
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
            confidence=answer.confidence,
            language=answer.language,
            needs_review=answer.needs_review,
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


def judgements_add(
    *, judged: list[tuple[int, scoring.RespondentJudgement]], now: datetime
) -> None:
    """Write new responses' judgements, many at once (they have none yet)."""
    AnswerJudgement.objects.bulk_create(
        [
            row
            for pk, judgement in judged
            for row in _judgement_rows(pk, judgement, now)
        ],
        batch_size=UPDATE_BATCH,
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


def _outcomes_store(outcomes: dict[int, dict[str, bool | int]]) -> None:
    """Write many responses' outcomes: one UPDATE per distinct outcome (a team
    has a handful), in batches of primary keys."""
    groups: dict[tuple[bool | int, ...], list[int]] = {}
    for pk, values in outcomes.items():
        flags = tuple(values[field] for field in RESPONSE_JUDGED_FIELDS)
        groups.setdefault(flags, []).append(pk)
    for flags, ids in groups.items():
        for start in range(0, len(ids), UPDATE_BATCH):
            Response.objects.filter(pk__in=ids[start : start + UPDATE_BATCH]).update(
                **dict(zip(RESPONSE_JUDGED_FIELDS, flags, strict=True))
            )


def _scoring_progress(
    *, assessment_id: int, started: datetime, done: int, total: int
) -> None:
    RoundScoring.objects.filter(assessment_id=assessment_id, started_at=started).update(
        done=done, total=total, progress_at=timezone.now()
    )


def _team_judge(
    *,
    assessment: Assessment,
    started: datetime,
    on_progress: Callable[[int, int], None] | None,
) -> tuple[list[tuple], tuple[scoring.RespondentJudgement, ...], scoring.TeamProfile]:
    """Judge every response of a round again, in memory, committing progress."""
    rows = list(
        Response.objects.filter(assessment=assessment)
        .order_by("pk")
        .values_list("pk", *ANSWER_COLUMNS)
    )
    statement = (
        Vision.objects.filter(assessment=assessment)
        .values_list("statement", flat=True)
        .first()
    )

    def progress(done: int) -> None:
        _scoring_progress(
            assessment_id=assessment.pk, started=started, done=done, total=len(rows)
        )
        if on_progress is not None:
            on_progress(done, len(rows))

    progress(0)
    judgements, profile = scoring.judge_team_with_profile(
        statement or "",
        [scoring.Answers(str(pk), v, m, c) for pk, v, m, c in rows],
        progress=progress,
        every=PROGRESS_EVERY,
    )
    return rows, judgements, profile


def _team_judgements_store(
    *,
    assessment: Assessment,
    rows: list[tuple],
    judgements: tuple[scoring.RespondentJudgement, ...],
    profile: scoring.TeamProfile,
    stamp: datetime,
) -> None:
    """Store a round's new judgements (keeping managers' overrides), outcomes and
    team profile, inside the caller's transaction.

    Only rows the engine now judges differently are written: a scoring that
    changes little costs little, and leaves the rest of the round unlocked.
    Responses changed or removed since they were read keep what their own write
    stored: those about to be written are locked, compared and left out if so.
    """
    judged = {
        pk: (tuple(answers), judgement)
        for (pk, *answers), judgement in zip(rows, judgements, strict=True)
    }
    stored_outcomes = {
        pk: tuple(flags)
        for pk, *flags in Response.objects.filter(assessment=assessment).values_list(
            "pk", *RESPONSE_JUDGED_FIELDS
        )
    }
    stored_judgements = {
        (response_id, key): tuple(values)
        for response_id, key, *values in AnswerJudgement.objects.filter(
            response__assessment=assessment
        ).values_list("response_id", "question_key", *JUDGED_COLUMNS)
    }
    overrides = _stored_overrides(assessment)
    new_rows = [
        row
        for pk, (_, judgement) in judged.items()
        if pk in stored_outcomes
        for row in _judgement_rows(pk, judgement, stamp)
        if stored_judgements.get((pk, row.question_key))
        != tuple(getattr(row, column) for column in JUDGED_COLUMNS)
    ]
    new_outcomes = {}
    for pk, (_, judgement) in judged.items():
        overridden = overrides.get(pk, {})
        values = {
            **outcome(scoring.review_respondent(judgement, overridden)),
            "answers_awaiting_review": awaiting_review(judgement, overridden),
        }
        flags = tuple(values[field] for field in RESPONSE_JUDGED_FIELDS)
        if pk in stored_outcomes and stored_outcomes[pk] != flags:
            new_outcomes[pk] = values
    # Locked until the transaction ends, so a resubmission waits, then writes its
    # own judgement over this one rather than under it (a no-key lock: new
    # submissions, which only reference the round, are not held up).
    writing = sorted({row.response_id for row in new_rows} | set(new_outcomes))
    writable = set()
    for start in range(0, len(writing), UPDATE_BATCH):
        for pk, *answers in (
            Response.objects.filter(pk__in=writing[start : start + UPDATE_BATCH])
            .select_for_update(no_key=True)
            .values_list("pk", *ANSWER_COLUMNS)
        ):
            if tuple(answers) == judged[pk][0]:
                writable.add(pk)
    AnswerJudgement.objects.bulk_create(
        [row for row in new_rows if row.response_id in writable],
        batch_size=UPDATE_BATCH,
        update_conflicts=True,
        unique_fields=("response", "question_key"),
        update_fields=ENGINE_FIELDS,
    )
    _outcomes_store(
        {pk: values for pk, values in new_outcomes.items() if pk in writable}
    )
    assessment.team_profile = profile.for_newcomers().as_dict()
    assessment.team_profile_size = len(rows)
    assessment.save(update_fields=("team_profile", "team_profile_size"))


def _step_results_store(
    *, assessment: Assessment, summary: reports.RoundReport, now: datetime
) -> None:
    """Keep the report's status and score per step, for dashboards and the admin;
    step 2 of a round withheld for privacy is stored as withheld."""
    steps = {step.key: step for step in catalogue_steps(assessment.catalogue_version)}

    def status(step: scoring.StepReport) -> str:
        if step.key == StepKey.ENGAGEMENT and summary.visibility.withheld:
            return StepResult.Status.WITHHELD
        return str(step.status)

    StepResult.objects.bulk_create(
        [
            StepResult(
                assessment=assessment,
                step=steps[step.key],
                status=status(step),
                score=step.score,
                computed_at=now,
            )
            for step in summary.report.steps
            if step.key in steps
        ],
        update_conflicts=True,
        unique_fields=("assessment", "step"),
        update_fields=("status", "score", "computed_at"),
    )


def readiness_refresh(
    *, assessment_id: int, now: datetime | None = None
) -> reports.RoundReport:
    """Build a round's report from the database and store each step's readiness,
    after any write that changes it."""
    now = now or timezone.now()
    assessment = Assessment.objects.for_report().get(pk=assessment_id)
    summary = reports.round_report(assessment, today=timezone.localdate(now))
    _step_results_store(assessment=assessment, summary=summary, now=now)
    return summary


def round_scoring_ensure(*, assessment_id: int) -> None:
    """Give a round its scoring row if it has none yet (safe to race)."""
    RoundScoring.objects.bulk_create(
        [RoundScoring(assessment_id=assessment_id)], ignore_conflicts=True
    )


def _scoring_claim(*, assessment_id: int, now: datetime, requested_only: bool) -> bool:
    """Mark a round's full scoring as started unless one is running (two never
    run at once) or, when ``requested_only``, none was asked for."""
    round_scoring_ensure(assessment_id=assessment_id)
    free = Q(started_at__isnull=True) | Q(progress_at__lt=now - SCORING_STALE)
    if requested_only:
        free &= Q(requested_at__isnull=False)
    return bool(
        RoundScoring.objects.filter(free, assessment_id=assessment_id).update(
            requested_at=None, started_at=now, progress_at=now, done=0, total=0
        )
    )


def assessment_rescore(
    *,
    assessment_id: int,
    now: datetime | None = None,
    requested_only: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> int | None:
    """Judge every answer of a round again and store its readiness per step;
    returns how many responses were judged, or None when another full scoring of
    the round is running (or, ``requested_only``, none was asked for).

    The engine works in memory and its progress is committed as it goes (its
    own statements, so other connections see it; ``on_progress`` is called after
    each with the respondents read and the total), then everything judged is
    written in one transaction: until it commits, readers see the last complete
    scoring.
    """
    now = now or timezone.now()
    if not _scoring_claim(
        assessment_id=assessment_id, now=now, requested_only=requested_only
    ):
        return None
    try:
        assessment = Assessment.objects.get(pk=assessment_id)
        rows, judgements, profile = _team_judge(
            assessment=assessment, started=now, on_progress=on_progress
        )
        with transaction.atomic():
            claim = RoundScoring.objects.select_for_update().get(pk=assessment_id)
            if claim.started_at != now:
                return None  # taken over as stale: the newer scoring writes
            _team_judgements_store(
                assessment=assessment,
                rows=rows,
                judgements=judgements,
                profile=profile,
                # Judgements are dated like the responses they judge.
                stamp=response_timestamp(anonymous=assessment.anonymous, now=now),
            )
            readiness_refresh(assessment_id=assessment_id, now=now)
            finished = timezone.now()
            RoundScoring.objects.filter(pk=assessment_id).update(
                started_at=None,
                progress_at=finished,
                done=len(rows),
                total=len(rows),
                finished_at=finished,
                engine_version=scoring.ENGINE_VERSION,
            )
    except BaseException:
        # Free the round for the next attempt.
        RoundScoring.objects.filter(pk=assessment_id, started_at=now).update(
            started_at=None
        )
        raise
    return len(rows)


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
        raise ValidationError(
            OVERRIDE_NEEDS_A_REASON, code="judgement_override_needs_a_reason"
        )
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
    values["answers_awaiting_review"] = sum(j.awaits_review for j in siblings.values())
    Response.objects.filter(pk=judgement.response_id).update(**values)
    readiness_refresh(assessment_id=judgement.response.assessment_id)
    return judgement


@transaction.atomic
def response_correct(
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
    judgement = respondent_judge(
        vision=assessment.vision.statement,
        team_profile=scoring.TeamProfile.from_dict(assessment.team_profile),
        answers=answers,
    )
    for field, value in outcome(judgement).items():
        setattr(response, field, value)
    response.answers_awaiting_review = awaiting_review(judgement)
    response.updated_at = max(
        response.created_at, response_timestamp(anonymous=assessment.anonymous, now=now)
    )
    response.save()
    judgements_store(
        response_id=response.pk,
        judgement=judgement,
        keep_overrides=False,
        now=response.updated_at,  # no finer than a day in anonymous rounds
    )
    readiness_refresh(assessment_id=assessment.pk, now=now)
    return response
