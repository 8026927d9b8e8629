"""A team's trend page across its rounds, its CSV, and the dashboard's change."""

import csv
import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import charts, trends
from assessments.models import Assessment, Step, StepResult
from tests.factories import (
    ActionItemFactory,
    AlignmentRatingFactory,
    AssessmentFactory,
    CommitmentFactory,
    QuestionFactory,
    ResponseFactory,
    RoundPredictionFactory,
    StepResultFactory,
    TeamFactory,
    UserFactory,
    VisionFactory,
)
from tests.queries import writes
from tests.samples import people, round_opened, rounds_too_close

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("assessments:dashboard")


def trends_url(team) -> str:
    return reverse("assessments:team_trends", args=(team.pk,))


def export_url(team) -> str:
    return reverse("assessments:team_trends_export", args=(team.pk,))


def closed_round(
    team,
    *,
    days_ago: int,
    respondents: int = 3,
    engaged: int = 3,
    scores=None,
    **fields,
) -> Assessment:
    """A closed round of ``team`` with its vision, commitment, an action, the
    manager's rating of goals, ``respondents`` released answers (``engaged`` of
    them engaged, all clear and consistent) and stored step results."""
    opened = timezone.now() - timedelta(days=days_ago)
    round_ = AssessmentFactory(team=team, closed=True, opened_at=opened, **fields)
    VisionFactory(assessment=round_)
    CommitmentFactory(assessment=round_)
    ActionItemFactory(
        assessment=round_,
        due_on=(opened + timedelta(days=3)).date(),
        done_on=(opened + timedelta(days=2)).date(),
    )
    AlignmentRatingFactory(assessment=round_, question=QuestionFactory(key="goals"))
    for n in range(respondents):
        ResponseFactory(
            assessment=round_,
            engaged=n < engaged,
            vision_clear=True,
            vision_consistent=True,
            meaning_clear=True,
            meaning_consistent=n < engaged,
            contribution_clear=True,
            contribution_consistent=True,
            rating_goals=3,
        )
    for key, score in (scores or {}).items():
        StepResultFactory(
            assessment=round_, step=Step.objects.get(key=key), score=score
        )
    return round_


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The cells of a table's body rows, as text."""
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside = self.body = False
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "table" and ("id", table_id) in attrs:
                self.inside = True
            elif self.inside and tag == "tbody":
                self.body = True
            elif self.body and tag == "tr":
                self.rows.append([])
            elif self.body and tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag):
            if self.body and tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None
            elif tag == "table" and self.inside:
                self.inside = self.body = False

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    parser = Cells()
    parser.feed(page)
    return parser.rows


def test_the_trend_lists_each_round_oldest_first_with_its_figures(manager_client, team):
    first = closed_round(
        team,
        days_ago=200,
        title="Spring",
        engaged=1,
        scores={"vision": 70, "engagement": 40},
    )
    second = closed_round(
        team,
        days_ago=20,
        title="Autumn",
        engaged=3,
        scores={"vision": 90, "engagement": 85},
    )

    response = manager_client.get(trends_url(team))

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert [p.assessment for p in response.context["trend"].rounds] == [first, second]
    steps = table_rows(page, "table-steps")
    assert steps[0][:3] == ["1. Spring", "Ready: 70", "Ready: 40"]
    assert steps[1][:3] == ["2. Autumn", "Ready: 90", "Ready: 85"]
    engagement = table_rows(page, "table-engagement")
    # Engaged, then vision, meaning and contribution clear and consistent.
    assert engagement == [
        ["1. Spring", "33%", "100%", "33%", "100%"],
        ["2. Autumn", "100%", "100%", "100%", "100%"],
    ]
    alignment = table_rows(page, "table-alignment")
    assert alignment[0][1:3] == ["4", "not asked"]
    assert table_rows(page, "table-follow-through") == [
        ["1. Spring", "100%"],
        ["2. Autumn", "100%"],
    ]
    assert 'role="img"' in page
    assert "<polyline" in page
    assert 'id="trend-predictions"' not in page


def test_the_team_rating_shows_its_mean_where_the_round_shows_scores(
    manager_client, team
):
    closed_round(team, days_ago=30, team_rates_alignment=True)

    page = manager_client.get(trends_url(team)).content.decode()

    assert table_rows(page, "table-alignment")[0][1:3] == ["4", "3.0"]


def test_one_round_shows_its_figures_and_says_a_trend_needs_two(manager_client, team):
    closed_round(team, days_ago=10, scores={"vision": 70})

    page = manager_client.get(trends_url(team)).content.decode()

    assert 'id="trends-one-round"' in page
    assert table_rows(page, "table-steps")[0][1] == "Ready: 70"


