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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assessments import privacy, reports, scoring
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
    answer_digest,
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
    "override_answer_digest",
)
NO_DECISION_TO_KEEP = "There is no decision of yours on this answer to keep."
UPDATE_BATCH = 1000
# Respondents the engine reads between two commits of a full scoring's progress.
PROGRESS_EVERY = 500


def respondent_judge(
    *,
    vision: str,
    ideas: Sequence[scoring.KeyIdea],
    team_profile: scoring.TeamProfile,
    answers: dict[str, str],
    counted_terms: list[str] | None = None,
) -> scoring.RespondentJudgement:
    """The engine's judgement of one respondent's answers, against the round's
    key ideas (``ideas``, the confirmed ones; none: the engine's own reading of
    the vision) and the team profile stored at the round's last full scoring,
    without the terms it counts for them (``Response.profile_terms``, None when
    it does not count them)."""
    return scoring.judge_respondent(
        vision,
        scoring.Answers("", *(answers.get(key, "") for key in ENGAGEMENT_KEYS)),
        team_profile,
        ideas=ideas,
        counted_terms=None if counted_terms is None else frozenset(counted_terms),
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
    *, response_id: int, judgement: scoring.RespondentJudgement, now: datetime
) -> None:
    """Write one respondent's three judgements in one statement.

    A manager's decision is never cleared by new answers: it stays, marked when
    the answer has changed since (``AnswerJudgement.answer_changed``).
    """
    AnswerJudgement.objects.bulk_create(
        _judgement_rows(response_id, judgement, now),
        update_conflicts=True,
        unique_fields=("response", "question_key"),
        update_fields=ENGINE_FIELDS,
    )


def response_outcome(
    *, response_id: int, judgement: scoring.RespondentJudgement
) -> dict[str, bool | int]:
    """The values of ``RESPONSE_JUDGED_FIELDS`` for a stored response judged
    anew: the engine's ``judgement`` with the manager's decisions on it applied
    (an answer decided on awaits no review)."""
    overrides = {
        key: scoring.Override(reason=reason, clear=clear, consistent=consistent)
        for key, clear, consistent, reason in AnswerJudgement.objects.filter(
            Q(override_clear__isnull=False) | Q(override_consistent__isnull=False),
            response_id=response_id,
        ).values_list(
            "question_key", "override_clear", "override_consistent", "override_reason"
        )
    }
    return {
        **outcome(scoring.review_respondent(judgement, overrides)),
        "answers_awaiting_review": awaiting_review(judgement, overrides),
    }


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


@dataclass(frozen=True)
class _TeamJudged:
    """A full scoring's reading of a round, in the order of ``rows``."""

    rows: list[tuple]  # (pk, *answers)
    judgements: tuple[scoring.RespondentJudgement, ...]
    profile: scoring.TeamProfile
    # Each response's terms in the profile, None for one it does not count.
    terms: tuple[frozenset[str] | None, ...]


def _team_judge(
    *,
    assessment: Assessment,
    started: datetime,
    on_progress: Callable[[int, int], None] | None,
) -> _TeamJudged:
    """Judge every response of a round again, in memory, committing progress.

    The profile is built from the responses ``privacy.in_team_profile`` lets
    in, who are judged as a team; the others are judged against it as newcomers.
    """
    read = list(
        Response.objects.filter(assessment=assessment)
        .order_by("pk")
        .values_list("pk", *ANSWER_COLUMNS, "release")
    )
    rows = [tuple(row[:-1]) for row in read]
    statement, stored_ideas = (
        Vision.objects.filter(assessment=assessment)
        .values_list("statement", "key_ideas")
        .first()
    ) or ("", [])
    ideas = scoring.ideas_from_data(stored_ideas)

    def progress(done: int) -> None:
        _scoring_progress(
            assessment_id=assessment.pk, started=started, done=done, total=len(rows)
        )
        if on_progress is not None:
            on_progress(done, len(rows))

    progress(0)
    answers = {pk: scoring.Answers(str(pk), *texts) for pk, *texts in rows}
    members = [pk for pk, *_, release in read if privacy.in_team_profile(release)]
    judged, profile, term_sets = scoring.judge_team_with_terms(
        statement,
        [answers[pk] for pk in members],
        ideas=ideas,
        progress=progress,
        every=PROGRESS_EVERY,
    )
    in_team = {
        pk: (judgement, terms or None)  # no terms: the profile leaves them out
        for pk, judgement, terms in zip(members, judged, term_sets, strict=True)
    }
    outside = [pk for pk, *_ in rows if pk not in in_team]
    for pk in outside:
        in_team[pk] = (
            scoring.judge_respondent(statement, answers[pk], profile, ideas=ideas),
            None,
        )
    if outside:
        progress(len(rows))
    return _TeamJudged(
        rows,
        tuple(in_team[pk][0] for pk, *_ in rows),
        profile,
        tuple(in_team[pk][1] for pk, *_ in rows),
    )


