"""The admin's rounds: one list with counts and readiness at a fixed number of
queries, its filters and search, and a round's page with a bounded view of its
answers."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import models, services
from assessments.admin import rounds as rounds_admin
from assessments.catalogue import CATALOGUE_VERSION
from tests import factories
from tests.admin_pages import admin_url
from tests.samples import ENGAGED
from tests.samples import TEAM_VISION as VISION
from tests.samples import submit as answer

pytestmark = pytest.mark.django_db


def steps() -> dict[str, models.Step]:
    return {
        step.key: step for step in models.Step.objects.filter(version=CATALOGUE_VERSION)
    }


def store_readiness(assessment, **statuses: str) -> None:
    by_key = steps()
    models.StepResult.objects.bulk_create(
        models.StepResult(
            assessment=assessment,
            step=by_key[key],
            status=status,
            score=80,
            computed_at=timezone.now(),
        )
        for key, status in statuses.items()
    )


READY = dict.fromkeys(("vision", "engagement", "alignment", "commitment"), "ready")


@pytest.fixture
def round_with_vision(assessment):
    factories.VisionFactory(assessment=assessment, statement=VISION)
    return assessment


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
        for prefix in ("alignment_ratings", "actions")
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
    factories.ResponseFactory.create_batch(4, assessment=assessment)  # quoted from 5
    page = admin_client.get(admin_url(models.Assessment, "change", assessment.pk))
    assert "Own the fix." in page.content.decode()


def test_an_anonymous_round_below_the_floors_is_refused_beside_the_fields(
    admin_client, team
):
    empty_inlines = {
        f"{prefix}-{field}": value
        for prefix in ("alignment_ratings", "actions")
        for field, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
    }

    page = admin_client.post(
        admin_url(models.Assessment, "add"),
        {
            "team": team.pk,
            "status": "draft",
            "anonymous": "on",
            "min_group_for_scores": 1,
            "min_group_for_verbatims": 1,
            "ready_engaged_share": 0.8,
            "ready_min_respondents": 3,
            "ready_min_participation": 0.6,
            **empty_inlines,
        },
    )

    assert page.status_code == HTTPStatus.OK
    errors = page.context["adminform"].form.errors
    assert errors == {
        "min_group_for_scores": [models.ANONYMOUS_SCORES_FLOOR],
        "min_group_for_verbatims": [models.ANONYMOUS_VERBATIMS_FLOOR],
    }
    assert not models.Assessment.objects.filter(team=team).exists()


# --- The list of rounds ---------------------------------------------------------------


def make_rounds(count: int) -> list[models.Assessment]:
    """Rounds of teams in two divisions, each with answers, invitations and a
    stored readiness, written in bulk where the model allows it."""
    divisions = [factories.TeamFactory(name=f"Division {n}") for n in (1, 2)]
    teams = [factories.TeamFactory(parent=divisions[n % 2]) for n in range(4)]
    rounds = [
        factories.AssessmentFactory(team=teams[n % len(teams)]) for n in range(count)
    ]
    models.Response.objects.bulk_create(
        factories.ResponseFactory.build(assessment=a, engaged=n % 2 == 0)
        for a in rounds
        for n in range(3)
    )
    models.Invitation.objects.bulk_create(
        factories.InvitationFactory.build(assessment=a)
        for a in rounds
        for _ in range(4)
    )
    for n, assessment in enumerate(rounds):
        store_readiness(assessment, **(READY if n % 2 else {"vision": "not_yet"}))
    return rounds


class TestQueryCounts:
    """The list of rounds costs the same queries at any length: guards against N+1.

    Session, user, the team and parent-team filter choices, two counts, the rows
    (counts and readiness as subqueries, teams joined) and two for the date
    hierarchy.
    """

    @pytest.mark.parametrize("rounds", [10, 200])
    def test_changelist_runs_a_fixed_number_of_queries(
        self, admin_client, django_assert_num_queries, rounds
    ):
        make_rounds(rounds)

        with django_assert_num_queries(9):
            page = admin_client.get(admin_url(models.Assessment, "changelist"))

        assert page.status_code == HTTPStatus.OK
        assert page.content.decode().count('class="readiness readiness-ready"') == (
            min(rounds, 100) // 2 * 4
        )

    @pytest.mark.parametrize("rounds", [10, 200])
    def test_filtered_changelist_runs_a_fixed_number_of_queries(
        self, admin_client, django_assert_num_queries, rounds
    ):
        make_rounds(rounds)
        url = admin_url(models.Assessment, "changelist") + "?readiness=ready&q=team"

        with django_assert_num_queries(9):
            assert admin_client.get(url).status_code == HTTPStatus.OK


def test_changelist_shows_team_parent_counts_share_and_readiness(admin_client):
    division = factories.TeamFactory(name="Northern division")
    assessment = factories.AssessmentFactory(
        team=factories.TeamFactory(name="Billing desk", parent=division),
        title="Spring round",
        min_group_for_scores=3,
    )
    factories.ResponseFactory.create_batch(3, assessment=assessment, engaged=True)
    factories.ResponseFactory(assessment=assessment, engaged=False)
    factories.InvitationFactory.create_batch(5, assessment=assessment)
    factories.InvitationFactory(assessment=assessment, status="revoked")
    store_readiness(assessment, vision="ready", engagement="not_yet")

    page = admin_client.get(admin_url(models.Assessment, "changelist"))

    text = page.content.decode()
    assert "Billing desk" in text
    assert "Northern division" in text
    assert f'?assessment__id__exact={assessment.pk}">4</a> / 5' in text
    assert '<td class="field-engaged_share">75%</td>' in text
    assert 'title="1. Vision: Ready">Ready</span>' in text
    assert 'title="2. Engagement: Not yet">Not yet</span>' in text
    assert 'title="3. Alignment: no report yet"' in text


def test_engaged_share_waits_for_the_minimum_group_as_in_the_report(admin_client):
    assessment = factories.AssessmentFactory(min_group_for_scores=3)
    factories.ResponseFactory.create_batch(2, assessment=assessment, engaged=True)

    text = admin_client.get(admin_url(models.Assessment, "changelist")).content
    assert b'title="Scores appear once 3 people have answered (2 so far)."' in text


@pytest.mark.parametrize(
    ("readiness", "expected"),
    [
        ("ready", {"Ready round"}),
        ("stuck-1", {"Stuck at vision"}),
        ("stuck-2", {"Stuck at engagement"}),
        ("stuck-3", set()),
        ("unscored", {"New round"}),
    ],
)
def test_readiness_filter_finds_rounds_ready_throughout_or_stuck_at_a_step(
    admin_client, readiness, expected
):
    store_readiness(factories.AssessmentFactory(title="Ready round"), **READY)
    store_readiness(
        factories.AssessmentFactory(title="Stuck at vision"),
        vision="not_yet",
        engagement="blocked",
        alignment="blocked",
        commitment="blocked",
    )
    store_readiness(
        factories.AssessmentFactory(title="Stuck at engagement"),
        vision="ready",
        engagement="not_yet",
        alignment="blocked",
        commitment="blocked",
    )
    factories.AssessmentFactory(title="New round")

    page = admin_client.get(
        admin_url(models.Assessment, "changelist") + f"?readiness={readiness}"
    )

    assert {str(a) for a in page.context["cl"].result_list} == expected


def test_rounds_are_filtered_by_team_parent_team_and_status(admin_client):
    north, south = factories.TeamFactory(name="North"), factories.TeamFactory()
    billing = factories.TeamFactory(name="Billing", parent=north)
    factories.AssessmentFactory(title="Billing open", team=billing)
    factories.AssessmentFactory(title="Billing draft", team=billing, draft=True)
    factories.AssessmentFactory(title="South", team=factories.TeamFactory(parent=south))
    changelist = admin_url(models.Assessment, "changelist")

    def titles(query: str) -> set[str]:
        page = admin_client.get(f"{changelist}?{query}")
        return {str(a) for a in page.context["cl"].result_list}

    assert titles(f"team__parent__id__exact={north.pk}") == {
        "Billing open",
        "Billing draft",
    }
    assert titles(f"team__id__exact={billing.pk}&status__exact=draft") == {
        "Billing draft"
    }


def test_rounds_are_found_by_team_and_by_manager(admin_client):
    manager = factories.UserFactory(email="priya@example.com")
    factories.AssessmentFactory(
        title="Priya's round", team=factories.TeamFactory(managers=[manager])
    )
    factories.AssessmentFactory(
        title="Desk round", team=factories.TeamFactory(name="Returns desk")
    )
    changelist = admin_url(models.Assessment, "changelist")

    by_manager = admin_client.get(f"{changelist}?q=priya@example")
    by_team = admin_client.get(f"{changelist}?q=returns")

    assert [str(a) for a in by_manager.context["cl"].result_list] == ["Priya's round"]
    assert [str(a) for a in by_team.context["cl"].result_list] == ["Desk round"]


# --- A round's page -------------------------------------------------------------------


def test_change_page_shows_the_latest_answers_with_judgements_and_a_link_to_all(
    admin_client, round_with_vision
):
    round_with_vision.anonymous = False
    round_with_vision.save()
    for n in range(rounds_admin.ANSWERS_SHOWN + 2):
        answer(round_with_vision, {**ENGAGED, "meaning": f"Answer number {n}."})
    judgement = models.AnswerJudgement.objects.filter(
        response__meaning_answer="Answer number 21.", question_key="meaning"
    ).get()
    services.judgement_override(
        judgement=judgement,
        clear=False,
        consistent=None,
        reason="Too vague when read aloud.",
        user=None,
    )

    page = admin_client.get(
        admin_url(models.Assessment, "change", round_with_vision.pk)
    )

    text = page.content.decode()
    assert page.status_code == HTTPStatus.OK
    assert "The latest 20 of 22 answers." in text
    assert "Answer number 21." in text
    assert "Answer number 1." not in text
    assert "Too vague when read aloud." in text
    assert (
        f"/admin/assessments/response/?assessment__id__exact={round_with_vision.pk}"
        in text
    )
    assert "Team member" in text  # a named round shows names


@pytest.mark.parametrize("answers", [5, 60])
def test_change_page_runs_a_fixed_number_of_queries_however_many_answered(
    admin_client, django_assert_num_queries, assessment, answers
):
    """A round's page costs the same queries at any number of answers: guards
    against N+1.

    Session, user, the round for the answers summary, the latest answers and
    their judgements, the round for the form, the rows of the four step inlines,
    the team, the rating's question and the question choices for it and for the
    inline's empty form, and the round named in the commitment's heading.
    """
    factories.AlignmentRatingFactory(
        assessment=assessment,
        question=models.Question.objects.of_step("alignment").first(),
    )
    factories.ActionItemFactory.create_batch(3, assessment=assessment)
    responses = models.Response.objects.bulk_create(
        factories.ResponseFactory.build(assessment=assessment) for _ in range(answers)
    )
    models.AnswerJudgement.objects.bulk_create(
        factories.AnswerJudgementFactory.build(response=response, question_key=key)
        for response in responses
        for key in ("vision", "meaning", "contribution")
    )
    url = admin_url(models.Assessment, "change", assessment.pk)
    admin_client.get(url)  # content types cached, as in a running server

    with django_assert_num_queries(16):  # with the prediction inline
        page = admin_client.get(url)

    assert page.status_code == HTTPStatus.OK
    assert len(page.context["answers"]["rows"]) == min(
        answers, rounds_admin.ANSWERS_SHOWN
    )


def test_change_page_links_to_the_report_and_the_import(admin_client, assessment):
    text = admin_client.get(
        admin_url(models.Assessment, "change", assessment.pk)
    ).content.decode()

    assert reverse("assessments:report", args=(assessment.pk,)) in text
    assert admin_url(models.Assessment, "import", assessment.pk) in text


def test_an_open_rounds_status_dates_and_privacy_are_read_only(
    admin_client, assessment
):
    page = admin_client.get(admin_url(models.Assessment, "change", assessment.pk))

    form = page.context["adminform"].form
    assert "title" in form.fields
    for name in ("status", "opened_at", "anonymous", "min_group_for_scores"):
        assert name not in form.fields


def test_a_drafts_privacy_can_still_change(admin_client, draft_round):
    page = admin_client.get(admin_url(models.Assessment, "change", draft_round.pk))

    assert "anonymous" in page.context["adminform"].form.fields


def test_the_prediction_shows_read_only_on_its_round(admin_client, assessment):
    factories.RoundPredictionFactory(
        assessment=assessment, engaged_share=73, rating_hiring=2
    )

    page = admin_client.get(admin_url(models.Assessment, "change", assessment.pk))

    text = page.content.decode()
    assert page.status_code == HTTPStatus.OK
    assert "Manager&#x27;s prediction" in text
    assert '<div class="readonly">73</div>' in text
    assert 'name="prediction-0-engaged_share"' not in text  # not editable
