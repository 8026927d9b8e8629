"""Reading a round for its pages: the readiness report, with the privacy rules
applied (``privacy``), and the answers' export. Nothing here writes.

The engine's inputs are built from aggregates, so a report costs the same
queries at any team size.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from itertools import islice

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone
from django.utils.translation import ngettext

from assessments import privacy, scoring
from assessments.catalogue import ALIGNMENT_KEYS, ENGAGEMENT_KEYS
from assessments.models import (
    AlignmentRating,
    AnswerJudgement,
    Assessment,
    Invitation,
    MailStatus,
    Response,
    RoundPrediction,
    RoundScoring,
    Team,
    pseudonym,
    team_rating_field,
)

# The team is judged against a profile of itself; once it has grown by half since
# the last full scoring, the report offers to score everyone again.
RESCORE_GROWTH = 1.5


def rescore_due(assessment: Assessment, respondents: int) -> bool:
    """Whether the team has grown enough since its last full scoring."""
    return respondents > RESCORE_GROWTH * assessment.team_profile_size


SCORING_UNDER_WAY = (
    "Scores are being updated: {done:,} of {total:,}. Until that is done, the "
    "figures below are from the last complete scoring."
)
SCORING_QUEUED = (
    "Scores will be updated shortly: every answer is waiting to be judged again. "
    "Until then, the figures below are from the last complete scoring."
)


@dataclass(frozen=True)
class ScoringProgress:
    """A full scoring of a round, asked for or under way, as its report tells it."""

    running: bool
    done: int = 0
    total: int = 0

    @property
    def message(self) -> str:
        if self.running:
            return SCORING_UNDER_WAY.format(done=self.done, total=self.total)
        return SCORING_QUEUED


def scoring_progress(assessment: Assessment, now: datetime) -> ScoringProgress | None:
    """How far a full scoring of the round has got, if one is asked for or
    running; ``assessment`` comes with its ``scoring`` selected."""
    try:
        row = assessment.scoring
    except RoundScoring.DoesNotExist:
        return None
    if row.is_running(now):
        return ScoringProgress(running=True, done=row.done, total=row.total)
    if row.requested_at is not None:
        return ScoringProgress(running=False)
    return None


def _aggregates() -> dict:
    """What ``response_aggregates`` counts, by name."""
    counted = privacy.COUNTED
    aggregates = {
        "respondents": Count("pk"),
        "counted": Count("pk", filter=counted),
        "engaged": Count("pk", filter=Q(engaged=True)),
        "awaiting_review": Sum("answers_awaiting_review", default=0),
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
        aggregates[f"{key}_counted"] = Count(field, filter=counted)
    return aggregates


def response_aggregates(assessment: Assessment) -> dict:
    """Released respondents, those of them who count for the minimum groups,
    engaged ones, answers awaiting review, per-answer tallies and the team's
    alignment ratings, in one query."""
    return (
        privacy.released_responses()
        .filter(assessment=assessment)
        .aggregate(**_aggregates())
    )


# ``response_aggregates`` of a round nobody has answered.
NO_RESPONSES = {name: None if name.endswith("_mean") else 0 for name in _aggregates()}


def grouped_response_aggregates(round_ids: list[int]) -> dict[int, dict]:
    """``response_aggregates`` of each of these rounds, in one query; a round
    nobody has answered is left out (read it as ``NO_RESPONSES``)."""
    rows = (
        privacy.released_responses()
        .filter(assessment_id__in=round_ids)
        .order_by()
        .values("assessment_id")
        .annotate(**_aggregates())
    )
    return {row.pop("assessment_id"): row for row in rows}


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


# Step 2 below its minimum group, or withheld: next actions that follow from
# nothing anyone answered.
WAITING_FOR_MORE = (
    "Wait for {missing} more {people} to answer: scores appear once {needed} have."
)
REMIND_THE_REST = (
    "Remind those who have not answered yet, and give the team ten minutes in a "
    "meeting to answer."
)
WITHHELD_ACTIONS = (
    "Read the other round's results instead: this round's cannot be shown without "
    "revealing what a few people said.",
    "Next time, invite the same people as that round, or a list that differs by at "
    "least the minimum group.",
)


def _hidden_engagement_actions(
    assessment: Assessment, respondents: int, visibility: privacy.Visibility
) -> tuple[str, ...]:
    if visibility.withheld:
        return WITHHELD_ACTIONS
    missing = assessment.min_group_for_scores - respondents
    return (
        WAITING_FOR_MORE.format(
            missing=missing,
            people="person" if missing == 1 else "people",
            needed=assessment.min_group_for_scores,
        ),
        REMIND_THE_REST,
    )


def _hide_engagement(
    report: scoring.Report, reason: str, actions: tuple[str, ...]
) -> scoring.Report:
    """The report with step 2 not ready, its reason as its only evidence and
    ``actions`` as its next actions, and the steps after it waiting for it,
    unless an earlier step holds them already: nothing left that follows from
    the answers."""
    engagement = report.step("engagement")
    held_by_vision = engagement.blocked_by is not None
    steps = []
    for step in report.steps:
        if step is engagement:
            step = replace(
                step,
                answer=scoring.Answer.NO,
                status=scoring.Status.BLOCKED
                if held_by_vision
                else scoring.Status.NOT_YET,
                score=0,
                evidence=(reason,),
                next_actions=actions,
            )
        elif step.number > engagement.number and not held_by_vision:
            step = replace(
                step,
                status=scoring.Status.BLOCKED,
                blocked_by=engagement.number,
                provisional=True,
            )
        steps.append(step)
    return scoring.Report(tuple(steps))


def alignment_input(
    assessment: Assessment,
    aggregates: dict,
    ratings: Iterable[AlignmentRating],
    *,
    shows_scores: bool = True,
) -> scoring.AlignmentInput:
    """The manager's ratings, and the team's where enough people rated a question:
    below the round's minimum group of counted raters, or when the round shows
    no scores, the team's view is left out entirely."""
    by_key = {rating.question.key: rating for rating in ratings}
    answers = []
    for key in ALIGNMENT_KEYS:
        team_count = aggregates[f"{key}_count"]
        shown = (
            shows_scores
            and aggregates[f"{key}_counted"] >= assessment.min_group_for_scores
        )
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
        budget_currency=commitment.budget_currency,
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