def test_a_team_without_an_opened_round_says_so(manager_client, team):
    AssessmentFactory(team=team, draft=True)

    response = manager_client.get(trends_url(team))

    assert response.status_code == HTTPStatus.OK
    assert 'id="trends-empty"' in response.content.decode()
    assert response.context["trend"].rounds == ()


def test_a_round_below_its_minimum_group_shows_too_few_answers_never_a_number(
    manager_client, team
):
    closed_round(
        team,
        days_ago=30,
        respondents=2,
        engaged=2,
        team_rates_alignment=True,
        scores={"vision": 70, "engagement": 55, "alignment": 60},
    )

    page = manager_client.get(trends_url(team)).content.decode()

    [steps] = table_rows(page, "table-steps")
    assert steps[1:3] == ["Ready: 70", "Ready: too few answers"]
    assert steps[3] == "Ready: too few answers"
    assert table_rows(page, "table-engagement") == [
        ["1. " + str(Assessment.objects.get()), *["too few answers"] * 4]
    ]
    assert table_rows(page, "table-alignment")[0][2] == "too few answers"
    assert "55" not in "".join(steps[1:])  # the title may hold any figure


def test_a_withheld_round_shows_hidden_and_nothing_of_its_answers(manager_client, team):
    first, second = rounds_too_close(team)
    for round_ in (first, second):
        round_.refresh_from_db()

    page = manager_client.get(trends_url(team)).content.decode()

    engagement = table_rows(page, "table-engagement")
    assert engagement[0][1] == "100%"
    assert engagement[1][1:] == ["hidden"] * 4
    alignment = table_rows(page, "table-alignment")
    # The team rated empowerment 1 in the withheld round: its mean never shows.
    assert alignment[1][8] == "hidden"
    assert "1.0" not in "".join(alignment[1])
    assert second.withheld_reason.split(":")[0] in page


def test_only_the_teams_managers_read_its_trend(client, team):
    closed_round(team, days_ago=3)
    for user in (UserFactory(), UserFactory(is_staff=True, is_superuser=True)):
        client.force_login(user)
        assert client.get(trends_url(team)).status_code == HTTPStatus.NOT_FOUND
        assert client.get(export_url(team)).status_code == HTTPStatus.NOT_FOUND


def test_the_trend_page_needs_a_login(client, team):
    response = client.get(trends_url(team))

    assert response.status_code == HTTPStatus.FOUND
    assert "login" in response.url


@pytest.mark.parametrize("rounds", [2, 12])
def test_the_trend_page_runs_a_fixed_number_of_queries(
    manager_client, team, django_assert_num_queries, rounds
):
    """Guards against one query per round: session, user, team, rounds with
    their invitations, their actions, ratings with questions, step results
    with steps, the grouped answers."""
    for n in range(rounds):
        closed_round(
            team,
            days_ago=400 - n * 30,
            title="",
            scores={"vision": 60 + n, "engagement": 50 + n},
        )

    with django_assert_num_queries(8) as captured:
        response = manager_client.get(trends_url(team))

    assert response.status_code == HTTPStatus.OK
    assert len(response.context["trend"].rounds) == rounds
    assert writes(captured) == []


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_has_one_row_per_round_and_figure(manager_client, team):
    closed_round(team, days_ago=40, title="Spring", scores={"engagement": 40})
    closed_round(team, days_ago=4, title="Autumn", scores={"engagement": 85})

    response = manager_client.get(export_url(team))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert rows[0] == list(trends.EXPORT_HEADER)
    scores = [row for row in rows if row[4] == "step engagement score"]
    assert [(row[0], row[1], row[5], row[6]) for row in scores] == [
        ("1", "Spring", "40", "yes"),
        ("2", "Autumn", "85", "yes"),
    ]
    figures = {row[4] for row in rows[1:]}
    assert {"engaged share", "goals team mean", "follow-through"} <= figures
    assert len(rows) == 1 + 2 * len(figures)


def test_the_csv_hides_what_the_page_hides(manager_client, team):
    rounds_too_close(team)

    rows = read_csv(manager_client.get(export_url(team)))

    shown = [row for row in rows[1:] if row[0] == "1"]
    withheld = [row for row in rows[1:] if row[0] == "2"]
    engaged = next(row for row in shown if row[4] == "engaged share")
    assert engaged[5:] == ["100%", "yes"]
    engaged = next(row for row in withheld if row[4] == "engaged share")
    assert engaged[5:] == ["hidden", "no"]
    empowerment = next(row for row in withheld if row[4] == "empowerment team mean")
    assert empowerment[5:] == ["hidden", "no"]


def test_the_csv_neutralises_formulas_in_round_titles(manager_client, team):
    closed_round(team, days_ago=4, title='=HYPERLINK("http://x")')

    rows = read_csv(manager_client.get(export_url(team)))

    assert {row[1] for row in rows[1:]} == {'\'=HYPERLINK("http://x")'}


