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
        "vision-0-opened_revision": vision.get("opened_revision", stored.revision),
        "commitment-TOTAL_FORMS": "1",
        "commitment-INITIAL_FORMS": "1",
        "commitment-0-id": commitment.pk,
        "commitment-0-assessment": assessment.pk,
        "commitment-0-opened_revision": commitment.revision,
    }
    for prefix in ("alignment_ratings", "actions", "prediction"):
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


def test_an_admin_save_over_a_managers_newer_vision_is_refused_beside_the_inline(
    admin_client, assessment, manager
):
    page = admin_client.get(admin_url(models.Assessment, "change", assessment.pk))
    assert 'name="vision-0-opened_revision" value="1"' in page.content.decode()
    opened = inline_data(assessment, statement="The administrator's older text.")
    vision = models.Vision.objects.get(assessment=assessment)
    services.vision_update(
        vision=vision,
        revision=1,
        statement="The manager's text.",
        has_vision=None,
        user=manager,
    )

    response = admin_client.post(
        admin_url(models.Assessment, "change", assessment.pk), opened
    )

    assert response.status_code == HTTPStatus.OK
    (vision_formset,) = [
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.model is models.Vision
    ]
    assert vision_formset.formset.forms[0].non_field_errors() == [
        services.STALE_REVISION
    ]
    vision.refresh_from_db()
    assert (vision.statement, vision.revision) == ("The manager's text.", 2)


def test_a_round_saved_in_the_admin_leaves_a_vision_changed_meanwhile_alone_if_same(
    admin_client, assessment, manager
):
    """Saving what is already stored changes nothing, whatever the revision."""
    opened = inline_data(assessment, statement=VISION, has_vision="true")
    vision = models.Vision.objects.get(assessment=assessment)
    services.vision_update(
        vision=vision, revision=1, statement=VISION, has_vision=True, user=manager
    )

    response = admin_client.post(
        admin_url(models.Assessment, "change", assessment.pk), opened
    )

    assert response.status_code == HTTPStatus.FOUND
    vision.refresh_from_db()
    assert (vision.revision, vision.updated_by) == (2, manager)


def test_a_rating_added_in_the_rounds_inline_is_recorded_with_the_user(
    admin_client, superuser, assessment
):
    goals = models.alignment_questions(assessment.catalogue_version)[0]
    data = inline_data(assessment)
    data.update(
        {
            "alignment_ratings-TOTAL_FORMS": "1",
            "alignment_ratings-0-question": goals.pk,
            "alignment_ratings-0-rating": "3",
            "alignment_ratings-0-evidence": "",
            "alignment_ratings-0-opened_revision": "1",
        }
    )

    response = admin_client.post(
        admin_url(models.Assessment, "change", assessment.pk), data
    )

    assert response.status_code == HTTPStatus.FOUND
    rating = models.AlignmentRating.objects.get(assessment=assessment)
    assert (rating.rating, rating.revision, rating.updated_by) == (3, 1, superuser)


def revised_change_data(assessment, model) -> tuple[object, dict]:
    """A revised row of the round and its admin change form as the page posts it."""
    if model is models.Vision:
        row = models.Vision.objects.get(assessment=assessment)
        return row, {"statement": "Set by an administrator.", "has_vision": ""}
    if model is models.Commitment:
        row = models.Commitment.objects.get(assessment=assessment)
        fields = ("hours_per_week", "budget", "reassess_on", "attention", "sponsor")
        return row, {**dict.fromkeys(fields, ""), "owner": "Set by an administrator."}
    if model is models.ActionItem:
        row = factories.ActionItemFactory(assessment=assessment, title="Weekly huddle")
        return row, {"title": "Set by an administrator.", "owner": "", "due_on": ""}
    row = factories.AlignmentRatingFactory(assessment=assessment, rating=2)
    return row, {"question": row.question_id, "rating": 1, "evidence": ""}


def save_as_manager(row, manager) -> None:
    if isinstance(row, models.Vision):
        services.vision_update(
            vision=row, revision=1, statement="Theirs.", has_vision=None, user=manager
        )
    elif isinstance(row, models.Commitment):
        services.commitment_update(
            commitment=row, revision=1, user=manager, owner="Theirs."
        )
    elif isinstance(row, models.ActionItem):
        services.action_update(
            action=row, revision=1, user=manager, values={"title": "Theirs."}
        )
    else:
        services.alignment_update(
            assessment=row.assessment,
            ratings=[
                services.Rating(
                    question=row.question, rating=5, evidence="Theirs.", revision=1
                )
            ],
            user=manager,
        )


REVISED_MODELS = [
    models.Vision,
    models.AlignmentRating,
    models.Commitment,
    models.ActionItem,
]


