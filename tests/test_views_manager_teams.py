"""The dashboard, creating a team and its page (sharing it with a co-manager:
test_views_manager_invitations.py)."""

from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from assessments.models import Step, StepResult, Team
from assessments.views.manager import TEAM_CREATED, TEAMS_PER_PAGE
from tests.factories import (
    AssessmentFactory,
    InvitationFactory,
    ManagerInvitationFactory,
    ResponseFactory,
    StepResultFactory,
    TeamFactory,
)
from tests.queries import writes

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("assessments:dashboard")


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_dashboard_invites_a_new_manager_to_create_a_first_team(manager_client):
    response = manager_client.get(DASHBOARD)

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Start with your team" in page
    assert f'href="{reverse("assessments:team_create")}"' in page


def test_the_dashboard_shows_each_team_with_its_latest_round_and_readiness(
    manager_client, manager
):
    team = TeamFactory(name="Billing", managers=[manager])
    AssessmentFactory(team=team, title="Autumn")
    latest = AssessmentFactory(team=team, title="Spring")
    StepResultFactory(
        assessment=latest,
        step=Step.objects.get(key="vision", version=latest.catalogue_version),
        status=StepResult.Status.READY,
    )
    TeamFactory(name="Returns", managers=[manager])

    page = manager_client.get(DASHBOARD).content.decode()

    assert "Billing" in page
    assert "Spring" in page
    assert "Autumn" not in page
    assert "1 Vision" in page
    assert "Ready" in page
    assert "No completed round yet" in page
    assert "Returns" in page
    assert "No round yet." in page


def test_starting_a_round_keeps_the_last_results_on_the_dashboard(
    manager_client, manager
):
    """A draft used to hide the results of the round before it."""
    team = TeamFactory(name="Billing", managers=[manager])
    spring = AssessmentFactory(team=team, title="Spring", closed=True)
    StepResultFactory(
        assessment=spring,
        step=Step.objects.get(key="vision", version=spring.catalogue_version),
        status=StepResult.Status.READY,
    )
    autumn = AssessmentFactory(team=team, title="Autumn", draft=True)

    page = manager_client.get(DASHBOARD).content.decode()

    results = page[page.index(f'id="team-{team.pk}-results"') :]
    results = results[: results.index(f'id="team-{team.pk}-under-way"')]
    under_way = page[page.index(f'id="team-{team.pk}-under-way"') :]
    assert f'href="{reverse("assessments:report", args=(spring.pk,))}">Spring' in (
        results
    )
    assert "1 Vision" in results
    assert "Ready" in results
    assert f'href="{reverse("assessments:vision", args=(autumn.pk,))}">Autumn' in (
        under_way
    )
    assert ">Draft</span>" in under_way


def test_a_team_with_only_closed_rounds_offers_the_next_one(manager_client, manager):
    team = TeamFactory(name="Billing", managers=[manager])
    AssessmentFactory(team=team, title="Spring", closed=True)

    page = manager_client.get(DASHBOARD).content.decode()

    assert "No round under way." in page
    assert reverse("assessments:assessment_create", args=(team.pk,)) in page


def test_the_dashboard_says_when_the_latest_round_is_not_assessed_yet(
    manager_client, assessment
):
    page = manager_client.get(DASHBOARD).content.decode()

    assert "Readiness: not assessed yet." in page


def test_the_dashboard_shows_only_the_teams_i_manage(manager_client, team):
    TeamFactory(name="Somebody else's team")

    page = manager_client.get(DASHBOARD).content.decode()

    assert team.name in page
    assert "Somebody else's team" not in page


def test_the_dashboard_shows_teams_a_page_at_a_time(manager_client, manager):
    for n in range(TEAMS_PER_PAGE + 1):
        TeamFactory(name=f"Team {n:02}", managers=[manager])

    first = manager_client.get(DASHBOARD)
    second = manager_client.get(DASHBOARD, {"page": 2})

    assert len(first.context["page"]) == TEAMS_PER_PAGE
    assert [team.name for team in second.context["page"]] == ["Team 25"]
    assert "Page 2 of 2" in second.content.decode()


