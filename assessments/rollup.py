"""Reading the roll-up of a department or division: every team beneath it, at
every level, by its latest completed round, with the privacy rules for
roll-ups applied (``privacy.rollup_fold``). Nothing here writes.

A team's round in the roll-up is its latest completed (closed) round, latest by
when it closed; a team with none is listed as having no completed round and
counts in no figure. Figures come from the stored readiness (``StepResult``) and
one grouped count of the rounds' released responses, so the page costs the same
queries at any number of teams.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from assessments import privacy
from assessments.catalogue import ALIGNMENT_KEYS, ALIGNMENT_QUESTIONS, STEPS
from assessments.models import (
    AlignmentRating,
    Assessment,
    StepResult,
    Team,
    team_rating_field,
)
from assessments.scoring.numbers import percent, tenths

STEP_KEYS = tuple(step.key for step in STEPS)
SORTS = ("name", *STEP_KEYS)
OTHER_TEAMS = "Other teams"
TOO_FEW = "too few to show"


@dataclass(frozen=True)
class Cell:
    """One step of one row: its status (a ``StepResult.Status`` value, or "" for
    none), the status as text and the score (a mean for a group of teams)."""

    status: str
    label: str
    score: str


@dataclass(frozen=True)
class Figures:
    """Engagement and alignment over a set of teams."""

    teams: int
    respondents: int
    engaged_share: str  # respondent-weighted, "" when nobody answered
    manager_means: tuple[str, ...]  # per alignment question, "" when unrated
    team_means: tuple[str, ...]  # mean of the teams' means where shown


@dataclass(frozen=True)
class Row:
    name: str
    level: str
    report_pk: int | None  # the round's report, linked only for its managers
    has_round: bool
    cells: tuple[Cell, ...]
    figures: Figures | None


@dataclass(frozen=True)
class Rollup:
    rows: tuple[Row, ...]  # shown teams and teams with no completed round
    folded: int  # how many teams are in "Other teams"
    other: Row | None  # the pooled fold, None when none or too few
    total: Figures
    steps: tuple[tuple[str, str], ...]  # (key, "1 Vision")
    questions: tuple[tuple[str, str], ...]  # (key, text)

    @property
    def alignment(self) -> list[tuple[str, str, str]]:
        """Per alignment question: its text, the managers' and the teams' mean."""
        return [
            (text, manager, team)
            for (_, text), manager, team in zip(
                self.questions,
                self.total.manager_means,
                self.total.team_means,
                strict=True,
            )
        ]


@dataclass(frozen=True)
class _Team:
    name: str
    level: str
    round_pk: int | None
    cells: dict
    respondents: int
    engaged: int
    manager: dict
    team: dict


def _tree() -> tuple[dict[int, list[int]], dict[int, tuple[str, str]]]:
    """Every team's children, and each team's name and level (one query)."""
    children: dict[int, list[int]] = defaultdict(list)
    names = {}
    for pk, parent, name, level in Team.objects.order_by().values_list(
        "pk", "parent_id", "name", "level"
    ):
        names[pk] = (name, level)
        if parent is not None:
            children[parent].append(pk)
    return children, names


def _descendants(root: int, children: dict[int, list[int]]) -> set[int]:
    found: set[int] = set()
    frontier = [root]
    while frontier:
        team = frontier.pop()
        for child in children.get(team, ()):
            if child not in found and child != root:
                found.add(child)
                frontier.append(child)
    return found


def _latest_rounds(teams: set[int]) -> dict[int, Assessment]:
    rounds = (
        Assessment.objects.filter(team_id__in=teams, status=Assessment.Status.CLOSED)
        .only(
            "pk",
            "team_id",
            "closed_at",
            "anonymous",
            "min_group_for_scores",
            "min_group_for_verbatims",
            "withheld_reason",
            "team_rates_alignment",
        )
        .order_by("team_id", "-closed_at", "-pk")
    )
    latest: dict[int, Assessment] = {}
    for assessment in rounds:
        latest.setdefault(assessment.team_id, assessment)
    return latest


def _responses(round_pks: list[int]) -> dict[int, dict]:
    aggregates = {
        "respondents": Count("pk"),
        "counted": Count("pk", filter=privacy.COUNTED),
        "engaged": Count("pk", filter=Q(engaged=True)),
    }
    for key in ALIGNMENT_KEYS:
        aggregates[f"{key}_mean"] = Avg(team_rating_field(key))
    rows = (
        privacy.released_responses()
        .filter(assessment_id__in=round_pks)
        .order_by()
        .values("assessment_id")
        .annotate(**aggregates)
    )
    return {row["assessment_id"]: row for row in rows}


def _mean(values: list[float]) -> str:
    return tenths(sum(values) / len(values)) if values else ""


def _figures(teams: list[_Team]) -> Figures:
    respondents = sum(team.respondents for team in teams)
    engaged = sum(team.engaged for team in teams)
    return Figures(
        teams=len(teams),
        respondents=respondents,
        engaged_share=percent(engaged / respondents) if respondents else "",
        manager_means=tuple(
            _mean([t.manager[key] for t in teams if key in t.manager])
            for key in ALIGNMENT_KEYS
        ),
        team_means=tuple(
            _mean([t.team[key] for t in teams if t.team.get(key) is not None])
            for key in ALIGNMENT_KEYS
        ),
    )


def _group_cells(teams: list[_Team]) -> tuple[Cell, ...]:
    cells = []
    for key in STEP_KEYS:
        results = [team.cells[key] for team in teams if key in team.cells]
        ready = sum(status == StepResult.Status.READY for status, _ in results)
        cells.append(
            Cell(
                status="group",
                label=f"{ready} of {len(teams)} ready",
                score=_mean([score for _, score in results]),
            )
        )
    return tuple(cells)


def _team_cells(team: _Team) -> tuple[Cell, ...]:
    labels = dict(StepResult.Status.choices)
    cells = []
    for key in STEP_KEYS:
        if key in team.cells:
            status, score = team.cells[key]
            cells.append(Cell(status, str(labels[status]), str(score)))
        else:
            cells.append(Cell("", "Not assessed", ""))
    return tuple(cells)


def _sort_key(sort: str):
    position = STEP_KEYS.index(sort) if sort in STEP_KEYS else None

    def key(row: Row):
        name = (row.name.casefold(), row.name)
        if position is None:
            return (0, name)
        score = row.cells[position].score if row.cells else ""
        return (0, -int(score), name) if score else (1, name)

    return key


def rollup(root: Team, viewer, sort: str = "name") -> Rollup:
    """The roll-up of the teams beneath ``root`` as ``viewer`` reads it, rows
    sorted by ``sort`` (a key of ``SORTS``: a step sorts by its score, highest
    first). Six queries at any number of teams: the tree, the rounds, their
    responses, results and ratings, and the viewer's teams."""
    children, names = _tree()
    beneath = _descendants(root.pk, children)
    latest = _latest_rounds(beneath)
    round_pks = [assessment.pk for assessment in latest.values()]
    responses = _responses(round_pks)
    cells: dict[int, dict] = defaultdict(dict)
    for round_pk, key, status, score in StepResult.objects.filter(
        assessment_id__in=round_pks
    ).values_list("assessment_id", "step__key", "status", "score"):
        cells[round_pk][key] = (status, score)
    ratings: dict[int, dict] = defaultdict(dict)
    for round_pk, key, rating in AlignmentRating.objects.filter(
        assessment_id__in=round_pks
    ).values_list("assessment_id", "question__key", "rating"):
        ratings[round_pk][key] = rating
    managed = set(
        Team.managers.through.objects.filter(
            user_id=viewer.pk, team_id__in=beneath
        ).values_list("team_id", flat=True)
    )

    standings, teams = {}, {}
    for team_pk, assessment in latest.items():
        counts = responses.get(assessment.pk, {})
        counted = counts.get("counted", 0)
        shown = privacy.visibility(assessment, counted)
        standings[team_pk] = privacy.Standing(
            people=counted,
            min_group=assessment.min_group_for_scores,
            shows_scores=shown.shows_scores,
            withheld=shown.withheld,
        )
        team_means = {}
        if assessment.team_rates_alignment:
            team_means = {key: counts.get(f"{key}_mean") for key in ALIGNMENT_KEYS}
        teams[team_pk] = _Team(
            name=names[team_pk][0],
            level=names[team_pk][1],
            round_pk=assessment.pk,
            cells=cells[assessment.pk],
            respondents=counts.get("respondents", 0),
            engaged=counts.get("engaged", 0),
            manager=ratings[assessment.pk],
            team=team_means,
        )
    fold = privacy.rollup_fold(root.pk, children, standings)
    levels = dict(Team.Level.choices)

    rows = [
        Row(
            name=team.name,
            level=str(levels.get(team.level, team.level)),
            report_pk=team.round_pk if pk in managed else None,
            has_round=True,
            cells=_team_cells(team),
            figures=_figures([team]),
        )
        for pk, team in teams.items()
        if pk in fold.shown
    ]
    rows += [
        Row(
            name=names[pk][0],
            level=str(levels.get(names[pk][1], names[pk][1])),
            report_pk=None,
            has_round=False,
            cells=(),
            figures=None,
        )
        for pk in beneath - set(teams)
    ]
    rows.sort(key=_sort_key(sort if sort in SORTS else "name"))
    pooled = [teams[pk] for pk in sorted(fold.pooled)]
    other = None
    if pooled:
        other = Row(
            name=OTHER_TEAMS,
            level="",
            report_pk=None,
            has_round=True,
            cells=_group_cells(pooled),
            figures=_figures(pooled),
        )
    counted_teams = [teams[pk] for pk in sorted(fold.shown)] + pooled
    return Rollup(
        rows=tuple(rows),
        folded=len(fold.folded),
        other=other,
        total=_figures(counted_teams),
        steps=tuple((step.key, f"{step.number} {step.name}") for step in STEPS),
        questions=tuple((q.key, q.text) for q in ALIGNMENT_QUESTIONS),
    )