def test_the_dashboard_shows_the_change_since_the_previous_completed_round(
    manager_client, team
):
    closed_round(team, days_ago=100, scores={"vision": 70, "engagement": 60})
    closed_round(team, days_ago=10, scores={"vision": 70, "engagement": 75})
    AssessmentFactory(team=team)  # under way: not a completed round

    page = manager_client.get(DASHBOARD).content.decode()

    assert "Engagement 60 → 75, +15" in page
    assert "Vision 70 → 70, +0" in page
    assert reverse("assessments:team_trends", args=(team.pk,)) in page


def test_the_dashboard_shows_no_change_where_a_round_hides_its_scores(
    manager_client, team
):
    closed_round(team, days_ago=100, scores={"vision": 70, "engagement": 60})
    closed_round(
        team, days_ago=10, respondents=2, scores={"vision": 80, "engagement": 75}
    )

    page = manager_client.get(DASHBOARD).content.decode()

    assert "Vision 70 → 80, +10" in page
    assert "Engagement 60" not in page


def test_the_dashboard_shows_no_change_with_one_completed_round(manager_client, team):
    closed_round(team, days_ago=10, scores={"engagement": 75})

    page = manager_client.get(DASHBOARD).content.decode()

    assert f'id="team-{team.pk}-changes"' not in page


def test_the_team_page_links_to_its_trend(manager_client, team):
    page = manager_client.get(
        reverse("assessments:team_detail", args=(team.pk,))
    ).content.decode()

    assert trends_url(team) in page


def test_a_real_round_reads_as_its_report_does(manager_client, team):
    round_opened(team, people("abc"))

    response = manager_client.get(trends_url(team))

    [point] = response.context["trend"].rounds
    assert point.engaged.text == "100%"
    assert not TeamFactory._meta.model.objects.filter(parent=team).exists()
    assert StepResult.objects.filter(assessment=point.assessment).exists()


def test_a_line_breaks_at_a_round_that_does_not_show_its_figure():
    chart = charts.line_chart(
        title="Engagement across rounds",
        description="",
        count=4,
        series=[
            ("Engaged", [(0.5, "50%"), (None, "hidden"), (1.0, "100%"), (0.0, "0%")])
        ],
        scale=trends.PERCENT_SCALE,
    )

    [line] = chart.lines
    assert [point.text for point in line.points] == ["50%", "100%", "0%"]
    assert line.segments == ("40,90", "360,10 520,170")
    assert [tick.text for tick in chart.rounds] == ["1", "2", "3", "4"]


def test_a_single_round_is_drawn_in_the_middle():
    chart = charts.line_chart(
        title="t",
        description="",
        count=1,
        series=[("Score", [(0.8, "80")])],
        scale=trends.SCORE_SCALE,
    )

    assert chart.lines[0].segments == ("280,42",)


def test_the_trend_says_whether_the_managers_predictions_came_closer(
    manager_client, team
):
    first = closed_round(team, days_ago=60, title="Spring", respondents=4, engaged=1)
    second = closed_round(team, days_ago=5, title="Autumn", respondents=4, engaged=3)
    RoundPredictionFactory(assessment=first, engaged_share=90)  # 25%: 65 off
    RoundPredictionFactory(assessment=second, engaged_share=60)  # 75%: 15 off

    response = manager_client.get(trends_url(team))

    trend = response.context["trend"]
    assert [p.error.engaged_share for p in trend.predictions] == [65, 15]
    assert trend.share_came_closer is True
    text = response.content.decode()
    assert "Your prediction of the share engaged came closer" in text
    assert "65 points" in text
    assert "15 points" in text


def test_a_prediction_further_off_says_so_and_unpredicted_rounds_are_left_out(
    manager_client, team
):
    first = closed_round(team, days_ago=90, title="Spring", respondents=4, engaged=2)
    closed_round(team, days_ago=60, title="Summer", respondents=4, engaged=2)
    third = closed_round(team, days_ago=5, title="Autumn", respondents=4, engaged=2)
    RoundPredictionFactory(assessment=first, engaged_share=55)  # 50%: 5 off
    RoundPredictionFactory(assessment=third, engaged_share=100)  # 50 off

    trend = manager_client.get(trends_url(team)).context["trend"]

    assert [p.assessment for p in trend.predictions] == [first, third]
    assert trend.share_came_closer is False


def test_a_prediction_on_a_round_too_small_to_show_is_not_compared(
    manager_client, team
):
    small = closed_round(
        team, days_ago=5, respondents=2, engaged=2, min_group_for_scores=3
    )
    RoundPredictionFactory(assessment=small, engaged_share=10)

    response = manager_client.get(trends_url(team))

    assert response.context["trend"].predictions == ()
    assert 'id="trend-predictions"' not in response.content.decode()
