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


# --- Lines across rounds (the trend page) ---------------------------------------------

LINE_WIDTH = 480  # the plot's width, in SVG units
LINE_HEIGHT = 160  # the plot's height
LINE_LEFT = 40  # room for the scale's figures
LINE_TOP = 10
LINE_BOTTOM = 24  # room for the rounds' numbers
LINE_KINDS = 5  # distinct line styles in site.css (chart-line-0 to -4)


@dataclass(frozen=True)
class LinePoint:
    x: int
    y: int
    text: str


@dataclass(frozen=True)
class Line:
    name: str
    kind: int
    points: tuple[LinePoint, ...]  # shown values only
    segments: tuple[str, ...]  # polyline ``points`` of each unbroken run


@dataclass(frozen=True)
class Tick:
    position: int
    text: str


@dataclass(frozen=True)
class LineChart:
    title: str
    description: str
    lines: tuple[Line, ...]
    rounds: tuple[Tick, ...]  # x positions of the rounds, numbered 1, 2, ...
    scale: tuple[Tick, ...]  # y positions of the scale's figures
    left: int = LINE_LEFT
    right: int = LINE_LEFT + LINE_WIDTH
    bottom: int = LINE_TOP + LINE_HEIGHT

    @property
    def width(self) -> int:
        return LINE_LEFT + LINE_WIDTH + 20

    @property
    def height(self) -> int:
        return LINE_TOP + LINE_HEIGHT + LINE_BOTTOM


def _x(index: int, count: int) -> int:
    if count == 1:
        return LINE_LEFT + LINE_WIDTH // 2
    return LINE_LEFT + round(index * LINE_WIDTH / (count - 1))


def _y(value: float, low: float, high: float) -> int:
    fraction = max(0.0, min(1.0, (value - low) / (high - low)))
    return LINE_TOP + round((1 - fraction) * LINE_HEIGHT)


def line_chart(
    *,
    title: str,
    description: str,
    count: int,
    series: list[tuple[str, list[tuple[float | None, str]]]],
    scale: tuple[float, float, list[tuple[float, str]]],
) -> LineChart:
    """Lines across ``count`` rounds, oldest on the left: each series is a name
    and, per round, its value and how the tables write it, ``None`` where the
    round does not show it (the line breaks there, nothing is drawn).
    ``scale`` is the lowest and highest value and the figures marked on it."""
    low, high, marks = scale
    lines = []
    for kind, (name, values) in enumerate(series):
        points: list[LinePoint] = []
        segments: list[str] = []
        run: list[str] = []
        for index, (value, text) in enumerate(values):
            if value is None:
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            point = LinePoint(_x(index, count), _y(value, low, high), text)
            points.append(point)
            run.append(f"{point.x},{point.y}")
        if run:
            segments.append(" ".join(run))
        lines.append(
            Line(name, kind % LINE_KINDS, tuple(points), tuple(s for s in segments))
        )
    return LineChart(
        title=title,
        description=description,
        lines=tuple(lines),
        rounds=tuple(Tick(_x(i, count), str(i + 1)) for i in range(count)),
        scale=tuple(Tick(_y(value, low, high), text) for value, text in marks),
    )