CSV_HEADER = (
    "team",
    "level",
    *(f"{key} status" for key in STEP_KEYS),
    *(f"{key} score" for key in STEP_KEYS),
    "teams",
    "respondents",
    "engaged share",
    *(f"{key} manager" for key in ALIGNMENT_KEYS),
    *(f"{key} team" for key in ALIGNMENT_KEYS),
)


def _csv_row(name: str, level: str, cells, figures: Figures | None) -> list[object]:
    cells = cells or (Cell("", "No completed round", ""),) * len(STEP_KEYS)
    row: list[object] = [name, level]
    row += [cell.label for cell in cells] + [cell.score for cell in cells]
    if figures is None:
        return row + [""] * (3 + 2 * len(ALIGNMENT_KEYS))
    return [
        *row,
        figures.teams,
        figures.respondents,
        figures.engaged_share,
        *figures.manager_means,
        *figures.team_means,
    ]


def csv_rows(summary: Rollup) -> list[list[object]]:
    """The roll-up as rows of its CSV export: the rows shown, "Other teams" and
    the total, with exactly what the page shows."""
    rows = [_csv_row(r.name, r.level, r.cells, r.figures) for r in summary.rows]
    if summary.other is not None:
        other = summary.other
        rows.append(_csv_row(other.name, "", other.cells, other.figures))
    elif summary.folded:
        rows.append([OTHER_TEAMS, "", TOO_FEW])
    blank = (Cell("", "", ""),) * len(STEP_KEYS)
    rows.append(_csv_row("Total", "", blank, summary.total))
    return rows
