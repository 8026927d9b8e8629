"""A team's trend page in a real headless Chromium, checked by axe-core at
desktop and phone widths, with the dashboard that links to it."""

import pytest
from django.urls import reverse

from assessments import services
from tests.browser import PHONE, axe_violations, describe_violations, logged_in
from tests.factories import TeamFactory, UserFactory
from tests.samples import people, round_opened

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("catalogue_rows"),
]

DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_the_trend_page_and_the_dashboard_break_no_rule(
    new_page, live_server, viewport
):
    manager = UserFactory(email="lead@example.com")
    team = TeamFactory(name="Billing desk", managers=[manager])
    for _ in range(2):
        round_ = round_opened(
            team,
            people("abcdef"),
            team_rates_alignment=True,
            ratings=[{"goals": 4, "empowerment": 2}] * 6,
        )
        services.assessment_close(assessment=round_)
    round_opened(team, people("ab"))  # under way, below its minimum group
    page = logged_in(new_page, live_server, manager, viewport)
    failures = []
    for path in (
        reverse("assessments:team_trends", args=(team.pk,)),
        reverse("assessments:dashboard"),
    ):
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
    page.goto(reverse("assessments:team_trends", args=(team.pk,)))
    assert page.locator("svg[role=img]").count() == 3 + 5
    assert page.locator("table caption").count() == 4
    assert page.get_by_text("too few answers").count() > 0
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
