"""The manager predicts before the team answers, then reads the blind spot in the
report: in a real headless Chromium, axe-core clean on each page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import RoundPrediction
from tests.browser import assert_accessible, logged_in
from tests.factories import (
    AssessmentFactory,
    ResponseFactory,
    TeamFactory,
    UserFactory,
    VisionFactory,
)
from tests.samples import TEAM_VISION

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("catalogue_rows"),
]


def test_the_manager_predicts_then_reads_the_blind_spot(new_page, live_server):
    manager = UserFactory(email="lead@example.com")
    team = TeamFactory(name="Billing desk", managers=[manager])
    assessment = AssessmentFactory(
        team=team, title="Spring check-in", team_rates_alignment=True
    )
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    page = logged_in(new_page, live_server, manager)

    page.goto(reverse("assessments:engagement", args=(assessment.pk,)))
    page.get_by_role("link", name="Make your prediction").click()
    expect(page.get_by_role("heading", name="Your prediction")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Save my prediction").click()  # nothing given
    expect(page.locator("#error_1_id_engaged_share")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("What share of the people who answer will be engaged?").fill("90")
    page.locator("input[name=rating_empowerment][value='4']").check()
    page.get_by_role("button", name="Save my prediction").click()
    expect(page.get_by_text("Your prediction is saved.")).to_be_visible()
    assert RoundPrediction.objects.get(assessment=assessment).engaged_share == 90

    for n in range(5):  # released, three of five engaged, empowerment rated 2
        ResponseFactory(assessment=assessment, engaged=n < 3, rating_empowerment=2)
    page.goto(reverse("assessments:report", args=(assessment.pk,)))
    section = page.locator("#prediction")
    expect(section).to_contain_text("30 points fewer than the 90% you predicted")
    expect(section).to_contain_text(
        "The team rated Empowerment 2.0 points lower than you predicted."
    )
    expect(page.locator("#predict-link")).to_have_count(0)
    assert_accessible(page)