def round_readiness(
    assessment: Assessment,
    *,
    today: date,
    aggregates: dict,
    invitations: int,
    visibility: privacy.Visibility,
) -> scoring.Report:
    """The four steps in order, from the round's stored rows. Where the round
    shows no scores, the engine sees how many answered and nothing of what they
    said, and step 2 says why instead.

    ``assessment`` comes with ``vision`` and ``commitment`` selected and its
    ``actions`` and ``alignment_ratings__question`` prefetched.
    """
    vision = assessment.vision
    respondents = aggregates["respondents"]
    if visibility.shows_scores:
        engaged, per_question = aggregates["engaged"], question_tallies(aggregates)
    else:
        engaged = 0
        per_question = tuple(
            scoring.QuestionTally(key, 0, 0, 0) for key in ENGAGEMENT_KEYS
        )
    report = scoring.build_report(
        vision=scoring.VisionInput(vision.statement, vision.has_vision),
        engagement=scoring.EngagementSummary(
            invitations=invitations,
            respondents=respondents,
            engaged=engaged,
            per_question=per_question,
        ),
        engagement_thresholds=engagement_thresholds(assessment),
        alignment=alignment_input(
            assessment,
            aggregates,
            assessment.alignment_ratings.all(),
            shows_scores=visibility.shows_scores,
        ),
        commitment=commitment_input(assessment, today),
    )
    if visibility.shows_scores:
        return report
    return _hide_engagement(
        report,
        visibility.reason or "",
        _hidden_engagement_actions(assessment, respondents, visibility),
    )


# Named here: inside ``RoundReport`` its field ``scoring`` hides the module.
BlindSpots = tuple[scoring.BlindSpot, ...]


@dataclass(frozen=True)
class RoundReport:
    """What the report page shows of a round, with its privacy rules applied."""

    report: scoring.Report
    respondents: int
    invitations: int
    visibility: privacy.Visibility
    rescore_due: bool  # the team has grown by half since it was last scored whole
    scoring: ScoringProgress | None = None  # a full scoring asked for or under way
    # Listed answers awaiting the manager's review: none while none are listed.
    answers_awaiting_review: int = 0
    # The manager's prediction, and each item of it beside the result shown.
    prediction: RoundPrediction | None = None
    blind_spots: BlindSpots = ()
    # Whether a prediction may still be made: no answer has shown yet.
    predicts: bool = False

    @property
    def shows_scores(self) -> bool:
        return self.visibility.shows_scores

    @property
    def shows_verbatims(self) -> bool:
        return self.visibility.shows_quotes

    @property
    def withheld(self) -> str | None:
        """Why scores and answers are hidden, if they are."""
        return None if self.shows_scores else self.visibility.reason