def _team_judgements_store(
    *, assessment: Assessment, team: _TeamJudged, stamp: datetime
) -> None:
    """Store a round's new judgements (keeping managers' overrides), outcomes,
    team profile and the terms it counts for each response, inside the caller's
    transaction.

    Only rows the engine now judges differently are written: a scoring that
    changes little costs little, and leaves the rest of the round unlocked.
    Responses changed or removed since they were read keep what their own write
    stored: those about to be written are locked, compared and left out if so.
    Each one still there gets the terms the new profile counts for what was read.
    """
    rows, judgements = team.rows, team.judgements
    stored_profile = team.profile.for_respondents()
    judged = {
        pk: (tuple(answers), judgement)
        for (pk, *answers), judgement in zip(rows, judgements, strict=True)
    }
    profile_terms = {
        pk: None if terms is None else sorted(terms & stored_profile.counts.keys())
        for (pk, *_), terms in zip(rows, team.terms, strict=True)
    }
    stored_outcomes = {}
    new_terms = {}
    for pk, terms, *flags in Response.objects.filter(assessment=assessment).values_list(
        "pk", "profile_terms", *RESPONSE_JUDGED_FIELDS
    ):
        stored_outcomes[pk] = tuple(flags)
        if pk in profile_terms and terms != profile_terms[pk]:
            new_terms[pk] = profile_terms[pk]
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
    writing = sorted(
        {row.response_id for row in new_rows} | set(new_outcomes) | set(new_terms)
    )
    writable = set()
    still_there = set()
    for start in range(0, len(writing), UPDATE_BATCH):
        for pk, *answers in (
            Response.objects.filter(pk__in=writing[start : start + UPDATE_BATCH])
            .select_for_update(no_key=True)
            .values_list("pk", *ANSWER_COLUMNS)
        ):
            still_there.add(pk)
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
    Response.objects.bulk_update(
        [
            Response(pk=pk, profile_terms=terms)
            for pk, terms in new_terms.items()
            if pk in still_there
        ],
        ("profile_terms",),
        batch_size=UPDATE_BATCH,
    )
    assessment.team_profile = stored_profile.as_dict()
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
        team = _team_judge(assessment=assessment, started=now, on_progress=on_progress)
        with transaction.atomic():
            claim = RoundScoring.objects.select_for_update().get(pk=assessment_id)
            if claim.started_at != now:
                return None  # taken over as stale: the newer scoring writes
            _team_judgements_store(
                assessment=assessment,
                team=team,
                # Judgements are dated like the responses they judge.
                stamp=response_timestamp(anonymous=assessment.anonymous, now=now),
            )
            readiness_refresh(assessment_id=assessment_id, now=now)
            finished = timezone.now()
            RoundScoring.objects.filter(pk=assessment_id).update(
                started_at=None,
                progress_at=finished,
                done=len(team.rows),
                total=len(team.rows),
                finished_at=finished,
                engine_version=scoring.ENGINE_VERSION,
            )
    except BaseException:
        # Free the round for the next attempt.
        RoundScoring.objects.filter(pk=assessment_id, started_at=now).update(
            started_at=None
        )
        raise
    return len(team.rows)


@transaction.atomic
def judgement_override(
    *,
    judgement: AnswerJudgement,
    clear: bool | None,
    consistent: bool | None,
    reason: str,
    user,
) -> AnswerJudgement:
    """Record a manager's own decision on one answer, or remove it (both None).

    The decision holds whatever the respondent saves later; it is taken on the
    answer as it is now (its digest is kept, to tell when it changes)."""
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
    judgement.override_answer_digest = (
        ""
        if removing
        else answer_digest(judgement.response.answer_for(judgement.question_key))
    )
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
def judgement_override_keep(*, judgement: AnswerJudgement, user) -> AnswerJudgement:
    """Keep a manager's decision on an answer that changed since they made it:
    the decision now stands for the answer as it is."""
    judgement = (
        AnswerJudgement.objects.select_for_update(of=("self",))
        .select_related("response")
        .get(pk=judgement.pk)
    )
    if not judgement.is_overridden:
        raise ValidationError(NO_DECISION_TO_KEEP, code="no_decision_to_keep")
    judgement.override_answer_digest = answer_digest(
        judgement.response.answer_for(judgement.question_key)
    )
    judgement.overridden_by = user
    judgement.overridden_at = timezone.now()
    judgement.save(
        update_fields=("override_answer_digest", "overridden_by", "overridden_at")
    )
    return judgement


@transaction.atomic
def response_correct(
    *, response: Response, answers: dict[str, str], now: datetime | None = None
) -> Response:
    """Correct a response's answers (say, to remove a name someone typed) and judge
    them again. Like a resubmission, it keeps the managers' decisions, marked
    where the answer changed, and the terms the team profile counts for it."""
    now = now or timezone.now()
    # The profile and the terms it counts for this response, as one full
    # scoring left them (locked, so no other writes between).
    profile_terms, team_profile, statement, stored_ideas, anonymous = (
        Response.objects.select_for_update(no_key=True, of=("self",))
        .values_list(
            "profile_terms",
            "assessment__team_profile",
            "assessment__vision__statement",
            "assessment__vision__key_ideas",
            "assessment__anonymous",
        )
        .get(pk=response.pk)
    )
    for key in ENGAGEMENT_KEYS:
        setattr(response, f"{key}_answer", answers.get(key, ""))
    judgement = respondent_judge(
        vision=statement or "",
        ideas=scoring.ideas_from_data(stored_ideas),
        team_profile=scoring.TeamProfile.from_dict(team_profile),
        answers=answers,
        counted_terms=profile_terms,
    )
    for field, value in response_outcome(
        response_id=response.pk, judgement=judgement
    ).items():
        setattr(response, field, value)
    response.updated_at = max(
        response.created_at, response_timestamp(anonymous=anonymous, now=now)
    )
    response.save(
        update_fields=(*ANSWER_COLUMNS, *RESPONSE_JUDGED_FIELDS, "updated_at")
    )
    judgements_store(
        response_id=response.pk,
        judgement=judgement,
        now=response.updated_at,  # no finer than a day in anonymous rounds
    )
    readiness_refresh(assessment_id=response.assessment_id, now=now)
    return response
