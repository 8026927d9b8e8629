"""The roll-up in a real headless Chromium: a division's manager reaches it from
the dashboard, reads the heatmap and the totals, sorts by a step, and axe-core
finds nothing at desktop and phone widths."""

import pytest
from playwright.sync_api import expect

from assessments.models import Team
from tests.browser import PHONE, assert_accessible, logged_in
from tests.factories import TeamFactory, UserFactory
from tests.samples import closed_round_with_results

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("catalogue_rows"),
]


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, PHONE], ids=["1280", "360"]
)
def test_a_division_leader_reads_the_rollup(new_page, live_server, viewport):
    leader = UserFactory(email="division@example.com")
    division = TeamFactory(
        name="Customer care", level=Team.Level.DIVISION, managers=[leader]
    )
    department = TeamFactory(
        name="Billing", level=Team.Level.DEPARTMENT, parent=division
    )
    closed_round_with_results(
        TeamFactory(name="Billing desk", parent=department), 6, engaged=3
    )
    closed_round_with_results(
        TeamFactory(name="Phone desk", parent=department, managers=[leader]),
        4,
        engaged=4,
    )
    closed_round_with_results(
        TeamFactory(name="Tiny desk", parent=division), 2, engaged=1
    )

    page = logged_in(new_page, live_server, leader, viewport)
    page.goto("/")
    page.get_by_role("link", name="Teams beneath Customer care").click()

    expect(page.get_by_role("heading", name="Teams in Customer care")).to_be_visible()
    heatmap = page.locator("#rollup-heatmap")
    expect(heatmap.get_by_role("columnheader", name="2 Engagement")).to_be_visible()
    expect(heatmap.get_by_role("link", name="Phone desk")).to_be_visible()
    expect(heatmap.get_by_role("rowheader", name="Billing desk")).to_be_visible()
    expect(page.locator("#rollup-other")).to_contain_text("too few to show")
    expect(page.get_by_text("Tiny desk")).to_have_count(0)
    expect(page.locator("#rollup-engaged")).to_contain_text("70%")  # 7 of 10
    assert_accessible(page)

    page.get_by_role("link", name="4 Commitment").click()
    expect(heatmap.get_by_role("columnheader", name="4 Commitment")).to_have_attribute(
        "aria-sort", "descending"
    )
    assert_accessible(page)
