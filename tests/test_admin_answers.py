"""Answers and judgements in the admin: anonymity holds for staff who are not
superusers; corrections and overrides go through the services; the answers'
history keeps no more than the pages show."""

from datetime import time
from http import HTTPStatus

import pytest

from assessments import models, services
from assessments.services import OVERRIDE_NEEDS_A_REASON
from tests import factories
from tests.admin_pages import admin_url, messages_of, run_action
from tests.samples import ENGAGED, LOST, UNSURE
from tests.samples import TEAM_VISION as VISION
from tests.samples import submit as answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_with_vision(assessment):
    factories.VisionFactory(assessment=assessment, statement=VISION)
    return assessment


@pytest.fixture
def named_round(team):
    """A named round that shows every answer: administrators see it whole."""
    assessment = factories.AssessmentFactory(
        team=team, anonymous=False, min_group_for_scores=1, min_group_for_verbatims=1
    )
    factories.VisionFactory(assessment=assessment, statement=VISION)
    return assessment


# --- Anonymity for staff who are not superusers ---------------------------------------


# Names no page could contain by chance (a CSRF token can hold "Ed").
INVITED = (
    "Annabel Quist",
    "Bartholomew Oyelaran",
    "Cyrille Dufresne",
    "Dimitra Laskaris",
    "Edwin Tamsett",
)


@pytest.fixture
def anonymous_round(round_with_vision):
    """An anonymous round big enough to quote answers, with invitations answered."""
    for name in INVITED:
        answer(round_with_vision, ENGAGED, name=name)
    return round_with_vision


def test_staff_see_no_invitation_and_no_time_of_anonymous_answers(
    staff_client, anonymous_round
):
    response = anonymous_round.responses.first()

    listing = staff_client.get(admin_url(models.Response, "changelist"))
    page = staff_client.get(admin_url(models.Response, "change", response.pk))
    summary = staff_client.get(
        admin_url(models.Assessment, "change", anonymous_round.pk)
    )

    assert listing.status_code == page.status_code == HTTPStatus.OK
    assert list(listing.context["cl"].list_display) == [
        "action_checkbox",
        "respondent",
        "assessment",
        "engaged",
        "received",
    ]
    form = page.content.decode()
    for field in ("invitation", "created_at", "updated_at", "respondent_key"):
        assert f"field-{field}" not in form
    assert "field-received" in form
    for text in (listing.content.decode(), summary.content.decode()):
        for name in INVITED:
            assert name not in text
    assert "in an order that follows nobody's answering time" in (
        summary.content.decode()
    )


def test_staff_list_anonymous_answers_in_pseudonym_order_whatever_they_sort_by(
    staff_client, anonymous_round
):
    changelist = admin_url(models.Response, "changelist")
    keys = sorted(anonymous_round.responses.values_list("respondent_key", flat=True))

    for query in ("", "?o=3", "?o=-3.1"):
        page = staff_client.get(changelist + query)
        listed = [r.respondent_key for r in page.context["cl"].result_list]
        assert listed == keys, query


@pytest.mark.parametrize(
    "query",
    [
        "created_at__gte=2020-01-01",
        "updated_at__date=2026-01-01",
        "invitation__isnull=false",
        "invitation__name=Ann",
        "id__gt=0",
    ],
)
def test_staff_cannot_filter_answers_by_time_or_invitation(
    staff_client, anonymous_round, query
):
    page = staff_client.get(admin_url(models.Response, "changelist") + "?" + query)

    assert page.status_code == HTTPStatus.BAD_REQUEST


def test_staff_see_no_answers_of_an_anonymous_round_below_its_minimum_group(
    staff_client, round_with_vision
):
    response = answer(round_with_vision, ENGAGED, name="Ann")
    judgement = response.judgements.first()

    listing = staff_client.get(admin_url(models.Response, "changelist"))
    judgements = staff_client.get(admin_url(models.AnswerJudgement, "changelist"))
    page = staff_client.get(admin_url(models.Response, "change", response.pk))
    history = staff_client.get(admin_url(models.Response, "history", response.pk))
    judgement_page = staff_client.get(
        admin_url(models.AnswerJudgement, "change", judgement.pk)
    )
    summary = staff_client.get(
        admin_url(models.Assessment, "change", round_with_vision.pk)
    )
    export = run_action(staff_client, "export_answers", [round_with_vision])

    assert list(listing.context["cl"].result_list) == []
    assert list(judgements.context["cl"].result_list) == []
    assert page.status_code == judgement_page.status_code == HTTPStatus.FOUND
    assert history.status_code == HTTPStatus.NOT_FOUND
    assert (
        "Scores appear once 3 people have answered (1 so far)."
        in summary.content.decode()
    )
    assert ENGAGED["meaning"] not in summary.content.decode()
    assert messages_of(export) == [
        f"Nothing was exported. {round_with_vision}: Scores appear once 3 people "
        "have answered (1 so far)."
    ]


