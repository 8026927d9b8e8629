"""The new round page starting from the team's previous round, or empty; and the
dashboard's re-assessment date."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, Step, Team, Vision
from assessments.views.manager import ROUND_CREATED, ROUND_STARTED_FROM
from tests.factories import (
    ActionItemFactory,
    AssessmentFactory,
    CommitmentFactory,
    InvitationFactory,
    StepResultFactory,
    TeamFactory,
    VisionFactory,
)
from tests.test_models_querysets import raising

pytestmark = pytest.mark.django_db


def create_url(team) -> str:
    return reverse("assessments:assessment_create", args=(team.pk,))


def round_settings(**changes) -> dict:
    return {
        "title": "Autumn check-in",
        "anonymous": "False",
        "min_group_for_scores": 2,
        "min_group_for_verbatims": 4,
        "ready_engaged_share": 0.7,
        "ready_min_respondents": 3,
        "ready_min_participation": 0.5,
        **changes,
    }


@pytest.fixture
def previous(team):
    round_ = AssessmentFactory(
        team=team,
        title="Spring check-in",
        closed=True,
        anonymous=False,
        min_group_for_scores=2,
        min_group_for_verbatims=4,
        ready_engaged_share=0.7,
        team_rates_alignment=True,
        remind_after_days=[5],
    )
    VisionFactory(assessment=round_, confirmed=True)
    InvitationFactory(assessment=round_, name="Sam Lee", email="sam@example.com")
    ActionItemFactory(assessment=round_, title="Weekly call review")
    ActionItemFactory(assessment=round_, title="Done", done_on=timezone.localdate())
    return round_


def test_the_first_round_offers_nothing_to_start_from(manager_client, team):
    page = manager_client.get(create_url(team))

    assert "start_from_previous" not in page.context["form"].fields
    assert "Start from" not in page.content.decode()


def test_the_page_offers_the_previous_round_ticked_with_its_settings(
    manager_client, team, previous
):
    page = manager_client.get(create_url(team))

    form = page.context["form"]
    assert form["start_from_previous"].value() is True
    assert form["start_from_previous"].label == "Start from Spring check-in"
    assert form["anonymous"].value() is False
    assert form["min_group_for_scores"].value() == 2
    assert form["team_rates_alignment"].value() is True
    assert form["title"].value() is None
    html = page.content.decode()
    assert "Start from Spring check-in" in html
    assert "its open actions with their owners" in html


def test_starting_from_the_previous_round_copies_it_into_the_draft(
    manager_client, team, previous
):
    response = manager_client.post(
        create_url(team), round_settings(start_from_previous="on")
    )

    new = team.assessments.exclude(pk=previous.pk).get()
    assert response.status_code == HTTPStatus.FOUND
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        ROUND_STARTED_FROM.format(round="Spring check-in")
    ]
    assert new.title == "Autumn check-in"
    assert new.remind_after_days == [5]
    assert (
        Vision.objects.get(assessment=new).statement
        == Vision.objects.get(assessment=previous).statement
        != ""
    )
    assert list(new.invitations.values_list("email", flat=True)) == ["sam@example.com"]
    assert list(new.actions.values_list("title", flat=True)) == ["Weekly call review"]


def test_unticked_the_round_starts_empty(manager_client, team, previous):
    response = manager_client.post(create_url(team), round_settings())

    new = team.assessments.exclude(pk=previous.pk).get()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [ROUND_CREATED]
    assert new.vision.statement == ""
    assert not new.invitations.exists()
    assert not new.actions.exists()
    assert new.remind_after_days == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "Autumn\x00"}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"min_group_for_scores": ""}, "min_group_for_scores"),
        ({"anonymous": "True", "min_group_for_scores": 2}, "min_group_for_scores"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_copies_nothing(
    manager_client, team, previous, changes, field
):
    page = manager_client.post(
        create_url(team), round_settings(start_from_previous="on", **changes)
    )

    assert page.status_code == HTTPStatus.OK
    assert page.context["form"].errors[field]
    assert list(team.assessments.all()) == [previous]
    assert page.context["form"]["start_from_previous"].value() is True


def test_another_teams_round_page_is_not_found(manager_client, previous):
    stranger = TeamFactory()

    response = manager_client.post(
        create_url(stranger), round_settings(start_from_previous="on")
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not stranger.assessments.exists()


# --- The dashboard ------------------------------------------------------------------


def dashboard(manager_client) -> str:
    return manager_client.get(reverse("assessments:dashboard")).content.decode()


def test_the_dashboard_shows_the_re_assessment_date_and_when_it_is_overdue(
    manager_client, team, manager
):
    today = timezone.localdate()
    CommitmentFactory(
        assessment=AssessmentFactory(team=team, closed=True),
        reassess_on=today + timedelta(days=20),
    )
    late = TeamFactory(name="Late team", managers=[manager])
    CommitmentFactory(
        assessment=AssessmentFactory(team=late, closed=True),
        reassess_on=today - timedelta(days=1),
    )
    TeamFactory(name="Never assessed", managers=[manager])

    html = dashboard(manager_client)

    due = (today + timedelta(days=20)).strftime("%-d %b %Y")
    overdue = (today - timedelta(days=1)).strftime("%-d %b %Y")
    assert f"Re-assessment due {due}." in html
    assert f"Re-assessment due {overdue}: the date booked" in html
    assert html.count("Overdue</span>") == 1
    assert html.count("Re-assessment due") == 2


def test_a_started_re_assessment_takes_the_date_off_the_dashboard(
    manager_client, team, manager
):
    CommitmentFactory(
        assessment=AssessmentFactory(team=team, closed=True),
        reassess_on=timezone.localdate(),
    )
    AssessmentFactory(team=team, draft=True)

    assert "Re-assessment due" not in dashboard(manager_client)


@pytest.mark.parametrize("teams", [2, 20])
def test_the_dashboard_reads_re_assessment_dates_in_its_five_queries(
    manager, django_assert_num_queries, teams
):
    """Teams with their parent; their latest closed rounds with commitments and
    those rounds' results; their latest rounds under way, likewise."""
    today = timezone.localdate()
    for n in range(teams):
        team = TeamFactory(name=f"Team {n:02}", managers=[manager])
        closed = AssessmentFactory(team=team, closed=True)
        StepResultFactory(assessment=closed, step=Step.objects.get(key="vision"))
        CommitmentFactory(assessment=closed, reassess_on=today - timedelta(days=n))
        if n % 2:
            AssessmentFactory(team=team)  # a newer round, open

    with django_assert_num_queries(5):
        shown = [
            (team.name, team.reassess_on, team.reassess_overdue)
            for team in raising(Team.objects.for_dashboard(manager))
        ]

    assert shown == [
        (f"Team {n:02}", None, False)
        if n % 2
        else (f"Team {n:02}", today - timedelta(days=n), n > 0)
        for n in range(teams)
    ]


