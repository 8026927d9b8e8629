"""Every model's changelist, add and change pages load in the admin."""

from http import HTTPStatus

import pytest
from django.contrib import admin
from django.urls import reverse

from assessments import models
from tests import factories

pytestmark = pytest.mark.django_db

FACTORIES = {
    models.Step: factories.StepFactory,
    models.Question: factories.QuestionFactory,
    models.Team: factories.TeamFactory,
    models.Assessment: factories.AssessmentFactory,
    models.Vision: factories.VisionFactory,
    models.Invitation: factories.InvitationFactory,
    models.Response: factories.ResponseFactory,
    models.AnswerJudgement: factories.AnswerJudgementFactory,
    models.AlignmentRating: factories.AlignmentRatingFactory,
    models.Commitment: factories.CommitmentFactory,
    models.ActionItem: factories.ActionItemFactory,
    models.StepResult: factories.StepResultFactory,
}
APP_MODELS = [m for m in admin.site._registry if m._meta.app_label == "assessments"]


def admin_url(model, view: str, *args) -> str:
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
    )


def test_every_model_is_registered():
    assert set(APP_MODELS) == set(FACTORIES)


@pytest.mark.parametrize("model", FACTORIES, ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_load(admin_client, model):
    obj = FACTORIES[model]()

    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "changelist") + "?q=x",
        admin_url(model, "add"),
        admin_url(model, "change", obj.pk),
    ):
        assert admin_client.get(url).status_code == HTTPStatus.OK, url


def test_superuser_creates_a_team_and_an_assessment_and_reads_its_responses(
    admin_client, superuser
):
    response = admin_client.post(
        admin_url(models.Team, "add"),
        {"name": "Billing desk", "level": "team", "managers": [superuser.pk]},
    )
    assert response.status_code == HTTPStatus.FOUND
    team = models.Team.objects.get(name="Billing desk")

    inline_management = {
        f"{prefix}-{field}": value
        for prefix in (
            "vision",
            "alignment_ratings",
            "commitment",
            "actions",
            "responses",
        )
        for field, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    }
    response = admin_client.post(
        admin_url(models.Assessment, "add"),
        {
            "team": team.pk,
            "title": "Spring round",
            "status": "draft",
            "anonymous": "on",
            "min_group_for_scores": 3,
            "min_group_for_verbatims": 5,
            "ready_engaged_share": 0.8,
            "ready_min_respondents": 3,
            "ready_min_participation": 0.6,
            **inline_management,
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.context["errors"]
    assessment = models.Assessment.objects.get(title="Spring round")
    assert assessment.created_by == superuser

    factories.ResponseFactory(assessment=assessment, meaning_answer="Own the fix.")
    page = admin_client.get(admin_url(models.Assessment, "change", assessment.pk))
    assert "Own the fix." in page.content.decode()
