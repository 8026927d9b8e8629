"""The admin: every model's pages load; rounds are overseen in one list with a
fixed number of queries; actions call the services; anonymity holds for staff;
changes leave an audit trail with the user who made them."""

import csv
import io
from datetime import time
from http import HTTPStatus

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import models, services
from assessments.admin import rounds as rounds_admin
from assessments.catalogue import CATALOGUE_VERSION
from assessments.services import OVERRIDE_NEEDS_A_REASON
from tests import factories
from tests.samples import ENGAGED, LOST
from tests.samples import TEAM_VISION as VISION
from tests.samples import submit as answer

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
# Rows the engine or the survey writes: the admin reads and corrects them.
NOT_ADDED_IN_THE_ADMIN = {models.Response, models.AnswerJudgement, models.StepResult}
APP_MODELS = [m for m in admin.site._registry if m._meta.app_label == "assessments"]


def admin_url(model, view: str, *args) -> str:
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, name: str, rounds, **extra):
    return client.post(
        admin_url(models.Assessment, "changelist"),
        {"action": name, "_selected_action": [r.pk for r in rounds], **extra},
    )


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


# --- Every page loads ---------------------------------------------------------------


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
    page = admin_client.get(admin_url(models.Assessment, "change", assessment.pk))
    assert "Own the fix." in page.content.decode()


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
    assert b'title="Shown from 3 answers, as in the report"' in text


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


# --- A round's page ---------------------------------------------------------------


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


# --- Actions ------------------------------------------------------------------------


def test_rescore_action_judges_every_answer_again_and_stores_readiness(
    admin_client, round_with_vision
):
    for _ in range(3):
        answer(round_with_vision, ENGAGED)
    models.AnswerJudgement.objects.update(clear=False, engine_version="old")
    models.StepResult.objects.all().delete()

    response = run_action(admin_client, "recompute_scores", [round_with_vision])

    assert response.status_code == HTTPStatus.FOUND
    assert messages_of(response) == [
        "Scored 1 round again (3 answers); readiness is up to date."
    ]
    assert not models.AnswerJudgement.objects.filter(engine_version="old").exists()
    assert dict(
        models.StepResult.objects.filter(assessment=round_with_vision).values_list(
            "step__key", "status"
        )
    ) == {
        "vision": "ready",
        "engagement": "ready",
        "alignment": "not_yet",
        "commitment": "blocked",
    }


def test_close_action_closes_open_rounds_and_names_the_drafts_it_skipped(
    admin_client, team
):
    open_round = factories.AssessmentFactory(team=team, title="Open one")
    draft = factories.AssessmentFactory(team=team, title="Draft one", draft=True)
    closed = factories.AssessmentFactory(team=team, title="Closed one", closed=True)

    response = run_action(admin_client, "close_rounds", [open_round, draft, closed])

    assert messages_of(response) == [
        "Closed 1 round.",
        "Not closed, never opened: Draft one.",
    ]
    open_round.refresh_from_db()
    draft.refresh_from_db()
    assert open_round.status == models.Assessment.Status.CLOSED
    assert open_round.closed_at is not None
    assert draft.status == models.Assessment.Status.DRAFT


def test_open_action_opens_drafts_only(admin_client, team):
    draft = factories.AssessmentFactory(team=team, title="Draft one", draft=True)
    open_round = factories.AssessmentFactory(team=team, title="Open one")

    response = run_action(admin_client, "open_rounds", [draft, open_round])

    assert messages_of(response) == [
        "Opened 1 round.",
        "Not opened, already open or closed: Open one.",
    ]
    draft.refresh_from_db()
    assert draft.status == models.Assessment.Status.OPEN