@pytest.mark.parametrize("teams", [2, 30])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    manager_client, manager, django_assert_num_queries, teams
):
    """Guards against one query per team: session, user, count, teams, latest
    completed rounds, their step results, latest rounds under way, theirs, and
    the two latest completed rounds with theirs for the change between them."""
    parent = TeamFactory(managers=[manager])
    for _ in range(teams):
        # Untitled rounds are named after their team: no query per round either.
        team = TeamFactory(managers=[manager], parent=parent)
        for round_ in (
            AssessmentFactory(team=team, title="", closed=True),
            AssessmentFactory(team=team, title="", closed=True),
            AssessmentFactory(team=team, title=""),
        ):
            StepResultFactory(assessment=round_, step=Step.objects.get(key="vision"))

    with django_assert_num_queries(10) as captured:
        response = manager_client.get(DASHBOARD)

    assert response.status_code == HTTPStatus.OK
    assert writes(captured) == []


def test_a_manager_creates_a_team_and_manages_it(manager_client, manager):
    parent = TeamFactory(name="Customer care", managers=[manager])

    response = manager_client.post(
        reverse("assessments:team_create"),
        {"name": "Billing", "parent": parent.pk, "level": Team.Level.TEAM},
    )

    team = Team.objects.get(name="Billing")
    assert response.url == reverse("assessments:team_detail", args=(team.pk,))
    assert team.parent == parent
    assert list(team.managers.all()) == [manager]
    assert messages_of(response) == [TEAM_CREATED.format(team="Billing")]


def test_a_new_team_can_only_belong_to_a_team_i_manage(manager_client):
    someone_elses = TeamFactory()

    response = manager_client.post(
        reverse("assessments:team_create"),
        {"name": "Billing", "parent": someone_elses.pk, "level": Team.Level.TEAM},
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["parent"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Team.objects.filter(name="Billing").exists()


def test_a_team_needs_a_name(manager_client):
    response = manager_client.post(
        reverse("assessments:team_create"), {"name": "", "level": Team.Level.TEAM}
    )

    assert response.context["form"].errors["name"] == ["This field is required."]


def test_the_team_page_lists_its_rounds_with_participation(manager_client, team):
    round_ = AssessmentFactory(team=team, title="Spring")
    InvitationFactory.create_batch(2, assessment=round_)
    InvitationFactory(assessment=round_, status="responded")
    ResponseFactory(assessment=round_)

    page = manager_client.get(
        reverse("assessments:team_detail", args=(team.pk,))
    ).content.decode()

    assert "Spring" in page
    assert "1 of 3 answered" in page


@pytest.mark.parametrize("rounds", [2, 30])
def test_the_team_page_runs_a_fixed_number_of_queries(
    manager_client, team, django_assert_num_queries, rounds
):
    """Session, user, team, rounds with their counts, their step results,
    managers, invitations to manage the team still pending."""
    for _ in range(rounds):
        round_ = AssessmentFactory(team=team, title="")
        InvitationFactory(assessment=round_)
        StepResultFactory(assessment=round_, step=Step.objects.get(key="vision"))
        ManagerInvitationFactory(team=team)

    with django_assert_num_queries(7) as captured:
        response = manager_client.get(
            reverse("assessments:team_detail", args=(team.pk,))
        )

    assert response.status_code == HTTPStatus.OK
    assert writes(captured) == []


@pytest.mark.parametrize("teams", [2, 30])
def test_the_new_team_page_runs_a_fixed_number_of_queries(
    manager_client, manager, django_assert_num_queries, teams
):
    """Session, user, the teams offered as parents."""
    TeamFactory.create_batch(teams, managers=[manager])

    with django_assert_num_queries(3):
        manager_client.get(reverse("assessments:team_create"))