def round_report(
    assessment: Assessment, *, today: date, now: datetime | None = None
) -> RoundReport:
    """Build a round's readiness report from its released answers, with the
    privacy rules applied: the minimum groups count only respondents who count
    for them (see ``Response.counts_for_minimum``), though every released answer
    is shown once they are met.

    ``assessment`` comes from ``Assessment.objects.for_report()``.
    """
    aggregates = response_aggregates(assessment)
    invitations = assessment.invitations.live().count()
    respondents = aggregates["respondents"]
    visibility = privacy.visibility(assessment, aggregates["counted"])
    prediction = round_prediction(assessment)
    return RoundReport(
        report=round_readiness(
            assessment,
            today=today,
            aggregates=aggregates,
            invitations=invitations,
            visibility=visibility,
        ),
        respondents=respondents,
        invitations=invitations,
        visibility=visibility,
        rescore_due=rescore_due(assessment, respondents),
        scoring=scoring_progress(assessment, now or timezone.now()),
        # Counted among released answers, shown only where they are listed.
        answers_awaiting_review=aggregates["awaiting_review"]
        if visibility.shows_quotes
        else 0,
        prediction=prediction,
        predicts=assessment.status != Assessment.Status.CLOSED
        and not privacy.answers_shown_of(
            assessment, released=respondents, counted=aggregates["counted"]
        ),
        blind_spots=prediction_blind_spots(
            assessment, prediction, aggregates, visibility
        ),
    )


# --- The manager's prediction -----------------------------------------------------


def round_prediction(assessment: Assessment) -> RoundPrediction | None:
    """The round's prediction, if the manager made one; read with the round
    where it comes from ``for_report`` (no query then)."""
    try:
        return assessment.prediction
    except RoundPrediction.DoesNotExist:
        return None


def prediction_outcome(
    assessment: Assessment, aggregates: dict, visibility: privacy.Visibility
) -> scoring.Outcome:
    """What the round shows that a prediction is compared with, from
    ``response_aggregates``: exactly what its report shows. No result where it
    shows no scores; a team mean only where the step 3 table shows it."""
    if not visibility.shows_scores or not aggregates["respondents"]:
        return scoring.Outcome()
    return scoring.Outcome(
        engaged_share=aggregates["engaged"] / aggregates["respondents"],
        team_means={
            key: aggregates[f"{key}_mean"]
            for key in ALIGNMENT_KEYS
            if aggregates[f"{key}_counted"] >= assessment.min_group_for_scores
        },
    )


def prediction_blind_spots(
    assessment: Assessment,
    prediction: RoundPrediction | None,
    aggregates: dict,
    visibility: privacy.Visibility,
) -> tuple[scoring.BlindSpot, ...]:
    """Each item predicted beside the result (``scoring.blind_spots``): the
    engaged share, and the team's ratings where the round asks the team."""
    if prediction is None:
        return ()
    return scoring.blind_spots(
        prediction.as_scoring(),
        prediction_outcome(assessment, aggregates, visibility),
        rating_keys=ALIGNMENT_KEYS if assessment.team_rates_alignment else (),
    )


@dataclass(frozen=True)
class RoundPredictionError:
    """A completed round and how far its prediction was from its result."""

    assessment: Assessment
    error: scoring.PredictionError


def prediction_errors(team: Team) -> list[RoundPredictionError]:
    """Each closed round of ``team``, in the order they opened, with the mean
    absolute error of its prediction (none where it has no prediction or shows
    no result), as its report would compare them; in two queries at any number
    of rounds."""
    rounds = list(
        Assessment.objects.filter(team=team, status=Assessment.Status.CLOSED)
        .select_related("team", "prediction")
        .order_by("opened_at", "pk")
    )
    grouped = grouped_response_aggregates([r.pk for r in rounds])
    return [
        round_prediction_error(assessment, grouped.get(assessment.pk, NO_RESPONSES))
        for assessment in rounds
    ]


def round_prediction_error(
    assessment: Assessment, aggregates: dict
) -> RoundPredictionError:
    """How far the round's prediction was from what the round shows, from its
    aggregates (``response_aggregates``) and its prediction read with it."""
    visibility = privacy.visibility(assessment, aggregates["counted"])
    spots = prediction_blind_spots(
        assessment, round_prediction(assessment), aggregates, visibility
    )
    return RoundPredictionError(assessment, scoring.prediction_error(spots))


def awaiting_review_message(count: int) -> str:
    """Step 2's line on answers awaiting review, or nothing when none do."""
    if not count:
        return ""
    return ngettext(
        "{count} answer awaits your review.",
        "{count} answers await your review.",
        count,
    ).format(count=count)


EXPORT_HEADER = (
    "respondent",
    "vision",
    "meaning",
    "contribution",
    "engaged",
    *(
        f"{key}_{column}"
        for key in ENGAGEMENT_KEYS
        for column in (
            "clear",
            "consistent",
            "score",
            "reasons",
            "override_reason",
            "needs_review",
        )
    ),
    # The manager's own rating of each alignment question, the same on every row,
    # and the person's where a named round asked the team (blank otherwise, and
    # always in an anonymous round).
    *(f"{key}_manager_rating" for key in ALIGNMENT_KEYS),
    *(f"{key}_team_rating" for key in ALIGNMENT_KEYS),
)
EXPORT_CHUNK = 1000