def exported_rows(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_export_action_streams_the_answers_of_several_rounds(admin_client, team):
    first = factories.AssessmentFactory(team=team)
    second = factories.AssessmentFactory(team=team)
    for assessment, count in ((first, 2), (second, 3)):
        factories.VisionFactory(assessment=assessment, statement=VISION)
        for _ in range(count):
            answer(assessment, ENGAGED)

    response = run_action(admin_client, "export_answers", [first, second])

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="servicecult-answers-'
    )
    rows = exported_rows(response)
    assert list(rows[0])[:6] == [
        "assessment",
        "respondent",
        "vision",
        "meaning",
        "contribution",
        "engaged",
    ]
    assert [row["assessment"] for row in rows] == [str(first.pk)] * 2 + [
        str(second.pk)
    ] * 3
    assert {row["vision_clear"] for row in rows} == {"True"}


def test_export_action_writes_formulas_as_text(admin_client, round_with_vision):
    answer(round_with_vision, {**LOST, "vision": '=HYPERLINK("http://evil")'})
    answer(round_with_vision, {**LOST, "meaning": "@SUM(A1:A9)"})

    rows = exported_rows(
        run_action(admin_client, "export_answers", [round_with_vision])
    )

    cells = {cell for row in rows for cell in row.values()}
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "'@SUM(A1:A9)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_import_action_opens_the_import_page_for_one_round(admin_client, team):
    first = factories.AssessmentFactory(team=team)
    second = factories.AssessmentFactory(team=team)

    one = run_action(admin_client, "import_answers", [first])
    two = run_action(admin_client, "import_answers", [first, second])

    assert one["Location"] == admin_url(models.Assessment, "import", first.pk)
    assert messages_of(two) == ["Choose exactly one round to import answers into."]


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
        "Anonymous round: answers are shown once 5 people have answered; 1 have so far."
        in summary.content.decode()
    )
    assert ENGAGED["meaning"] not in summary.content.decode()
    assert messages_of(export) == [
        f"Nothing was exported: answers of {round_with_vision} are shown once the "
        "round's minimum group has answered."
    ]


def test_superusers_see_exact_times_and_every_answer(admin_client, round_with_vision):
    response = answer(round_with_vision, ENGAGED)

    listing = admin_client.get(admin_url(models.Response, "changelist"))
    page = admin_client.get(admin_url(models.Response, "change", response.pk))

    assert [r.pk for r in listing.context["cl"].result_list] == [response.pk]
    assert "created_at" in listing.context["cl"].list_display
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


def test_an_override_in_the_admin_needs_a_reason(admin_client, round_with_vision):
    response = answer(round_with_vision, LOST)
    data = response_form(response)
    data["judgements-0-override_clear"] = "true"

    page = admin_client.post(admin_url(models.Response, "change", response.pk), data)

    assert page.status_code == HTTPStatus.OK
    assert OVERRIDE_NEEDS_A_REASON in page.content.decode().replace("&#x27;", "'")
    assert not models.AnswerJudgement.objects.filter(
        override_clear__isnull=False
    ).exists()


def test_overriding_every_answer_in_the_admin_makes_the_respondent_engaged(
    admin_client, superuser, round_with_vision
):
    response = answer(round_with_vision, LOST)
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
    admin_client, superuser, round_with_vision
):
    judgement = answer(round_with_vision, LOST).judgements.get(question_key="vision")

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


def test_history_cannot_be_reverted(admin_client, superuser, assessment):
    vision = models.Vision.objects.get(assessment=assessment)
    first = vision.history.earliest()
    url = admin_url(models.Vision, "simple_history", vision.pk, first.history_id)

    assert admin_client.get(url).status_code == HTTPStatus.OK
    refused = admin_client.post(url, {"statement": "Reverted.", "has_vision": ""})

    assert refused.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    vision.refresh_from_db()
    assert vision.statement == ""


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


def test_staff_list_judgements_in_pseudonym_order(staff_client, anonymous_round):
    page = staff_client.get(admin_url(models.AnswerJudgement, "changelist"))

    listed = [
        (j.response.respondent_key, j.question_key)
        for j in page.context["cl"].result_list
    ]
    assert listed == sorted(listed)


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
