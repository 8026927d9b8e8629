"""The admin as a whole: every model is registered and its pages load; history
pages are read-only and manager and admin edits leave the same trail."""

from http import HTTPStatus

import pytest
from django.contrib import admin

from assessments import models, services
from tests import factories
from tests.admin_pages import admin_url
from tests.samples import TEAM_VISION as VISION

pytestmark = pytest.mark.django_db


FACTORIES = {
    models.Step: factories.StepFactory,
    models.Question: factories.QuestionFactory,
    models.Team: factories.TeamFactory,
    models.Assessment: factories.AssessmentFactory,
    models.Vision: factories.VisionFactory,
    models.Invitation: factories.InvitationFactory,
    # Of a named round: the admin shows it whole (an anonymous round of one
    # respondent shows nothing).
    models.Response: lambda: factories.ResponseFactory(assessment__anonymous=False),
    models.AnswerJudgement: lambda: factories.AnswerJudgementFactory(
        response__assessment__anonymous=False
    ),
    models.AlignmentRating: factories.AlignmentRatingFactory,
    models.Commitment: factories.CommitmentFactory,
    models.ActionItem: factories.ActionItemFactory,
    models.StepResult: factories.StepResultFactory,
    models.ManagerInvitation: factories.ManagerInvitationFactory,
}


# Rows the engine, the survey or a team's page writes: the admin reads (and
# corrects) them.
NOT_ADDED_IN_THE_ADMIN = {
    models.Response,
    models.AnswerJudgement,
    models.Invitation,
    models.StepResult,
    models.ManagerInvitation,
}


APP_MODELS = [m for m in admin.site._registry if m._meta.app_label == "assessments"]


# --- Every page loads -----------------------------------------------------------------


def test_every_model_is_registered():
    assert set(APP_MODELS) == set(FACTORIES)


@pytest.mark.parametrize("model", FACTORIES, ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_load(admin_client, model):
    obj = FACTORIES[model]()

    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "changelist") + "?q=x",
        admin_url(model, "change", obj.pk),
    ):
        assert admin_client.get(url).status_code == HTTPStatus.OK, url
    add = admin_client.get(admin_url(model, "add"))
    expected = (
        HTTPStatus.FORBIDDEN if model in NOT_ADDED_IN_THE_ADMIN else HTTPStatus.OK
    )
    assert add.status_code == expected


@pytest.mark.parametrize(
    "model",
    [
        models.Vision,
        models.AlignmentRating,
        models.AnswerJudgement,
        models.Response,
        models.Commitment,
        models.ActionItem,
    ],
    ids=lambda m: m.__name__,
)
def test_history_pages_load_for_audited_models(admin_client, model):
    obj = FACTORIES[model]()

    page = admin_client.get(admin_url(model, "history", obj.pk))

    assert page.status_code == HTTPStatus.OK


# --- The audit trail ------------------------------------------------------------------


def test_manager_pages_leave_the_same_trail_as_the_admin(assessment, manager):
    vision = models.Vision.objects.get(assessment=assessment)

    services.vision_update(
        vision=vision,
        revision=vision.revision,
        statement=VISION,
        has_vision=True,
        user=manager,
    )

    latest = vision.history.latest()
    assert (latest.history_user, latest.statement, latest.revision) == (
        manager,
        VISION,
        2,
    )


def test_history_cannot_be_reverted(admin_client, superuser, assessment):
    vision = models.Vision.objects.get(assessment=assessment)
    first = vision.history.earliest()
    url = admin_url(models.Vision, "simple_history", vision.pk, first.history_id)

    assert admin_client.get(url).status_code == HTTPStatus.OK
    refused = admin_client.post(url, {"statement": "Reverted.", "has_vision": ""})

    assert refused.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    vision.refresh_from_db()
    assert vision.statement == ""
