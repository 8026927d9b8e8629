from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assessments import catalogue
from assessments.models import (
    AnswerJudgement,
    Invitation,
    Question,
    Response,
    RoundScoring,
    Step,
)
from tests.factories import (
    AnswerJudgementFactory,
    InvitationFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


def test_models_and_migrations_agree():
    """The test database was migrated from zero; no model change lacks a migration."""
    output = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=output)
    assert "No changes detected" in output.getvalue()


def test_catalogue_is_loaded_with_four_steps_in_order():
    steps = Step.objects.filter(version=catalogue.CATALOGUE_VERSION)

    assert [(s.number, s.key) for s in steps] == [
        (1, "vision"),
        (2, "engagement"),
        (3, "alignment"),
        (4, "commitment"),
    ]
    assert steps[0].moment_of_truth == (
        "Does your organization or team have a customer service vision?"
    )


@pytest.mark.parametrize(
    ("step", "keys"),
    [
        ("engagement", ["vision", "meaning", "contribution"]),
        ("alignment", ["goals", "hiring", "training", "empowerment", "reinforcement"]),
        (
            "commitment",
            [
                "time",
                "money",
                "attention",
                "owner",
                "sponsor",
                "actions",
                "reassessment",
            ],
        ),
    ],
)
def test_catalogue_questions_are_loaded_in_order(step, keys):
    questions = Question.objects.for_version(catalogue.CATALOGUE_VERSION).of_step(step)

    assert [q.key for q in questions] == keys


def test_engagement_questions_keep_the_framework_wording():
    texts = list(Question.objects.of_step("engagement").values_list("text", flat=True))

    assert texts == [
        "What is the customer service vision?",
        "What does it mean?",
        "How do you personally contribute?",
    ]


def test_loading_the_catalogue_again_changes_nothing():
    migration = import_module("assessments.migrations.0002_load_catalogue")
    before = list(Question.objects.values_list("pk", "text"))

    migration.load_catalogue(apps, schema_editor=None)

    assert list(Question.objects.values_list("pk", "text")) == before


def test_existing_responses_get_their_answer_outcomes_from_their_judgements():
    migration = import_module("assessments.migrations.0005_response_answer_outcomes")
    response = ResponseFactory()
    AnswerJudgementFactory(response=response, question_key="vision", clear=False)
    AnswerJudgementFactory(
        response=response,
        question_key="meaning",
        consistent=True,
        override_consistent=False,
        override_reason="Contradicts the vision.",
    )

    migration.fill_outcomes(apps, schema_editor=None)

    response.refresh_from_db()
    assert (response.vision_clear, response.vision_consistent) == (False, True)
    assert (response.meaning_clear, response.meaning_consistent) == (True, False)
    assert response.contribution_clear is None


def test_judged_rounds_start_with_the_engine_version_of_their_judgements():
    migration = import_module(
        "assessments.migrations.0010_round_scoring_in_the_background_and_queued_imports"
    )
    judged = ResponseFactory()
    AnswerJudgementFactory(response=judged, question_key="vision", engine_version="1")
    unjudged = ResponseFactory()

    migration.record_engine_versions(apps, schema_editor=None)

    assert dict(
        RoundScoring.objects.values_list("assessment_id", "engine_version")
    ) == {judged.assessment_id: "1"}
    assert not RoundScoring.objects.filter(assessment=unjudged.assessment).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_anonymous_rounds_below_the_floors_are_raised_to_them():
    executor = MigrationExecutor(connection)
    [floors] = [
        key
        for key in executor.loader.disk_migrations
        if key[1].endswith("_privacy_decisions_and_anonymous_group_floors")
    ]
    before = executor.loader.get_migration(*floors).dependencies
    before = [key for key in before if key[0] == "assessments"]
    latest = executor.loader.graph.leaf_nodes("assessments")
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    team = old.get_model("assessments", "Team").objects.create(name="Billing")
    Round = old.get_model("assessments", "Assessment")
    low = Round.objects.create(
        team=team, anonymous=True, min_group_for_scores=1, min_group_for_verbatims=2
    )
    high = Round.objects.create(
        team=team, anonymous=True, min_group_for_scores=6, min_group_for_verbatims=8
    )
    named = Round.objects.create(
        team=team, anonymous=False, min_group_for_scores=1, min_group_for_verbatims=1
    )

    MigrationExecutor(connection).migrate(latest)

    groups = {
        pk: (scores, quotes)
        for pk, scores, quotes in apps.get_model("assessments", "Assessment")
        .objects.filter(pk__in=(low.pk, high.pk, named.pk))
        .values_list("pk", "min_group_for_scores", "min_group_for_verbatims")
    }
    assert groups == {low.pk: (3, 5), high.pk: (6, 8), named.pk: (1, 1)}


def test_answers_given_before_releases_stay_shown_and_get_random_ids():
    migration = import_module("assessments.migrations.0015_untraceable_answers")
    anonymous = ResponseFactory(release=None, counts_for_minimum=False)
    named = ResponseFactory(
        release=None, counts_for_minimum=False, assessment__anonymous=False
    )
    judgement = AnswerJudgementFactory(response=anonymous)
    answered = InvitationFactory(
        assessment=anonymous.assessment, status=Invitation.Status.RESPONDED
    )
    pending = InvitationFactory(assessment=anonymous.assessment)

    migration.release_existing_answers(apps, schema_editor=None)

    assert set(Response.objects.values_list("release", "counts_for_minimum")) == {
        (1, True),
        (0, True),
    }
    assert Response.objects.get(assessment=named.assessment).release == 0
    assert not Response.objects.filter(pk__in=(anonymous.pk, named.pk)).exists()
    moved = AnswerJudgement.objects.get()
    assert moved.pk != judgement.pk
    assert moved.response.assessment == anonymous.assessment
    assert Invitation.objects.get(pk=answered.pk).link_used is True
    assert Invitation.objects.get(pk=pending.pk).link_used is False
