"""Rounds over time and teams across, in a real headless Chromium: a division
of three teams with two rounds each. A team leader starts the second round from
the first, predicts before anyone answers, opens it; the team answers through
their emailed links; the leader closes it and reads the blind spot in the report
and the trend; the division leader reads the roll-up. axe-core checks each page.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments import services
from assessments.models import Assessment, RoundPrediction, Team
from tests.browser import assert_accessible, logged_in
from tests.factories import TeamFactory, UserFactory
from tests.samples import ENGAGED, LOST, people, round_opened

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("catalogue_rows"),
]

LINK = re.compile(r"http://[^\s]+/r/[\w-]+/")
FIRST_RATINGS = [{"goals": 4, "empowerment": 4}] * 5


def completed_round(team, letters: str, *, answered: int) -> Assessment:
    """A round of ``team`` for one person per letter, answered with engaged
    answers by the first ``answered`` of them, the team rating goals and
    empowerment 4, then closed (which releases every answer) and its readiness
    stored, as the worker would."""
    invitees = [
        {"name": "", "email": f"{one['email'].split('@')[0]}.{team.pk}@example.com"}
        for one in people(letters)
    ]
    assessment = round_opened(
        team,
        invitees,
        answered=answered,
        ratings=FIRST_RATINGS,
        team_rates_alignment=True,
    )
    services.assessment_close(assessment=assessment)
    services.readiness_refresh(assessment_id=assessment.pk)
    return assessment


@pytest.fixture
def division():
    """A division's leader, and three teams beneath with a leader each: Billing
    desk has one completed round, the other two have two."""
    leader = UserFactory(email="dana@example.com")
    division = TeamFactory(
        name="Customer operations", level=Team.Level.DIVISION, managers=[leader]
    )
    billing_lead = UserFactory(email="lee@example.com")
    billing = TeamFactory(name="Billing desk", parent=division, managers=[billing_lead])
    completed_round(billing, "abcde", answered=5)
    for name, manager in (("Phone desk", "pat"), ("Chat desk", "cam")):
        team = TeamFactory(
            name=name,
            parent=division,
            managers=[UserFactory(email=f"{manager}@example.com")],
        )
        completed_round(team, "abcdef", answered=6)
        completed_round(team, "abcdef", answered=5)
    return leader, billing_lead, billing


def member_answers(page, link: str, answers, empowerment: str) -> None:
    page.goto(link)
    page.get_by_label("What is the customer service vision?").fill(answers["vision"])
    page.get_by_label("What does it mean?").fill(answers["meaning"])
    page.get_by_label("How do you personally contribute?").fill(answers["contribution"])
    page.locator(f"input[name=rating_empowerment][value='{empowerment}']").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("status")).to_contain_text("your answers are saved")


def test_a_team_re_assesses_predicts_and_the_division_reads_across(
    new_page, live_server, division, mailoutbox
):
    division_leader, team_leader, billing = division
    lead = logged_in(new_page, live_server, team_leader)

    # The second round starts from the first: its people, vision and settings.
    lead.goto(reverse("assessments:team_detail", args=(billing.pk,)))
    assert_accessible(lead)
    lead.get_by_role("link", name="Start a round").click()
    expect(
        lead.get_by_role("checkbox", name=re.compile("^Start from Billing desk"))
    ).to_be_checked()
    assert_accessible(lead)
    lead.get_by_role("button", name="Start the round").click()
    second = Assessment.objects.filter(team=billing).latest("pk")
    assert second.status == Assessment.Status.DRAFT
    assert second.invitations.count() == 5
    assert second.team_rates_alignment

    # The leader predicts before anyone answers: a refusal first, then saved.
    lead.goto(reverse("assessments:engagement", args=(second.pk,)))
    lead.get_by_role("link", name="Make your prediction").click()
    assert_accessible(lead)
    lead.get_by_label("What share of the people who answer will be engaged?").fill(
        "150"
    )
    lead.get_by_role("button", name="Save my prediction").click()
    expect(lead.locator("#error_1_id_engaged_share")).to_be_visible()
    assert_accessible(lead)
    lead.get_by_label("What share of the people who answer will be engaged?").fill(
        "100"
    )
    lead.locator("input[name=rating_empowerment][value='5']").check()
    lead.get_by_role("button", name="Save my prediction").click()
    expect(lead.get_by_text("Your prediction is saved.")).to_be_visible()
    assert RoundPrediction.objects.get(assessment=second).engaged_share == 100

    lead.goto(reverse("assessments:engagement", args=(second.pk,)))
    lead.get_by_role("link", name="Open the round…").click()
    assert_accessible(lead)
    lead.get_by_role("button", name="Open the round").click()
    expect(lead.get_by_text("Open since")).to_be_visible()
    lead.get_by_role("button", name="Send invitations").click()
    expect(lead.get_by_text("5 of 5 emails sent.")).to_be_visible()
    assert_accessible(lead)
    links = [
        LINK.search(email.body)[0]
        for email in mailoutbox
        if email.to[0].endswith(f".{billing.pk}@example.com")
    ]
    assert len(links) == 5, [(e.to, e.subject) for e in mailoutbox]

    # The team answers: three engaged, two lost; they rate empowerment 2.
    for n, link in enumerate(links):
        member_answers(new_page(), link, ENGAGED if n < 3 else LOST, "2")

    lead.goto(reverse("assessments:engagement", args=(second.pk,)))
    lead.get_by_role("link", name="Close the round…").click()
    lead.get_by_role("button", name="Close the round").click()
    expect(lead.get_by_text("Closed on")).to_be_visible()
    services.readiness_refresh(assessment_id=second.pk)

    # The blind spot in the report: 60% engaged against the 100% predicted.
    lead.goto(reverse("assessments:report", args=(second.pk,)))
    prediction = lead.locator("#prediction")
    expect(prediction).to_contain_text("than the 100% you predicted")
    expect(prediction).to_contain_text(
        "The team rated Empowerment 3.0 points lower than you predicted."
    )
    assert_accessible(lead)

    # The trend: two rounds side by side, and the prediction's gap.
    lead.goto(reverse("assessments:team_detail", args=(billing.pk,)))
    lead.get_by_role("link", name="Trends").click()
    expect(lead.get_by_role("heading", name="Trends: Billing desk")).to_be_visible()
    expect(lead.locator("#table-steps tbody tr")).to_have_count(2)
    expect(lead.locator("#table-predictions")).to_contain_text("40 points")
    assert_accessible(lead)

    # The division leader reads every team beneath, but no team's own report.
    dana = logged_in(new_page, live_server, division_leader)
    dana.goto(reverse("assessments:dashboard"))
    dana.get_by_role("link", name="Teams beneath Customer operations").click()
    expect(
        dana.get_by_role("heading", name="Teams in Customer operations")
    ).to_be_visible()
    for name in ("Billing desk", "Phone desk", "Chat desk"):
        expect(dana.get_by_role("rowheader", name=name)).to_be_visible()
        expect(dana.get_by_role("link", name=name)).to_have_count(0)
    assert_accessible(dana)
    report = dana.goto(reverse("assessments:report", args=(second.pk,)))
    assert report.status == 404
