"""Reading a team's rounds side by side for its trend page and its CSV, with the
privacy rules applied round by round (``privacy.trend_shows``). Nothing here
writes.

Every round is read through the same few queries whatever their number
(``Assessment.objects.for_trends`` and one grouped aggregate of the released
answers), and each is judged by the same engine as its report
(``reports.round_readiness``), so a figure reads the same on both pages.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from assessments import charts, privacy, reports, scoring
from assessments.catalogue import ALIGNMENT_QUESTIONS, ENGAGEMENT_QUESTIONS
from assessments.models import Assessment, Team, catalogue_steps
from assessments.scoring.numbers import percent, tenths

HIDDEN = "hidden"  # a withheld round: nothing drawn from answers, not even a blank
TOO_FEW = "too few answers"  # below the round's minimum group for scores
NOT_ASKED = "not asked"  # the team did not rate the alignment questions
NOT_RATED = "not rated"  # the manager has not rated the question yet
NONE_DUE = "none due"  # no action due yet to measure follow-through by


@dataclass(frozen=True)
class Figure:
    """One figure of one round: ``value`` (0 to 1 for shares, 1 to 5 for
    ratings) where it is shown, else ``None`` and ``text`` says why."""

    text: str
    value: float | None = None


@dataclass(frozen=True)
class StepPoint:
    key: str
    name: str
    status: str  # a ``StepResult.Status`` label, or "hidden"
    score: Figure


@dataclass(frozen=True)
class AlignmentPoint:
    key: str
    manager: Figure
    team: Figure


@dataclass(frozen=True)
class RoundTrend:
    """What the trend page shows of one round."""

    assessment: Assessment
    visibility: privacy.Visibility
    steps: tuple[StepPoint, ...]
    engaged: Figure
    per_question: tuple[tuple[str, Figure], ...]  # share clear and consistent
    alignment: tuple[AlignmentPoint, ...]
    follow_through: Figure

    @property
    def label(self) -> str:
        return str(self.assessment)


@dataclass(frozen=True)
class TeamTrend:
    team: Team
    rounds: tuple[RoundTrend, ...]
    # The completed rounds whose prediction could be set beside a result, in
    # round order, with how far each was (``reports.round_prediction_error``).
    predictions: tuple[reports.RoundPredictionError, ...] = field(default=())

    @property
    def comparable(self) -> bool:
        """Whether there is a trend to draw: two rounds or more."""
        return len(self.rounds) >= 2

    @property
    def share_came_closer(self) -> bool | None:
        """Whether the latest predicted engaged share was nearer the result than
        the one before it; None with fewer than two to compare."""
        return scoring.came_closer([p.error.engaged_share for p in self.predictions])

    @property
    def ratings_came_closer(self) -> bool | None:
        """The same for the predicted team ratings (their mean gap)."""
        return scoring.came_closer([p.error.ratings for p in self.predictions])


def _hidden(shown: privacy.Visibility) -> Figure:
    return Figure(HIDDEN if shown.withheld else TOO_FEW)


def _share(count: int, of: int) -> Figure:
    share = count / of if of else 0.0
    return Figure(percent(share), share)


def _steps(assessment: Assessment, shown: privacy.Visibility) -> tuple[StepPoint, ...]:
    results = {result.step.key: result for result in assessment.step_results.all()}
    points = []
    for step in catalogue_steps(assessment.catalogue_version):
        result = results.get(step.key)
        if result is None:
            points.append(StepPoint(step.key, step.name, "not scored", Figure("-")))
        elif not privacy.trend_shows_step(step.key, shown):
            status = HIDDEN if shown.withheld else result.get_status_display()
            points.append(StepPoint(step.key, step.name, status, _hidden(shown)))
        else:
            score = result.score
            points.append(
                StepPoint(
                    step.key,
                    step.name,
                    result.get_status_display(),
                    Figure(str(score), score / 100),
                )
            )
    return tuple(points)


def _alignment(
    assessment: Assessment, report: scoring.Report, shown: privacy.Visibility
) -> tuple[AlignmentPoint, ...]:
    points = []
    for row in report.step("alignment").detail.rows:
        manager = Figure(NOT_RATED)
        if row.rating:
            manager = Figure(str(row.rating), float(row.rating))
        if not assessment.team_rates_alignment:
            team = Figure(NOT_ASKED)
        elif not privacy.trend_shows(shown):
            team = _hidden(shown)
        elif row.team_mean is None:
            team = Figure(TOO_FEW)  # too few of the team rated this question
        else:
            team = Figure(tenths(row.team_mean), row.team_mean)
        points.append(AlignmentPoint(row.key, manager, team))
    return tuple(points)


def round_trend(assessment: Assessment, aggregates: dict, *, today: date) -> RoundTrend:
    """One round's figures, from ``for_trends`` and its grouped aggregates."""
    shown = privacy.visibility(assessment, aggregates["counted"])
    report = reports.round_readiness(
        assessment,
        today=today,
        aggregates=aggregates,
        invitations=assessment.invited,
        visibility=shown,
    )
    respondents = aggregates["respondents"]
    if privacy.trend_shows(shown) and respondents:
        summary = report.step("engagement").detail.summary
        engaged = _share(summary.engaged, respondents)
        per_question = tuple(
            (key, _share(summary.tally(key).both, respondents))
            for key in (q.key for q in ENGAGEMENT_QUESTIONS)
        )
    else:
        engaged = _hidden(shown)
        per_question = tuple((q.key, _hidden(shown)) for q in ENGAGEMENT_QUESTIONS)
    follow_through = report.step("commitment").detail.follow_through
    return RoundTrend(
        assessment=assessment,
        visibility=shown,
        steps=_steps(assessment, shown),
        engaged=engaged,
        per_question=per_question,
        alignment=_alignment(assessment, report, shown),
        follow_through=Figure(NONE_DUE)
        if follow_through is None
        else Figure(percent(follow_through), follow_through),
    )


