"""Step 3: the manager's ratings of the five alignment questions.

Each question is rated 1-5 by the manager with written evidence:

- A rating of ``HIGH_RATING`` (4) or 5 without evidence counts one point lower.
  Evidence that is blank or a non-answer ("n/a", "yes") is no evidence.
- A question's score is (counted rating - 1) / 4, so 1 scores 0 and 5 scores 1;
  an unrated question scores 0. The step's score is the mean over the five.
- The step is ready when every question is rated 4 or more with evidence.
- When team members rated the same question, the perception gap is the team's
  mean minus the manager's rating ("team minus manager"): positive when the team
  rates the question higher than the manager does, negative when lower. A gap
  of ``GAP_FLAG`` (1.5) points or more either way, once rounded as the report
  writes it (``numbers.one_decimal``), is flagged: leadership and staff see that
  question differently. Gaps are reported, but do not change readiness.
"""

from dataclasses import dataclass

from assessments.catalogue import ALIGNMENT_QUESTIONS
from assessments.scoring.numbers import one_decimal, tenths
from assessments.scoring.text import analyse

HIGH_RATING = 4
GAP_FLAG = 1.5
MIN_RATING, MAX_RATING = 1, 5


@dataclass(frozen=True)
class AlignmentAnswer:
    """The manager's rating of one question, and the team's ratings of it."""

    key: str
    rating: int | None
    evidence: str = ""
    team_mean: float | None = None
    team_count: int = 0

    def __post_init__(self) -> None:
        if self.rating is not None and not MIN_RATING <= self.rating <= MAX_RATING:
            raise ValueError(f"A rating must be 1 to 5, not {self.rating}.")


@dataclass(frozen=True)
class AlignmentInput:
    """The answers to the alignment questions; a question not given is unrated."""

    answers: tuple[AlignmentAnswer, ...]

    def answer(self, key: str) -> AlignmentAnswer:
        found = (a for a in self.answers if a.key == key)
        return next(found, AlignmentAnswer(key, None))


@dataclass(frozen=True)
class AlignmentRow:
    """One question's rating, score, readiness and perception gap."""

    key: str
    question: str
    rating: int | None
    has_evidence: bool
    counted_rating: int | None
    score: float
    ready: bool
    team_mean: float | None
    team_count: int
    gap: float | None
    gap_flagged: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class AlignmentResult:
    """Every question's row, the step's score in [0, 1] and its readiness."""

    rows: tuple[AlignmentRow, ...]
    score: float
    ready: bool

    @property
    def has_team_view(self) -> bool:
        """Whether the team's ratings are shown for any question."""
        return any(row.team_mean is not None for row in self.rows)

    @property
    def flagged(self) -> tuple[AlignmentRow, ...]:
        return tuple(row for row in self.rows if row.gap_flagged)


def _gap_note(gap: float, team_mean: float, team_count: int) -> str:
    people = "person" if team_count == 1 else "people"
    rounded = one_decimal(gap)
    if not rounded:
        side = "the same as your rating"
    else:
        points = "point" if abs(rounded) == 1 else "points"
        way = "above" if rounded > 0 else "below"
        side = f"{tenths(abs(gap))} {points} {way} your rating"
    return (
        f"the team rates it {tenths(team_mean)} on average ({team_count} {people}), "
        f"{side}"
    )


def _row(key: str, question: str, answer: AlignmentAnswer) -> AlignmentRow:
    rating = answer.rating
    has_evidence = analyse(answer.evidence).non_answer is None
    notes = []
    counted = rating
    if rating is None:
        notes.append("not rated yet")
    elif rating >= HIGH_RATING and not has_evidence:
        counted = rating - 1
        notes.append(f"rated {rating} with no evidence, so counted as {counted}")
    elif rating < HIGH_RATING:
        notes.append(f"rated {rating}; {HIGH_RATING} or more is needed")
    gap = None
    if rating is not None and answer.team_mean is not None and answer.team_count:
        gap = answer.team_mean - rating
        notes.append(_gap_note(gap, answer.team_mean, answer.team_count))
    return AlignmentRow(
        key=key,
        question=question,
        rating=rating,
        has_evidence=has_evidence,
        counted_rating=counted,
        score=0.0 if counted is None else (counted - MIN_RATING) / 4,
        ready=rating is not None and rating >= HIGH_RATING and has_evidence,
        team_mean=answer.team_mean,
        team_count=answer.team_count,
        gap=gap,
        gap_flagged=gap is not None and abs(one_decimal(gap)) >= GAP_FLAG,
        notes=tuple(notes),
    )


def assess_alignment(alignment: AlignmentInput) -> AlignmentResult:
    """Score the five questions in catalogue order and check the step's readiness."""
    rows = tuple(
        _row(q.key, q.text, alignment.answer(q.key)) for q in ALIGNMENT_QUESTIONS
    )
    score = sum(row.score for row in rows) / len(rows)
    return AlignmentResult(rows, score, all(row.ready for row in rows))
