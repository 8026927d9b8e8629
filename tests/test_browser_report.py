"""The report in a real headless Chromium: its one-page summary first, at desktop
and phone widths, and the PDF it offers, downloaded through the form."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from assessments.catalogue import ALIGNMENT_KEYS
from assessments.models import Question
from tests.browser import ARTIFACTS, PHONE
from tests.factories import AlignmentRatingFactory, AssessmentFactory, VisionFactory
from tests.samples import ENGAGED, LOST
from tests.samples import TEAM_VISION as VISION
from tests.samples import submit as answer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("catalogue_rows"),
]


@pytest.fixture
def report_page(new_page, live_server, manager, team):
    """The manager's browser on the report of a round six people answered."""
    assessment = AssessmentFactory(team=team, title="Spring check-in")
    VisionFactory(assessment=assessment, statement=VISION)
    for key, rating in zip(ALIGNMENT_KEYS, (5, 4, 4, 3, 4), strict=True):
        AlignmentRatingFactory(
            assessment=assessment,
            question=Question.objects.get(key=key),
            rating=rating,
            evidence="Reviewed in the team meeting.",
        )
    for _ in range(5):
        answer(assessment, ENGAGED)
    answer(assessment, LOST)
    client = Client()
    client.force_login(manager)

    def open_report(viewport=None):
        page = new_page(viewport)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page.goto(assessment.get_absolute_url())
        return page

    return open_report


def test_the_report_opens_with_its_summary(report_page):
    ARTIFACTS.mkdir(exist_ok=True)
    page = report_page()

    summary = page.locator("#summary")
    expect(summary.get_by_role("heading", name="Summary")).to_be_visible()
    expect(summary).to_contain_text("6 of 6 invited people have answered.")
    expect(summary.get_by_role("link", name="Step 2: Engagement")).to_be_visible()
    expect(summary.get_by_role("heading", name="What to do first")).to_be_visible()
    summary.screenshot(path=ARTIFACTS / "report-summary.png")

    phone = report_page(PHONE)
    expect(phone.locator("#summary")).to_be_visible()
    phone.locator("#summary").screenshot(path=ARTIFACTS / "report-summary-phone.png")


def test_the_pdf_downloads_from_the_report(report_page):
    page = report_page()
    page.get_by_label("Paper").select_option("letter")
    page.get_by_label("Include quoted answers").check()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()

    assert download.value.suggested_filename.endswith("-report.pdf")
    with open(download.value.path(), "rb") as document:
        assert document.read(5) == b"%PDF-"