def test_superusers_see_a_named_rounds_answers_with_their_exact_times(
    admin_client, named_round
):
    response = answer(named_round, ENGAGED)

    listing = admin_client.get(admin_url(models.Response, "changelist"))
    page = admin_client.get(admin_url(models.Response, "change", response.pk))

    assert [r.pk for r in listing.context["cl"].result_list] == [response.pk]
    assert "created_at" in page.context["adminform"].readonly_fields


def test_named_rounds_show_who_answered(staff_client, team):
    assessment = factories.AssessmentFactory(
        team=team, anonymous=False, min_group_for_scores=1, min_group_for_verbatims=1
    )
    factories.VisionFactory(assessment=assessment, statement=VISION)
    answer(assessment, ENGAGED, name="Sam Lee")

    listing = staff_client.get(admin_url(models.Response, "changelist"))
    summary = staff_client.get(admin_url(models.Assessment, "change", assessment.pk))

    assert "Sam Lee" in listing.content.decode()
    assert "Sam Lee" in summary.content.decode()


def test_staff_list_judgements_in_pseudonym_order(staff_client, anonymous_round):
    page = staff_client.get(admin_url(models.AnswerJudgement, "changelist"))

    listed = [
        (j.response.respondent_key, j.question_key)
        for j in page.context["cl"].result_list
    ]
    assert listed == sorted(listed)


def test_html_in_answers_is_shown_escaped_in_the_admin(admin_client):
    response = factories.ResponseFactory(
        meaning_answer='<script>alert("x")</script>',
        assessment=factories.AssessmentFactory(anonymous=False),
    )

    pages = [
        admin_client.get(admin_url(models.Response, "change", response.pk)),
        admin_client.get(admin_url(models.Response, "changelist")),
        admin_client.get(
            admin_url(models.Assessment, "change", response.assessment_id)
        ),
    ]

    for page in pages:
        text = page.content.decode()
        assert '<script>alert("x")</script>' not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in (
        pages[0].content.decode()
    )


# --- Corrections and overrides go through the services --------------------------------


def response_form(response, **answers) -> dict:
    data = {
        f"{key}_answer": answers.get(key, response.answer_for(key))
        for key in ("vision", "meaning", "contribution")
    }
    judgements = list(response.judgements.order_by("pk"))
    data.update(
        {
            "judgements-TOTAL_FORMS": str(len(judgements)),
            "judgements-INITIAL_FORMS": str(len(judgements)),
            "judgements-MIN_NUM_FORMS": "0",
            "judgements-MAX_NUM_FORMS": "1000",
        }
    )
    for n, judgement in enumerate(judgements):
        data[f"judgements-{n}-id"] = judgement.pk
        data[f"judgements-{n}-response"] = response.pk
        data[f"judgements-{n}-override_clear"] = "unknown"
        data[f"judgements-{n}-override_consistent"] = "unknown"
        data[f"judgements-{n}-override_reason"] = ""
    return data


def test_correcting_an_answer_judges_it_again_and_is_recorded_by_the_day(
    staff_client, staff, anonymous_round
):
    response = anonymous_round.responses.order_by("pk").first()

    saved = staff_client.post(
        admin_url(models.Response, "change", response.pk),
        response_form(response, vision="I don't know"),
    )

    assert saved.status_code == HTTPStatus.FOUND
    response.refresh_from_db()
    assert response.vision_answer == "I don't know"
    assert response.engaged is False
    assert response.judgements.get(question_key="vision").clear is False
    latest = response.history.latest()
    assert (latest.history_user, latest.vision_answer) == (staff, "I don't know")
    assert latest.history_date.time() == time(0, 0)


def test_an_override_in_the_admin_needs_a_reason(admin_client, named_round):
    response = answer(named_round, LOST)
    data = response_form(response)
    data["judgements-0-override_clear"] = "true"

    page = admin_client.post(admin_url(models.Response, "change", response.pk), data)

    assert page.status_code == HTTPStatus.OK
    assert OVERRIDE_NEEDS_A_REASON in page.content.decode().replace("&#x27;", "'")
    assert not models.AnswerJudgement.objects.filter(
        override_clear__isnull=False
    ).exists()


def test_overriding_every_answer_in_the_admin_makes_the_respondent_engaged(
    admin_client, superuser, named_round
):
    response = answer(named_round, LOST)
    data = response_form(response)
    for n in range(3):
        data[f"judgements-{n}-override_clear"] = "true"
        data[f"judgements-{n}-override_consistent"] = "true"
        data[f"judgements-{n}-override_reason"] = "Checked with them in person."

    saved = admin_client.post(admin_url(models.Response, "change", response.pk), data)

    assert saved.status_code == HTTPStatus.FOUND
    response.refresh_from_db()
    assert response.engaged is True
    judgement = response.judgements.first()
    assert judgement.overridden_by == superuser
    history = judgement.history.latest()
    assert (history.history_user, history.override_reason) == (
        superuser,
        "Checked with them in person.",
    )


def test_an_override_on_the_judgement_page_goes_through_the_service(
    admin_client, superuser, named_round
):
    judgement = answer(named_round, LOST).judgements.get(question_key="vision")

    saved = admin_client.post(
        admin_url(models.AnswerJudgement, "change", judgement.pk),
        {
            "override_clear": "true",
            "override_consistent": "unknown",
            "override_reason": "Said aloud in the huddle.",
        },
    )

    assert saved.status_code == HTTPStatus.FOUND
    judgement.refresh_from_db()
    assert (judgement.effective_clear, judgement.overridden_by) == (True, superuser)
    assert judgement.overridden_at is not None


