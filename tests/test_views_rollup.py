"""The roll-up page of a department or division and its CSV: every team beneath,
figures from stored readiness, folded teams never shown alone, a fixed number of
queries."""

import csv
import io
from http import HTTPStatus

import pytest
from django.urls import reverse

from assessments.models import Team
from tests.factories import (
    AssessmentFactory,
    TeamFactory,
    UserFactory,
)
from tests.samples import closed_round_with_results


@pytest.fixture
def division(manager):
    return TeamFactory(
        name="Customer care", level=Team.Level.DIVISION, managers=[manager]
    )


def url(team, name="assessments:team_rollup"):
    return reverse(name, args=(team.pk,))


def export(client, team) -> list[list[str]]:
    response = client.get(url(team, "assessments:team_rollup_export"))
    assert response.status_code == HTTPStatus.OK
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_rollup_shows_every_team_beneath_with_its_latest_completed_round(
    manager_client, division
):
    department = TeamFactory(
        name="Billing", level=Team.Level.DEPARTMENT, parent=division
    )
    desk = TeamFactory(name="Billing desk", parent=department)
    old = closed_round_with_results(desk, 3, engaged=0)
    latest = closed_round_with_results(desk, 4, engaged=2)
    latest.closed_at = old.closed_at.replace(year=old.closed_at.year + 1)
    latest.save()
    closed_round_with_results(department, 5, engaged=5)
    AssessmentFactory(team=TeamFactory(name="New desk", parent=department))

    response = manager_client.get(url(division))

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Billing desk" in page
    assert "50%" in page  # the latest round: 2 of 4 engaged
    assert "No completed round yet" in page
    summary = response.context["summary"]
    assert summary.total.respondents == 9
    assert summary.total.engaged_share == "78%"  # 7 of 9, respondent-weighted


def test_cells_say_their_status_in_words_in_a_table_with_headers(
    manager_client, division
):
    closed_round_with_results(TeamFactory(name="Desk", parent=division), 3)
    page = manager_client.get(url(division)).content.decode()
    assert '<th scope="col">1 Vision</th>' in page
    assert "Ready · 90" in page
    assert "Not yet · 40" in page


def test_sorting_by_a_step_puts_the_highest_score_first(manager_client, division):
    low = closed_round_with_results(TeamFactory(name="A desk", parent=division), 3)
    low.step_results.filter(step__key="vision").update(score=10)
    closed_round_with_results(TeamFactory(name="B desk", parent=division), 3)
    rows = manager_client.get(url(division), {"sort": "vision"}).context["summary"].rows
    assert [row.name for row in rows] == ["B desk", "A desk"]
    rows = manager_client.get(url(division), {"sort": "bogus"}).context["summary"].rows
    assert [row.name for row in rows] == ["A desk", "B desk"]


def test_managers_and_team_means_are_averaged_over_teams(manager_client, division):
    closed_round_with_results(
        TeamFactory(parent=division),
        3,
        rating=2,
        ratings=(5, 5, 5),
        team_rates_alignment=True,
    )
    closed_round_with_results(
        TeamFactory(parent=division),
        6,
        rating=5,
        ratings=(1, 1, 1, 1, 1, 1),
        team_rates_alignment=True,
    )
    summary = manager_client.get(url(division)).context["summary"]
    assert summary.total.manager_means[0] == "3.5"
    assert summary.total.team_means[0] == "3.0"  # the mean of 5.0 and 1.0


def test_a_team_name_links_to_its_report_only_for_its_managers(
    manager_client, manager, division
):
    mine = closed_round_with_results(
        TeamFactory(name="Mine", parent=division, managers=[manager]), 3
    )
    theirs = closed_round_with_results(TeamFactory(name="Theirs", parent=division), 3)
    page = manager_client.get(url(division)).content.decode()
    assert reverse("assessments:report", args=(mine.pk,)) in page
    assert reverse("assessments:report", args=(theirs.pk,)) not in page


@pytest.mark.parametrize("level", [Team.Level.DEPARTMENT, Team.Level.DIVISION])
def test_the_rollup_is_linked_from_the_dashboard_and_team_page(
    manager_client, manager, level
):
    team = TeamFactory(level=level, managers=[manager])
    assert (
        url(team)
        in manager_client.get(reverse("assessments:dashboard")).content.decode()
    )
    detail = reverse("assessments:team_detail", args=(team.pk,))
    assert url(team) in manager_client.get(detail).content.decode()


def test_a_team_level_team_has_no_rollup(manager_client, team):
    assert (
        url(team)
        not in manager_client.get(reverse("assessments:dashboard")).content.decode()
    )
    assert manager_client.get(url(team)).status_code == HTTPStatus.NOT_FOUND


def test_only_managers_of_the_division_see_its_rollup(client, division):
    client.force_login(UserFactory())
    assert client.get(url(division)).status_code == HTTPStatus.NOT_FOUND
    assert (
        client.get(url(division, "assessments:team_rollup_export")).status_code
        == HTTPStatus.NOT_FOUND
    )


