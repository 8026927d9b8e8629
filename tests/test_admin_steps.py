"""The steps' rows in the admin, inline on a round's page or on their own pages: an
edit is a revision recorded with the user, so a manager's older form is stale."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError

from assessments import models, services
from tests import factories
from tests.admin_pages import admin_url
from tests.samples import TEAM_VISION as VISION

pytestmark = pytest.mark.django_db


def inline_data(assessment, **vision) -> dict:
    """The change form as the page posts it, with the vision inline changed."""
    stored = models.Vision.objects.get(assessment=assessment)
    commitment = models.Commitment.objects.get(assessment=assessment)
    data = {
        "team": assessment.team_id,
        "title": assessment.title,
        "ready_engaged_share": assessment.ready_engaged_share,
        "ready_min_respondents": assessment.ready_min_respondents,
        "ready_min_participation": assessment.ready_min_participation,
        "vision-TOTAL_FORMS": "1",
        "vision-INITIAL_FORMS": "1",
        "vision-0-id": stored.pk,
        "vision-0-assessment": assessment.pk,
        "vision-0-statement": vision.get("statement", stored.statement),
        "vision-0-has_vision": vision.get("has_vision", ""),
        "commitment-TOTAL_FORMS": "1",
        "commitment-INITIAL_FORMS": "1",
        "commitment-0-id": commitment.pk,
        "commitment-0-assessment": assessment.pk,
    }
    for prefix in ("alignment_ratings", "actions"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


def test_editing_the_vision_inline_is_a_revision_recorded_with_the_user(
    admin_client, superuser, assessment
):
    response = admin_client.post(
        admin_url(models.Assessment, "change", assessment.pk),
        inline_data(assessment, statement=VISION, has_vision="true"),
    )

    assert response.status_code == HTTPStatus.FOUND
    vision = models.Vision.objects.get(assessment=assessment)
    assert (vision.statement, vision.revision, vision.updated_by) == (
        VISION,
        2,
        superuser,
    )
    latest = vision.history.latest()
    assert (latest.history_type, latest.history_user, latest.statement) == (
        "~",
        superuser,
        VISION,
    )


def test_a_manager_form_opened_before_an_admin_edit_is_told_it_is_stale(
    admin_client, assessment, manager
):
    vision = models.Vision.objects.get(assessment=assessment)
    opened_at_revision = vision.revision
    admin_client.post(
        admin_url(models.Assessment, "change", assessment.pk),
        inline_data(assessment, statement="Set by an administrator."),
    )

    with pytest.raises(ValidationError) as refused:
        services.vision_update(
            vision=vision,
            revision=opened_at_revision,
            statement="The manager's older text.",
            has_vision=None,
            user=manager,
        )

    assert refused.value.messages == [services.STALE_REVISION]


def test_admin_edits_of_ratings_commitments_and_actions_record_the_user(
    admin_client, superuser, assessment
):
    rating = factories.AlignmentRatingFactory(assessment=assessment)
    action = factories.ActionItemFactory(assessment=assessment, title="Old title")

    admin_client.post(
        admin_url(models.AlignmentRating, "change", rating.pk),
        {
            "assessment": assessment.pk,
            "question": rating.question_id,
            "rating": 2,
            "evidence": "Goals still reward speed.",
        },
    )
    admin_client.post(
        admin_url(models.ActionItem, "change", action.pk),
        {"assessment": assessment.pk, "title": "New title", "owner": "Tom"},
    )

    assert rating.history.latest().history_user == superuser
    assert rating.history.latest().rating == 2
    assert action.history.latest().history_user == superuser
    assert action.history.latest().title == "New title"