def team_trend(team: Team, *, today: date) -> TeamTrend:
    """The team's opened rounds, oldest first, each as ``round_trend`` reads it,
    and how far the manager's predictions were: the same queries for 2 rounds or
    12."""
    rounds = list(Assessment.objects.filter(team=team).for_trends())
    aggregates = reports.grouped_response_aggregates([r.pk for r in rounds])
    of = {r.pk: aggregates.get(r.pk) or reports.NO_RESPONSES for r in rounds}
    compared = (
        reports.round_prediction_error(r, of[r.pk])
        for r in rounds
        if r.status == Assessment.Status.CLOSED
    )
    return TeamTrend(
        team=team,
        rounds=tuple(round_trend(r, of[r.pk], today=today) for r in rounds),
        predictions=tuple(
            found
            for found in compared
            if found.error.engaged_share is not None or found.error.ratings is not None
        ),
    )


# --- Charts ---------------------------------------------------------------------------

PERCENT_SCALE = (0.0, 1.0, [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")])
SCORE_SCALE = (0.0, 1.0, [(0.0, "0"), (0.5, "50"), (1.0, "100")])
RATING_SCALE = (1.0, 5.0, [(float(n), str(n)) for n in range(1, 6)])


def _values(figures) -> list[tuple[float | None, str]]:
    return [(figure.value, figure.text) for figure in figures]


def trend_charts(trend: TeamTrend) -> dict:
    """The page's charts, each drawn from the figures its table lists."""
    rounds, count = trend.rounds, len(trend.rounds)
    steps = [
        (point.name, _values(r.steps[i].score for r in rounds))
        for i, point in enumerate(rounds[0].steps)
    ]
    engagement = [("Engaged", _values(r.engaged for r in rounds))] + [
        (
            f"{question.key.capitalize()}: clear and consistent",
            _values(r.per_question[i][1] for r in rounds),
        )
        for i, question in enumerate(ENGAGEMENT_QUESTIONS)
    ]
    alignment = {
        question.key: charts.line_chart(
            title=f"{question.key.capitalize()}: the manager's rating and the team's",
            description=(
                f"For each round, the manager's rating of {question.key} from 1 to 5 "
                "and, where the round shows it, the team's mean rating."
            ),
            count=count,
            series=[
                ("Manager", _values(r.alignment[i].manager for r in rounds)),
                ("Team", _values(r.alignment[i].team for r in rounds)),
            ],
            scale=RATING_SCALE,
        )
        for i, question in enumerate(ALIGNMENT_QUESTIONS)
    }
    return {
        "steps": charts.line_chart(
            title="Each step's score across rounds",
            description="For each round, oldest first, the score of each step "
            "from 0 to 100.",
            count=count,
            series=steps,
            scale=SCORE_SCALE,
        ),
        "engagement": charts.line_chart(
            title="Engagement across rounds",
            description="For each round, the share of respondents engaged and, per "
            "question, the share whose answer is clear and consistent.",
            count=count,
            series=engagement,
            scale=PERCENT_SCALE,
        ),
        "follow_through": charts.line_chart(
            title="Follow-through across rounds",
            description="For each round, the share of its due actions done on time.",
            count=count,
            series=[("Follow-through", _values(r.follow_through for r in rounds))],
            scale=PERCENT_SCALE,
        ),
        # Per question, its text and its chart, in the catalogue's order.
        "alignment": tuple((q, alignment[q.key]) for q in ALIGNMENT_QUESTIONS),
    }


# --- The dashboard's change since the previous completed round --------------------


@dataclass(frozen=True)
class Change:
    """A step's score in a team's latest completed round beside its previous one:
    "Engagement 60 → 75, +15"."""

    name: str
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before

    def __str__(self) -> str:
        return f"{self.name} {self.before} → {self.after}, {self.delta:+d}"


def _shown_scores(assessment: Assessment) -> dict[str, tuple[str, int]]:
    shown = privacy.visibility(assessment, assessment.respondents)
    return {
        result.step.key: (result.step.name, result.score)
        for result in assessment.step_results.all()
        if privacy.trend_shows_step(result.step.key, shown)
    }


def changes_since_previous(team_ids: list[int]) -> dict[int, tuple[Change, ...]]:
    """Per team, each step's change between its two latest completed rounds,
    where both show that step's score; in two queries for any number of teams."""
    latest: dict[int, list[Assessment]] = {}
    for assessment in Assessment.objects.last_two_completed(
        team_ids, respondents=privacy.respondents_per_round()
    ):
        latest.setdefault(assessment.team_id, []).append(assessment)
    changes = {}
    for team_id, pair in latest.items():
        if len(pair) < 2:
            continue
        after, before = (_shown_scores(assessment) for assessment in pair)
        changes[team_id] = tuple(
            Change(name, before[key][1], score)
            for key, (name, score) in after.items()
            if key in before
        )
    return changes


# --- The trend's CSV ------------------------------------------------------------------

EXPORT_HEADER = ("number", "round", "opened", "closed", "figure", "value", "shown")


def _rows_of(point: RoundTrend) -> Iterator[tuple[str, Figure]]:
    for step in point.steps:
        yield f"step {step.key} status", Figure(step.status)
        yield f"step {step.key} score", step.score
    yield "engaged share", point.engaged
    for key, figure in point.per_question:
        yield f"{key} clear and consistent", figure
    for row in point.alignment:
        yield f"{row.key} manager rating", row.manager
        yield f"{row.key} team mean", row.team
    yield "follow-through", point.follow_through


def export_rows(trend: TeamTrend) -> Iterator[list[object]]:
    """One row per round and figure, with the page's privacy: a hidden figure's
    value is the page's words for why, never a number."""
    for number, point in enumerate(trend.rounds, start=1):
        assessment = point.assessment
        opened = assessment.opened_at.date().isoformat() if assessment.opened_at else ""
        closed = assessment.closed_at.date().isoformat() if assessment.closed_at else ""
        for name, figure in _rows_of(point):
            yield [
                number,
                point.label,
                opened,
                closed,
                name,
                figure.text,
                "yes" if figure.value is not None or name.endswith("status") else "no",
            ]
