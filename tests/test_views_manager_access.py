"""Only a team's managers, and superusers, reach anything of that team."""

from http import HTTPStatus
from urllib.parse import quote

import pytest
from django.urls import reverse

from assessments.models import ActionItem, Assessment, Invitation, ManagerInvitation
from assessments.urls import urlpatterns
from tests.factories import (
    ActionItemFactory,
    AnswerJudgementFactory,
    AssessmentFactory,
    InvitationFactory,
    ManagerInvitationFactory,
    ResponseFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

PUBLIC = {"survey", "code_entry"}


def manager_urls(
    *, team, round_, invitation, action, judgement, manager_invitation
) -> list[str]:
    """Every manager URL of the app, pointed at the given objects; a new pattern
    with a parameter this does not know fails here instead of going untested."""
    urls = []
    for pattern in urlpatterns:
        if pattern.name in PUBLIC:
            continue
        route = str(pattern.pattern)
        kwargs = {}
        if "<int:pk>" in route:
            kwargs["pk"] = team.pk if route.startswith("teams/") else round_.pk
        if "<int:invitation_pk>" in route:
            kwargs["invitation_pk"] = invitation.pk
        if "<int:action_pk>" in route:
            kwargs["action_pk"] = action.pk
        if "<int:judgement_pk>" in route:
            kwargs["judgement_pk"] = judgement.pk
        if "<int:manager_invitation_pk>" in route:
            kwargs["manager_invitation_pk"] = manager_invitation.pk
        if "<str:token>" in route:
            kwargs["token"] = manager_invitation.token
        urls.append(reverse(f"assessments:{pattern.name}", kwargs=kwargs))
    return urls


@pytest.fixture
def someone_elses():
    """A team, a round and the rows under it, all of another manager."""
    team = TeamFactory()
    round_ = AssessmentFactory(team=team)
    return {
        "team": team,
        "round_": round_,
        "invitation": InvitationFactory(assessment=round_),
        "action": ActionItemFactory(assessment=round_),
        "judgement": AnswerJudgementFactory(
            response=ResponseFactory(assessment=round_)
        ),
        "manager_invitation": ManagerInvitationFactory(team=team),
    }


def test_the_walk_covers_every_manager_url(someone_elses):
    names = {pattern.name for pattern in urlpatterns} - PUBLIC

    assert len(manager_urls(**someone_elses)) == len(names)
    assert {"dashboard", "vision", "invitation_reissue", "action_delete"} <= names


def test_another_manager_gets_404_on_every_url_of_a_team_not_theirs(
    manager_client, someone_elses
):
    own_pages = (reverse("assessments:dashboard"), reverse("assessments:team_create"))
    invitation = someone_elses["invitation"]
    token = someone_elses["manager_invitation"].token
    for url in manager_urls(**someone_elses):
        if url in own_pages:
            continue
        statuses = {
            manager_client.get(url).status_code,
            manager_client.post(url).status_code,
        }
        # Each URL answers 404 (403 through an invitation's link) to the method
        # it takes and 405 to the other one.
        refused = HTTPStatus.FORBIDDEN if token in url else HTTPStatus.NOT_FOUND
        assert refused in statuses, url
        assert statuses <= {refused, HTTPStatus.METHOD_NOT_ALLOWED}, url

    assert Assessment.objects.get(pk=someone_elses["round_"].pk).is_open
    assert Invitation.objects.get(pk=invitation.pk).token_hash == invitation.token_hash
    assert ActionItem.objects.filter(pk=someone_elses["action"].pk).exists()
    assert ManagerInvitation.objects.pending().count() == 1


def test_a_visitor_not_logged_in_is_sent_to_log_in_from_every_url(
    client, someone_elses
):
    login = reverse("account_login")
    for url in manager_urls(**someone_elses):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == HTTPStatus.FOUND, url
            assert response.url == f"{login}?next={quote(url)}", url


def test_objects_of_another_round_are_404_through_my_own_round(
    manager_client, assessment, someone_elses
):
    invitation, action = someone_elses["invitation"], someone_elses["action"]

    reissue = reverse(
        "assessments:invitation_reissue", args=(assessment.pk, invitation.pk)
    )
    update = reverse("assessments:action_update", args=(assessment.pk, action.pk))
    delete = reverse("assessments:action_delete", args=(assessment.pk, action.pk))

    for url in (reissue, update, delete):
        assert manager_client.post(url).status_code == HTTPStatus.NOT_FOUND, url


def test_a_superuser_can_open_any_teams_pages(admin_client, someone_elses):
    round_ = someone_elses["round_"]

    for name in (
        "vision",
        "engagement",
        "alignment",
        "commitment",
        "assessment_settings",
    ):
        response = admin_client.get(reverse(f"assessments:{name}", args=(round_.pk,)))
        assert response.status_code == HTTPStatus.OK, name
    team_page = reverse("assessments:team_detail", args=(someone_elses["team"].pk,))
    assert admin_client.get(team_page).status_code == HTTPStatus.OK