def test_the_admin_shows_when_an_answer_changed_since_the_decision(
    admin_client, superuser, named_round
):
    response = answer(named_round, LOST)
    judgement = response.judgements.get(question_key="vision")
    services.judgement_override(
        judgement=judgement,
        clear=True,
        consistent=None,
        reason="Said aloud in the huddle.",
        user=superuser,
    )
    unchanged = admin_client.get(
        admin_url(models.AnswerJudgement, "change", judgement.pk)
    ).content.decode()
    services.response_correct(response=response, answers={**LOST, "vision": "Fix it."})

    pages = [
        admin_client.get(admin_url(model, "change", pk)).content.decode()
        for model, pk in (
            (models.AnswerJudgement, judgement.pk),
            (models.Response, response.pk),
        )
    ]
    round_page = admin_client.get(
        admin_url(models.Assessment, "change", named_round.pk)
    ).content.decode()

    assert "answer changed since the decision" in unchanged.lower()
    assert 'alt="False"' in unchanged
    for page in pages:
        assert 'alt="True"' in page
        assert 'name="override_answer_digest"' not in page  # read-only
    assert "Answer changed since the decision." in round_page


# --- Judgements the engine was unsure of ----------------------------------------------


@pytest.mark.usefixtures("unsure_engine")
def test_a_judgement_shows_its_confidence_and_review_read_only(
    admin_client, named_round
):
    response = answer(named_round, UNSURE)
    judgement = response.judgements.get(question_key="meaning")

    page = admin_client.get(admin_url(models.AnswerJudgement, "change", judgement.pk))
    answers = admin_client.get(admin_url(models.Response, "change", response.pk))

    form = page.content.decode()
    assert "needs review (confidence 0.52, language es)" in form
    for field in ("confidence", "language", "review"):
        assert f"field-{field}" in form
        assert f'name="{field}"' not in form
    assert "needs review (confidence 0.52, language es)" in answers.content.decode()


@pytest.mark.usefixtures("unsure_engine")
def test_judgements_are_listed_by_whether_they_need_review(
    admin_client, superuser, named_round
):
    unsure = answer(named_round, UNSURE).judgements.get(question_key="meaning")
    settled = answer(named_round, UNSURE).judgements.get(question_key="meaning")
    services.judgement_override(
        judgement=settled,
        clear=True,
        consistent=True,
        reason="Read by a Spanish speaker.",
        user=superuser,
    )
    changelist = admin_url(models.AnswerJudgement, "changelist")

    needing = admin_client.get(changelist, {"needs_review": "yes"})
    rest = admin_client.get(changelist, {"needs_review": "no"})

    assert [j.pk for j in needing.context["cl"].result_list] == [unsure.pk]
    assert len(rest.context["cl"].result_list) == 5
    assert settled.pk in {j.pk for j in rest.context["cl"].result_list}
    assert (
        "settled by the override"
        in admin_client.get(
            admin_url(models.AnswerJudgement, "change", settled.pk)
        ).content.decode()
    )


# --- The answers' audit trail ---------------------------------------------------------


def test_history_of_anonymous_answers_keeps_no_invitation_key_or_time(
    anonymous_round,
):
    response = anonymous_round.responses.first()
    response.meaning_answer = "Corrected."
    response.save()

    history = models.Response.history.model
    stored = {field.name for field in history._meta.get_fields()}
    assert not {"invitation", "respondent_key", "created_at", "updated_at"} & stored
    assert response.history.latest().history_date.time() == time(0, 0)


def test_a_named_rounds_history_keeps_the_exact_time(team):
    assessment = factories.AssessmentFactory(team=team, anonymous=False)
    response = factories.ResponseFactory(assessment=assessment)

    assert response.history.latest().history_date.time() != time(0, 0)


def test_a_past_version_of_an_answer_is_shown_without_times_to_staff(
    staff_client, admin_client, anonymous_round
):
    response = anonymous_round.responses.first()
    response.meaning_answer = "Corrected."
    response.save()
    version = response.history.latest()
    url = admin_url(models.Response, "simple_history", response.pk, version.history_id)

    for client in (staff_client, admin_client):
        assert client.get(url).status_code == HTTPStatus.OK
    assert "field-created_at" not in staff_client.get(url).content.decode()


def test_deleting_a_round_in_the_admin_keeps_a_trail_of_its_answers(
    admin_client, anonymous_round
):
    response_ids = set(anonymous_round.responses.values_list("pk", flat=True))

    deleted = admin_client.post(
        admin_url(models.Assessment, "delete", anonymous_round.pk), {"post": "yes"}
    )

    assert deleted.status_code == HTTPStatus.FOUND
    assert not models.Response.objects.exists()
    gone = models.Response.history.filter(history_type="-")
    assert set(gone.values_list("id", flat=True)) == response_ids
    assert {row.history_date.time() for row in gone} == {time(0, 0)}