def respondent_label(name: str | None, respondent_key: str) -> str:
    """How a respondent is named outside the survey: by name where a named round
    links the response to one, otherwise by a stable pseudonym that leads back
    to no invitation."""
    return name or pseudonym(respondent_key)


def answers_export_rows(
    assessment: Assessment, *, staff: bool = False
) -> Iterator[list[object]]:
    """One row per response with its judgements (overrides applied), read in
    chunks so any number of responses streams in constant memory; raises
    ``privacy.Withheld`` at once, before any row, where the round does not
    show its answers (to its managers, or ``staff`` in the admin).
    """
    privacy.require_quotes(assessment, staff=staff)
    return _export_rows(assessment)


def _export_rows(assessment: Assessment) -> Iterator[list[object]]:
    """Rows are plain values, not model instances: prefetched judgements and
    their responses point at each other, and such cycles outlive their chunk
    until a full garbage collection, so memory would grow with the round."""
    rated = dict(
        AlignmentRating.objects.filter(assessment=assessment).values_list(
            "question__key", "rating"
        )
    )
    manager_ratings = [rated.get(key, "") for key in ALIGNMENT_KEYS]
    responses = Response.objects.for_export(assessment).iterator(
        chunk_size=EXPORT_CHUNK
    )
    while chunk := list(islice(responses, EXPORT_CHUNK)):
        judged = AnswerJudgement.objects.for_export([pk for pk, *_ in chunk])
        judgements = {
            (j["response_id"], j["question_key"]): [
                j["clear"] if j["override_clear"] is None else j["override_clear"],
                j["consistent"]
                if j["override_consistent"] is None
                else j["override_consistent"],
                round(j["score"], 4),
                "; ".join(j["reasons"]),
                j["override_reason"],
                j["awaits_review"],
            ]
            for j in judged
        }
        for pk, key, name, vision, meaning, contribution, engaged, *ratings in chunk:
            row: list[object] = [
                respondent_label(name, key),
                vision,
                meaning,
                contribution,
                "" if engaged is None else engaged,
            ]
            for question in ENGAGEMENT_KEYS:
                row.extend(judgements.get((pk, question), [""] * 6))
            row.extend(manager_ratings)
            row.extend("" if rating is None else rating for rating in ratings)
            yield row


# --- Email to the team ------------------------------------------------------------


@dataclass(frozen=True)
class MailProgress:
    """Where a round's email stands: counts of its invitations by the state of
    the latest email to each, an invitation or a reminder."""

    sent: int = 0
    on_their_way: int = 0  # queued and not tried yet, or being sent
    retrying: int = 0  # refused for now or the server unreachable: tried again
    failed: int = 0  # for good, until the manager retries them
    draft: bool = False

    @property
    def total(self) -> int:
        return self.sent + self.on_their_way + self.retrying + self.failed

    @property
    def summary(self) -> str:
        """One sentence for the manager, e.g. "38 of 120 emails sent; 80 on
        their way; 2 failed, retrying." """
        if self.draft and self.on_their_way:
            return ngettext(
                "{count} email waits for the round to open: it goes out when you "
                "open it.",
                "{count} emails wait for the round to open: they go out when you "
                "open it.",
                self.on_their_way,
            ).format(count=self.on_their_way)
        parts = [
            ngettext(
                "{sent} of {total} email sent",
                "{sent} of {total} emails sent",
                self.total,
            ).format(sent=self.sent, total=self.total)
        ]
        if self.on_their_way:
            parts.append(f"{self.on_their_way} on their way")
        if self.retrying:
            parts.append(f"{self.retrying} failed, retrying")
        if self.failed:
            parts.append(f"{self.failed} failed")
        return "; ".join(parts) + "."


def mail_progress(
    assessment: Assessment, invitations: Iterable[Invitation]
) -> MailProgress:
    """The round's ``MailProgress`` from its invitations, already read."""
    counts = Counter()
    for invitation in invitations:
        status = invitation.mail_status
        if status == MailStatus.QUEUED and invitation.mail_attempts:
            counts["retrying"] += 1
        elif status in (MailStatus.QUEUED, MailStatus.SENDING):
            counts["on_their_way"] += 1
        elif status == MailStatus.SENT:
            counts["sent"] += 1
        elif status == MailStatus.FAILED:
            counts["failed"] += 1
    return MailProgress(draft=assessment.status == Assessment.Status.DRAFT, **counts)