def test_a_team_below_its_minimum_group_is_never_shown_alone(manager_client, division):
    closed_round_with_results(
        TeamFactory(name="Big desk", parent=division), 10, engaged=5
    )
    closed_round_with_results(
        TeamFactory(name="Tiny desk", parent=division), 2, engaged=2
    )
    response = manager_client.get(url(division))
    page = response.content.decode()
    assert "Tiny desk" not in page
    assert "too few to show" in page
    summary = response.context["summary"]
    assert summary.total.respondents == 10  # the folded team enters no figure
    assert summary.total.engaged_share == "50%"
    rows = export(manager_client, division)
    assert not any("Tiny desk" in cell for row in rows for cell in row)
    assert ["Other teams", "", "too few to show"] in rows
    assert rows[-1][0] == "Total"
    assert rows[-1][11] == "10"


def test_a_withheld_round_is_folded_and_its_figures_never_used(
    manager_client, division
):
    closed_round_with_results(TeamFactory(parent=division), 10, engaged=10)
    closed_round_with_results(
        TeamFactory(name="Withheld desk", parent=division),
        9,
        engaged=0,
        withheld_reason="Hidden.",
    )
    summary = manager_client.get(url(division)).context["summary"]
    assert summary.folded == 1
    assert summary.total.engaged_share == "100%"


def test_two_small_teams_are_shown_together_as_other_teams(manager_client, division):
    closed_round_with_results(TeamFactory(parent=division), 10, engaged=0)
    closed_round_with_results(
        TeamFactory(name="Tiny one", parent=division), 2, engaged=2
    )
    closed_round_with_results(
        TeamFactory(name="Tiny two", parent=division), 2, engaged=0
    )
    response = manager_client.get(url(division))
    page = response.content.decode()
    assert "Tiny one" not in page
    assert "Tiny two" not in page
    other = response.context["summary"].other
    assert other.figures.teams == 2
    assert other.figures.engaged_share == "50%"
    assert response.context["summary"].total.respondents == 14


def test_division_and_department_rollups_cannot_be_differenced_to_one_team(
    manager_client, manager, division
):
    """Reading both roll-ups (and their CSVs), the division's figures minus the
    department's would be the one folded team outside it: the division keeps its
    fold too few to show, and its totals leave the folded teams out."""
    department = TeamFactory(
        level=Team.Level.DEPARTMENT, parent=division, managers=[manager]
    )
    closed_round_with_results(department, 10, engaged=4)
    closed_round_with_results(TeamFactory(parent=department), 2, engaged=2)
    closed_round_with_results(TeamFactory(parent=department), 2, engaged=0)
    closed_round_with_results(
        TeamFactory(name="Outside", parent=division), 2, engaged=1
    )

    lower = manager_client.get(url(department)).context["summary"]
    upper = manager_client.get(url(division)).context["summary"]

    assert lower.other is not None
    assert upper.other is None
    # The department's total is its pooled fold (4 people); the division's is
    # the department's own round (10): no folded team's 2 people in either.
    assert (lower.total.respondents, upper.total.respondents) == (4, 10)
    upper_csv = export(manager_client, division)
    assert ["Other teams", "", "too few to show"] in upper_csv
    assert not any("Outside" in cell for row in upper_csv for cell in row)


def test_team_names_cannot_run_as_formulas_in_the_csv(manager_client, division):
    closed_round_with_results(TeamFactory(name='=HYPERLINK("x")', parent=division), 3)
    rows = export(manager_client, division)
    assert rows[1][0] == '\'=HYPERLINK("x")'


def test_messy_team_names_are_escaped(manager_client, division):
    closed_round_with_results(
        TeamFactory(name="<script>alert(1)</script> 🎉", parent=division), 3
    )
    page = manager_client.get(url(division)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_an_empty_division_says_so(manager_client, division):
    response = manager_client.get(url(division))
    assert "No team beneath" in response.content.decode()
    assert [row[0] for row in export(manager_client, division)] == ["team", "Total"]


def _division_of(teams: int, manager) -> Team:
    division = TeamFactory(level=Team.Level.DIVISION, managers=[manager])
    departments = [
        TeamFactory(level=Team.Level.DEPARTMENT, parent=division) for _ in range(2)
    ]
    for number in range(teams):
        team = TeamFactory(parent=departments[number % 2])
        closed_round_with_results(team, 3 if number % 3 else 1, engaged=1, rating=3)
    return division


@pytest.mark.parametrize("teams", [2, 20])
def test_the_rollup_costs_the_same_queries_at_any_number_of_teams(
    manager_client, manager, django_assert_num_queries, teams
):
    """Guards against N+1: session, user, the team, the tree, the rounds, their
    stored results, their responses, their ratings, the viewer's teams."""
    division = _division_of(teams, manager)
    with django_assert_num_queries(9):
        assert manager_client.get(url(division)).status_code == HTTPStatus.OK
    with django_assert_num_queries(9):
        export(manager_client, division)