@pytest.mark.parametrize("teams", [1, 4])
def test_the_dashboard_pages_query_count_stays_fixed_with_dates(
    manager_client, manager, django_assert_num_queries, teams
):
    """Session, user, the page's count, the five of ``for_dashboard``, and the
    two latest completed rounds' step results for the change since the last."""
    for n in range(teams):
        team = TeamFactory(managers=[manager])
        CommitmentFactory(
            assessment=AssessmentFactory(team=team, closed=True),
            reassess_on=timezone.localdate() + timedelta(days=n),
        )
        AssessmentFactory(team=team, draft=True)
    assert Assessment.objects.count() == 2 * teams
    with django_assert_num_queries(10):
        manager_client.get(reverse("assessments:dashboard"))


# --- Carried-over actions on step 4 ------------------------------------------------


@pytest.mark.parametrize("actions", [1, 12])
def test_step_four_marks_carried_over_actions_in_its_fixed_queries(
    manager_client, team, manager, django_assert_num_queries, actions
):
    """Session, user, round, actions with the rounds they came from, results."""
    earlier = AssessmentFactory(team=team, title="", closed=True)
    ActionItemFactory.create_batch(actions, assessment=earlier)
    new = services.assessment_create(team=team, created_by=manager, start_from=earlier)
    ActionItemFactory(assessment=new, title="Brand new")
    commitment_url = reverse("assessments:commitment", args=(new.pk,))

    with django_assert_num_queries(5):
        html = manager_client.get(commitment_url).content.decode()

    assert html.count(f"Carried over\n        from {earlier}") == actions
    brand_new = new.actions.get(title="Brand new")
    assert f'id="action-{brand_new.pk}-carried"' not in html


def test_the_previous_rounds_title_is_shown_as_text(manager_client, team):
    AssessmentFactory(team=team, title="<b>Spring</b> 🌱", closed=True)

    html = manager_client.get(create_url(team)).content.decode()

    assert "Start from &lt;b&gt;Spring&lt;/b&gt; 🌱" in html
    assert "<b>Spring</b>" not in html