@pytest.mark.parametrize("model", REVISED_MODELS, ids=lambda m: m.__name__)
def test_an_admin_change_form_opened_before_a_managers_save_is_refused(
    admin_client, assessment, manager, model
):
    row, data = revised_change_data(assessment, model)
    url = admin_url(model, "change", row.pk)
    page = admin_client.get(url).content.decode()
    assert 'name="opened_revision" value="1"' in page
    save_as_manager(row, manager)

    response = admin_client.post(
        url, {**data, "assessment": assessment.pk, "opened_revision": 1}
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.non_field_errors() == [
        services.STALE_REVISION
    ]
    row.refresh_from_db()
    assert (row.revision, row.updated_by) == (2, manager)


@pytest.mark.parametrize("model", REVISED_MODELS, ids=lambda m: m.__name__)
def test_a_managers_save_after_an_admin_change_form_save_is_refused(
    admin_client, superuser, assessment, manager, model
):
    row, data = revised_change_data(assessment, model)

    saved = admin_client.post(
        admin_url(model, "change", row.pk),
        {**data, "assessment": assessment.pk, "opened_revision": 1},
    )

    assert saved.status_code == HTTPStatus.FOUND
    with pytest.raises(ValidationError) as refused:
        save_as_manager(row, manager)
    assert refused.value.messages == [services.STALE_REVISION]
    row.refresh_from_db()
    assert (row.revision, row.updated_by) == (2, superuser)
    latest = row.history.latest()
    assert (latest.history_user, latest.revision) == (superuser, 2)


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
            "opened_revision": rating.revision,
        },
    )
    admin_client.post(
        admin_url(models.ActionItem, "change", action.pk),
        {
            "assessment": assessment.pk,
            "title": "New title",
            "owner": "Tom",
            "opened_revision": action.revision,
        },
    )

    assert rating.history.latest().history_user == superuser
    assert rating.history.latest().rating == 2
    assert action.history.latest().history_user == superuser
    assert action.history.latest().title == "New title"


def test_an_action_edited_inline_on_its_round_over_a_managers_save_is_refused(
    admin_client, assessment, manager
):
    action = factories.ActionItemFactory(assessment=assessment, title="Weekly huddle")
    data = inline_data(assessment)
    data.update(
        {
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "1",
            "actions-0-id": action.pk,
            "actions-0-assessment": assessment.pk,
            "actions-0-title": "The administrator's title",
            "actions-0-owner": "",
            "actions-0-due_on": "",
            "actions-0-done_on": "",
            "actions-0-opened_revision": "1",
        }
    )
    services.action_update(
        action=action, revision=1, user=manager, values={"title": "Theirs."}
    )

    response = admin_client.post(
        admin_url(models.Assessment, "change", assessment.pk), data
    )

    assert response.status_code == HTTPStatus.OK
    (actions,) = [
        formset
        for formset in response.context["inline_admin_formsets"]
        if formset.formset.model is models.ActionItem
    ]
    assert actions.formset.forms[0].non_field_errors() == [services.STALE_REVISION]
    assert 'value="The administrator&#x27;s title"' in response.content.decode()
    action.refresh_from_db()
    assert (action.title, action.revision) == ("Theirs.", 2)


# --- Key ideas: shown, confirmed only on the manager's page --------------------------


def test_the_round_and_vision_pages_show_the_key_ideas_read_only(
    admin_client, assessment
):
    vision = factories.VisionFactory(assessment=assessment, confirmed=True)

    for url in (
        admin_url(models.Assessment, "change", assessment.pk),
        admin_url(models.Vision, "change", vision.pk),
    ):
        text = admin_client.get(url).content.decode()

        assert (
            "<li>One conversation (team&#x27;s words: un appel, first time)</li>"
            in (text)
        )
        assert 'name="key_ideas"' not in text
        assert 'name="vision-0-key_ideas"' not in text


def test_the_admin_says_when_no_key_ideas_are_confirmed_or_they_need_a_check(
    admin_client, assessment
):
    vision = factories.VisionFactory(assessment=assessment)
    page = admin_url(models.Vision, "change", vision.pk)

    assert "Not confirmed: answers are judged against every specific word." in (
        admin_client.get(page).content.decode()
    )
    models.Vision.objects.filter(pk=vision.pk).update(
        key_ideas=[{"idea": "<b>One</b> call", "words": []}],
        key_ideas_vision="An older statement.",
    )
    text = admin_client.get(page).content.decode()
    assert "<li>&lt;b&gt;One&lt;/b&gt; call</li>" in text
    assert "The statement changed since they were confirmed." in text


def test_an_admin_edit_of_the_statement_keeps_the_key_ideas(admin_client, assessment):
    factories.VisionFactory(assessment=assessment, confirmed=True)

    admin_client.post(
        admin_url(models.Assessment, "change", assessment.pk),
        inline_data(assessment, statement="A statement the admin corrected."),
    )

    vision = models.Vision.objects.get(assessment=assessment)
    assert vision.statement == "A statement the admin corrected."
    assert [idea.idea for idea in vision.confirmed_ideas] == [
        "One conversation",
        "Plain words",
    ]
    assert vision.ideas_to_check


def test_every_field_of_a_tabular_inline_is_named_with_its_label_and_row(
    admin_client, assessment
):
    questions = list(models.Question.objects.of_step("alignment")[:2])
    for question in questions:
        factories.AlignmentRatingFactory(assessment=assessment, question=question)
    factories.ActionItemFactory(assessment=assessment)

    page = admin_client.get(admin_url(models.Assessment, "change", assessment.pk))

    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    for name in (
        "Question, row 1",
        "Question, row 2",
        "Rating, row 2",
        "Evidence, row 1",
        "Delete, row 2",
        "Title, row 1",
        "Due on, row 1",
        "Done on, new row",
    ):
        assert f'aria-label="{name}"' in html, name
    # Each row's select its own name, not the row before's.
    assert html.count('aria-label="Question, row 1"') == 1
