import json
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments import demo
from assessments.models import (
    AnswerJudgement,
    Assessment,
    Invitation,
    Response,
    StepResult,
)

pytestmark = pytest.mark.django_db


def seed(*args: str) -> dict:
    output = StringIO()
    call_command("seed_demo", "--json", *args, stdout=output)
    return json.loads(output.getvalue())


def test_json_output_has_the_documented_shape(settings):
    settings.SITE_URL = "http://example.test:9"

    data = seed("--team-size", "6", "--answered", "4")

    assert set(data) == {
        "email",
        "password",
        "team_id",
        "assessment_id",
        "respondents",
        "links",
        "open_links",
    }
    assert data["respondents"] == 4
    assert len(data["links"]) == 6
    assert data["open_links"] == data["links"][4:]
    assert all(link.startswith("http://example.test:9/r/") for link in data["links"])
    manager = get_user_model().objects.get(email=data["email"])
    assert manager.check_password(data["password"])


def test_round_is_open_with_every_step_filled_in():
    data = seed()

    assessment = Assessment.objects.get(pk=data["assessment_id"])
    assert assessment.team_id == data["team_id"]
    assert assessment.is_open
    assert assessment.vision.has_vision is True
    assert assessment.alignment_ratings.count() == 5
    assert assessment.commitment.owner
    assert assessment.actions.count() >= 1
    assert assessment.invitations.count() == 12
    assert Response.objects.filter(assessment=assessment).count() == 10
    assert (
        assessment.invitations.filter(status=Invitation.Status.RESPONDED).count() == 10
    )


def test_answers_are_varied():
    data = seed("--team-size", "40", "--answered", "40")

    answers = set(
        Response.objects.filter(assessment_id=data["assessment_id"]).values_list(
            "contribution_answer", flat=True
        )
    )
    assert len(answers) >= 4


def test_second_run_reuses_the_manager_and_adds_a_new_team():
    first, second = seed(), seed()

    assert first["email"] == second["email"]
    assert first["team_id"] != second["team_id"]


def test_open_links_reach_the_survey(client):
    data = seed("--team-size", "2", "--answered", "1")

    assert client.get(data["open_links"][0]).status_code == 200
    assert client.get(data["links"][0]).status_code == 200


def test_answered_cannot_exceed_team_size():
    with pytest.raises(CommandError, match="--answered cannot exceed --team-size"):
        call_command("seed_demo", "--team-size", "2", "--answered", "3")


def test_readable_summary_prints_a_login_that_works_on_the_login_page(settings, client):
    settings.SITE_URL = "http://127.0.0.1:8001"
    output = StringIO()
    call_command("seed_demo", stdout=output)

    printed = output.getvalue()
    assert "Log in at http://127.0.0.1:8001/accounts/login/ as demo@example.com" in (
        printed
    )
    password = re.search(r"Password: (\S+)", printed)[1]
    response = client.post(
        reverse("account_login"), {"login": "demo@example.com", "password": password}
    )
    assert response.url == "/"


def test_login_file_seeds_once_and_then_shows_the_saved_login(tmp_path):
    login_file = tmp_path / "login.json"

    first = seed("--login-file", str(login_file))
    again = seed("--login-file", str(login_file))

    assert again == first
    assert json.loads(login_file.read_text()) == first
    assert Assessment.objects.count() == 1


def test_login_file_that_no_longer_logs_in_seeds_again(tmp_path):
    login_file = tmp_path / "login.json"
    login_file.write_text(
        json.dumps({"email": "demo@example.com", "password": "stale"})
    )

    data = seed("--login-file", str(login_file))

    assert data["password"] != "stale"
    assert json.loads(login_file.read_text()) == data


def test_demo_answers_are_judged_with_engaged_and_not_engaged_people():
    data = seed("--team-size", "30", "--answered", "30")

    responses = Response.objects.filter(assessment_id=data["assessment_id"])
    assert not responses.filter(engaged__isnull=True).exists()
    assert responses.filter(engaged=True).exists()
    assert responses.filter(engaged=False).exists()
    assert Assessment.objects.get(pk=data["assessment_id"]).team_profile_size == 30


def test_demo_round_has_its_readiness_stored_for_the_dashboard():
    data = seed()

    stored = StepResult.objects.filter(assessment_id=data["assessment_id"])
    assert [result.step.key for result in stored] == [
        "vision",
        "engagement",
        "alignment",
        "commitment",
    ]
    assert stored[0].status == "ready"


def test_the_demo_round_s_key_ideas_are_confirmed_with_the_team_s_words():
    data = seed("--team-size", "8", "--answered", "8")

    vision = Assessment.objects.get(pk=data["assessment_id"]).vision
    assert vision.confirmed_ideas == demo.DEMO_KEY_IDEAS
    assert all(idea.words for idea in vision.confirmed_ideas)
    assert not vision.ideas_to_check
    reasons = AnswerJudgement.objects.filter(
        response__assessment_id=data["assessment_id"], question_key="vision"
    ).values_list("reasons", flat=True)
    assert any(demo.DEMO_KEY_IDEAS[0].idea in " ".join(r) for r in reasons)
