"""Bar geometry for the report's charts, drawn as inline SVG by the templates.

Plain numbers in, plain numbers out: the template only places rectangles, so the
charts need no script and no inline style, and print as they show. Figures are
written as the tables write them (``scoring.numbers``), and the label column is
as wide as the longest label, so none is cut off.
"""

from dataclasses import dataclass

from assessments.catalogue import ALIGNMENT_QUESTIONS, ENGAGEMENT_QUESTIONS
from assessments.scoring.numbers import percent, tenths

BAR_WIDTH = 240  # the length of a full bar, in SVG units
ROW_HEIGHT = 18
LABEL_WIDTH = 130  # the narrowest label column
# The widest a character of the charts' 11-unit sans-serif runs (a capital W is
# about 10.4, most letters 5-7): labels are measured with it, plus a margin.
CHAR_WIDTH = 7
LABEL_MARGIN = 12
VALUE_WIDTH = 60  # room after the bar for its figure


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    width: int
    y: int
    kind: str


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    bars: tuple[Bar, ...]
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH

    @property
    def width(self) -> int:
        return self.label_width + self.bar_width + VALUE_WIDTH


def label_width(bars: tuple[Bar, ...]) -> int:
    """A label column that holds the longest label whole."""
    longest = max((len(bar.label) for bar in bars), default=0)
    return max(LABEL_WIDTH, longest * CHAR_WIDTH + LABEL_MARGIN)


def _bars(rows: list[tuple[str, str, float, str]]) -> tuple[Bar, ...]:
    """Rows of (label, value text, fraction of a full bar, kind), stacked down."""
    return tuple(
        Bar(
            label,
            value,
            round(max(0.0, min(1.0, fraction)) * BAR_WIDTH),
            i * ROW_HEIGHT,
            kind,
        )
        for i, (label, value, fraction, kind) in enumerate(rows)
    )


def engagement_chart(summary) -> Chart | None:
    """Per question, the share of respondents whose answer is clear, consistent
    and both; None below the round's minimum group for scores."""
    if not summary.shows_scores:
        return None
    engagement = summary.report.step("engagement").detail.summary
    if not engagement.respondents:
        return None
    rows = []
    for question in ENGAGEMENT_QUESTIONS:
        tally = engagement.tally(question.key)
        for kind, count in (
            ("clear", tally.clear),
            ("consistent", tally.consistent),
            ("both", tally.both),
        ):
            share = count / engagement.respondents
            label = f"{question.key.capitalize()}: {kind}" if kind == "clear" else kind
            rows.append((label, percent(share), share, kind))
    bars = _bars(rows)
    return Chart(
        title="Engagement by question",
        description=(
            "For each of the three questions, the share of respondents whose answer "
            "is clear, consistent, and both."
        ),
        bars=bars,
        height=len(bars) * ROW_HEIGHT + 4,
        label_width=label_width(bars),
    )


def alignment_chart(summary, min_group: int) -> Chart | None:
    """Per question, the manager's rating beside the team's mean rating (where
    enough of the team rated it); None when nothing is rated yet."""
    result = summary.report.step("alignment").detail
    if not any(row.rating for row in result.rows):
        return None
    labels = {q.key: q.key.capitalize() for q in ALIGNMENT_QUESTIONS}
    rows = []
    for row in result.rows:
        rating = row.rating or 0
        rows.append(
            (
                f"{labels[row.key]}: manager",
                str(row.rating or "-"),
                rating / 5,
                "manager",
            )
        )
        if row.team_mean is not None and row.team_count >= min_group:
            rows.append(("team", tenths(row.team_mean), row.team_mean / 5, "team"))
    bars = _bars(rows)
    return Chart(
        title="Alignment: the manager's view and the team's",
        description=(
            "For each alignment question, the manager's rating from 1 to 5 and, where "
            "enough of the team rated it, the team's mean rating."
        ),
        bars=bars,
        height=len(bars) * ROW_HEIGHT + 4,
        label_width=label_width(bars),
    )
