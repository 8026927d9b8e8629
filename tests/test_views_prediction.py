"""The manager's prediction: the page where it is made, blind, and the report's
"Your prediction" section that puts it beside the result."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from assessments import reports, services
from assessments.models import (
    PREDICTION_NEEDS_ONE,
    STALE_REVISION,
    RoundPrediction,
)
from assessments.views.manager import PREDICTION_SAVED
from tests.factories import (
    AssessmentFactory,
    ResponseFactory,
    RoundPredictionFactory,
    TeamFactory,
    UserFactory,
    VisionFactory,
)
from tests.samples import TEAM_VISION as VISION

pytestmark = pytest.mark.django_db

WHY = "Predict first, then compare: the gap is your blind spot."


def prediction_url(assessment) -> str:
    return reverse("assessments:prediction", args=(assessment.pk,))


def report_url(assessment) -> str:
    return reverse("assessments:report", args=(assessment.pk,))


def post(client, assessment, **data):
    return client.post(prediction_url(assessment), {"revision": "0", **data})


def answers(assessment, *, engaged: int, not_engaged: int = 0, **ratings):
    """Released answers, the first ``engaged`` of them engaged; every one rates
    alignment as ``ratings`` says."""
    for n in range(engaged + not_engaged):
        ResponseFactory(assessment=assessment, engaged=n < engaged, **ratings)


# --- The page ------------------------------------------------------------------------


def test_the_page_says_why_to_predict_in_a_fixed_number_of_queries(
    manager_client, assessment, django_assert_num_queries
):
    manager_client.get(prediction_url(assessment))  # warm caches

    with django_assert_num_queries(6):
        page = manager_client.get(prediction_url(assessment))

    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert WHY in text
    assert 'name="engaged_share"' in text
    assert 'name="rating_goals"' not in text  # the team rates nothing here
    assert 'id="prediction-no-ratings"' in text


def test_a_round_whose_team_rates_alignment_asks_for_their_ratings(
    manager_client, team
):
    rated = AssessmentFactory(team=team, team_rates_alignment=True)

    text = manager_client.get(prediction_url(rated)).content.decode()

    for key in ("goals", "hiring", "training", "empowerment", "reinforcement"):
        assert f'name="rating_{key}"' in text


def test_a_prediction_is_saved_and_shown_again(manager_client, team, manager):
    rated = AssessmentFactory(team=team, team_rates_alignment=True)

    response = post(manager_client, rated, engaged_share="65", rating_empowerment="4")

    assert response.status_code == HTTPStatus.FOUND
    stored = RoundPrediction.objects.get(assessment=rated)
    assert (stored.engaged_share, stored.rating_empowerment) == (65, 4)
    assert stored.updated_by == manager
    page = manager_client.get(response.url)
    text = page.content.decode()
    assert escape(PREDICTION_SAVED) in text
    assert 'value="65"' in text
    assert 'id="prediction-made"' in text


@pytest.mark.parametrize(
    ("share", "error"),
    [
        ("", PREDICTION_NEEDS_ONE),
        ("abc", "Enter a whole number."),
        ("150", "Ensure this value is less than or equal to 100."),
        ("-5", "Ensure this value is greater than or equal to 0."),
        ("5\x000", "Enter a whole number."),
        ("<b>50</b>", "Enter a whole number."),
        ("😀", "Enter a whole number."),
        ("9" * 5000, None),
    ],
)
def test_bad_input_is_refused_beside_the_field(
    manager_client, assessment, share, error
):
    page = post(manager_client, assessment, engaged_share=share)

    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert 'id="error_1_id_engaged_share"' in text
    assert error is None or escape(error) in text
    assert not RoundPrediction.objects.exists()


def test_a_rating_outside_1_to_5_is_refused_beside_it(manager_client, team):
    rated = AssessmentFactory(team=team, team_rates_alignment=True)

    page = post(manager_client, rated, engaged_share="50", rating_goals="9")

    text = page.content.decode()
    assert 'id="error_1_id_rating_goals"' in text
    assert not RoundPrediction.objects.exists()


def test_a_second_form_opened_before_the_first_save_is_refused_and_kept(
    manager_client, assessment
):
    post(manager_client, assessment, engaged_share="65")

    page = post(manager_client, assessment, engaged_share="20")  # still revision 0

    text = page.content.decode()
    assert escape(STALE_REVISION) in text
    assert 'value="20"' in text  # what was typed, kept
    assert RoundPrediction.objects.get(assessment=assessment).engaged_share == 65


def test_once_answers_show_the_prediction_is_refused_beside_the_form(
    manager_client, assessment
):
    RoundPredictionFactory(assessment=assessment, engaged_share=70)
    ResponseFactory(assessment=assessment)  # released

    page = manager_client.get(prediction_url(assessment))
    assert 'id="prediction-closed"' in page.content.decode()
    assert 'name="engaged_share"' not in page.content.decode()

    refused = post(manager_client, assessment, engaged_share="10", revision="1")

    assert escape(services.PREDICTION_TOO_LATE) in refused.content.decode()
    assert RoundPrediction.objects.get(assessment=assessment).engaged_share == 70


def test_another_managers_round_is_not_found(client, assessment):
    client.force_login(UserFactory())

    assert client.get(prediction_url(assessment)).status_code == HTTPStatus.NOT_FOUND
    response = client.post(prediction_url(assessment), {"engaged_share": "5"})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not RoundPrediction.objects.exists()


def test_step_2_and_the_header_link_to_the_prediction_until_answers_show(
    manager_client, assessment
):
    engagement = reverse("assessments:engagement", args=(assessment.pk,))
    before = manager_client.get(engagement).content.decode()
    ResponseFactory(assessment=assessment, release=None)  # waiting: not shown
    waiting = manager_client.get(engagement).content.decode()
    ResponseFactory(assessment=assessment)  # released
    after = manager_client.get(engagement).content.decode()

    for text in (before, waiting):
        assert 'id="predict-first"' in text
        assert 'id="predict-link"' in text
        assert prediction_url(assessment) in text
    assert 'id="predict-first"' not in after
    assert 'id="predict-link"' not in after


def test_a_closed_round_offers_no_prediction(manager_client, team):
    closed = AssessmentFactory(team=team, closed=True)

    text = manager_client.get(report_url(closed)).content.decode()

    assert 'id="predict-link"' not in text
    assert 'id="prediction-invite"' not in text


# --- The report ----------------------------------------------------------------------


@pytest.fixture
def predicted(team):
    """An anonymous round whose team rates alignment, with a prediction."""
    assessment = AssessmentFactory(team=team, team_rates_alignment=True)
    VisionFactory(assessment=assessment, statement=VISION)
    RoundPredictionFactory(
        assessment=assessment, engaged_share=80, rating_empowerment=4, rating_goals=3
    )
    return assessment


def section(page) -> str:
    text = page.content.decode()
    start = text.index('id="prediction"')
    return text[start : text.index("</section>", start)]


def test_the_report_puts_the_prediction_beside_the_result_with_its_gap(
    manager_client, predicted
):
    answers(predicted, engaged=3, not_engaged=2, rating_empowerment=2, rating_goals=3)

    shown = section(manager_client.get(report_url(predicted)))

    assert "Your prediction" in shown
    assert "80%" in shown
    assert "60%" in shown
    assert "-20 points" in shown
    assert (
        escape(
            "60% of the team are engaged: 20 points fewer than the 80% you predicted."
        )
        in shown
    )
    assert "The team rated Empowerment 2.0 points lower than you predicted." in shown
    assert "The team rated Goals as you predicted." in shown
    assert shown.count("blind spot</span>") == 2


def test_below_the_minimum_group_there_is_no_result_and_so_no_gap(
    manager_client, predicted
):
    answers(predicted, engaged=2, rating_empowerment=1)

    shown = section(manager_client.get(report_url(predicted)))

    assert "80%" in shown
    assert "not shown" in shown
    assert "points fewer" not in shown
    assert "points more" not in shown
    assert "The team rated" not in shown
    assert 'id="prediction-hidden"' in shown


def test_a_withheld_round_shows_no_gap(manager_client, predicted):
    answers(predicted, engaged=5, rating_empowerment=1)
    predicted.withheld_reason = "Hidden: another round invited almost the same people."
    predicted.save(update_fields=("withheld_reason",))

    shown = section(manager_client.get(report_url(predicted)))

    assert "not shown" in shown
    assert "fewer than" not in shown
    assert "The team rated" not in shown


def test_a_question_too_few_rated_shows_no_team_rating(manager_client, predicted):
    answers(predicted, engaged=5)
    ResponseFactory.create_batch(
        2, assessment=predicted, engaged=True, rating_empowerment=1
    )

    shown = section(manager_client.get(report_url(predicted)))

    assert "20 points more than the 80% you predicted" in shown
    assert "Empowerment" in shown
    assert "The team rated Empowerment" not in shown


def test_without_team_ratings_only_the_engaged_share_is_compared(manager_client, team):
    assessment = AssessmentFactory(team=team)
    RoundPredictionFactory(assessment=assessment, engaged_share=50, rating_goals=5)
    answers(assessment, engaged=5, rating_goals=1)

    shown = section(manager_client.get(report_url(assessment)))

    assert "+50 points" in shown
    assert "Goals" not in shown


def test_without_a_prediction_the_report_invites_one_while_it_can(
    manager_client, assessment
):
    text = manager_client.get(report_url(assessment)).content.decode()

    assert 'id="prediction"' not in text
    assert 'id="prediction-invite"' in text


def queries_of(client, url) -> int:
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def test_the_report_costs_the_same_queries_with_a_prediction(
    manager_client, predicted, team
):
    """The prediction and who made it are joined to the round (for_report)."""
    answers(predicted, engaged=5, rating_empowerment=2)
    unpredicted = AssessmentFactory(team=team, team_rates_alignment=True)
    VisionFactory(assessment=unpredicted, statement=VISION)
    answers(unpredicted, engaged=5, rating_empowerment=2)

    with_one = queries_of(manager_client, report_url(predicted))

    assert with_one == queries_of(manager_client, report_url(unpredicted))
    assert with_one == 9  # as pinned in test_views_report


def test_the_pdf_has_the_prediction_too(manager_client, predicted, monkeypatch):
    answers(predicted, engaged=5, rating_empowerment=2)
    rendered = {}

    def keep(html, *, paper):
        rendered["html"] = html
        return b"%PDF-"

    monkeypatch.setattr("assessments.pdf.render_pdf", keep)

    response = manager_client.get(
        reverse("assessments:report_pdf", args=(predicted.pk,)), {"paper": "a4"}
    )

    assert response.status_code == HTTPStatus.OK
    assert "Your prediction" in rendered["html"]
    assert "+20 points" in rendered["html"]


# --- Predictions over rounds ---------------------------------------------------------


def closed_round(team, *, share, engaged, rating=None, mean=None):
    assessment = AssessmentFactory(team=team, closed=True, team_rates_alignment=True)
    RoundPredictionFactory(
        assessment=assessment, engaged_share=share, rating_training=rating
    )
    ratings = {} if mean is None else {"rating_training": mean}
    answers(assessment, engaged=engaged, not_engaged=5 - engaged, **ratings)
    return assessment


def test_each_closed_rounds_prediction_error_in_round_order(team):
    first = closed_round(team, share=100, engaged=2, rating=5, mean=2)  # 40%, 2.0
    hidden = AssessmentFactory(team=team, closed=True)
    RoundPredictionFactory(assessment=hidden, engaged_share=10)
    ResponseFactory.create_batch(2, assessment=hidden, engaged=True)  # too few
    unpredicted = AssessmentFactory(team=team, closed=True)
    answers(unpredicted, engaged=5)
    last = closed_round(team, share=70, engaged=3, rating=4, mean=3)  # 60%, 3.0
    AssessmentFactory(team=team)  # open: not completed
    AssessmentFactory(closed=True)  # another team's

    errors = reports.prediction_errors(team)

    assert [e.assessment for e in errors] == [first, hidden, unpredicted, last]
    assert [(e.error.engaged_share, e.error.ratings) for e in errors] == [
        (60, 3.0),
        (None, None),
        (None, None),
        (10, 1.0),
    ]


@pytest.mark.parametrize("rounds", [2, 12])
def test_prediction_errors_cost_two_queries_at_any_number_of_rounds(
    team, django_assert_num_queries, rounds
):
    for n in range(rounds):
        closed_round(team, share=50 + n, engaged=3, rating=3, mean=2)

    with django_assert_num_queries(2):
        errors = reports.prediction_errors(team)

    assert len(errors) == rounds


def test_a_team_with_no_rounds_has_no_errors(db, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert reports.prediction_errors(TeamFactory()) == []
