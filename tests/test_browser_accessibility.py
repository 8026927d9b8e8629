"""Every page the project renders, in a real headless Chromium at desktop and
phone widths, checked by axe-core against WCAG 2.2 AA: manager pages, the
survey before and after saving, error pages and the admin pages the project
customises. A journey by keyboard alone, with the focus visible."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments import services
from assessments.catalogue import ALIGNMENT_KEYS
from assessments.models import TEAM_RATING_FIELDS, Question, Response
from tests.admin_pages import admin_url
from tests.browser import PHONE, axe_violations, describe_violations, logged_in
from tests.factories import (
    ActionItemFactory,
    AlignmentRatingFactory,
    AssessmentFactory,
    CommitmentFactory,
    InvitationFactory,
    ManagerInvitationFactory,
    TeamFactory,
    UserFactory,
    VisionFactory,
)
from tests.samples import (
    ENGAGED,
    LOST,
    TEAM_VISION,
    people,
    round_opened,
    submit_as,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("catalogue_rows"),
]

DESKTOP = {"width": 1280, "height": 900}
WIDTHS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
NAMES = ("Ana Silva", "Ben Okafor", "Chloe Martin", "Dev Patel", "Eli Novak", "Fay Wu")


def rated(rating: int) -> dict:
    return dict.fromkeys(ALIGNMENT_KEYS, rating)


def round_with_every_step(team, *, anonymous: bool):
    """A round of six answers (one of them lost), rated by the team, with the
    manager's ratings, commitment and actions, one of them overdue."""
    assessment = services.assessment_create(
        team=team,
        created_by=None,
        anonymous=anonymous,
        team_rates_alignment=True,
        min_group_for_scores=4,
        min_group_for_verbatims=4,
    )
    VisionFactory(assessment=assessment, statement=TEAM_VISION)
    invited = [
        InvitationFactory(
            assessment=assessment,
            name="" if anonymous else name,
            email=f"{name.split()[0].lower()}@example.com",
        )
        for name in NAMES
    ]
    services.assessment_open(assessment=assessment)
    for n, invitation in enumerate(invited):
        submit_as(invitation, LOST if n == 5 else ENGAGED, ratings=rated(2 + n % 3))
    for question in Question.objects.of_step("alignment"):
        AlignmentRatingFactory(assessment=assessment, question=question, rating=3)
    CommitmentFactory(assessment=assessment)
    today = timezone.now().date()
    ActionItemFactory(assessment=assessment, title="Weekly service huddle")
    ActionItemFactory(
        assessment=assessment,
        title="Rewrite the billing scripts in plain words",
        due_on=today - timedelta(days=3),
    )
    ActionItemFactory(
        assessment=assessment,
        title="Call back every complaint within a day",
        due_on=today - timedelta(days=10),
        done_on=today - timedelta(days=12),
    )
    services.assessment_rescore(assessment_id=assessment.pk)
    return assessment


def check_pages(page, paths) -> list[str]:
    """Visit each path and collect what axe-core finds, page by page."""
    failures = []
    for path in paths:
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
    return failures


@pytest.fixture
def manager():
    return UserFactory(email="lead@example.com")


@pytest.fixture
def team(manager):
    return TeamFactory(name="Billing desk", managers=[manager])


@pytest.fixture
def named_round(team):
    return round_with_every_step(team, anonymous=False)


def assert_no_failures(failures: list[str]) -> None:
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


@WIDTHS
def test_pages_before_logging_in_break_no_rule(new_page, viewport):
    invitation = InvitationFactory()
    closed = InvitationFactory(assessment=AssessmentFactory(closed=True))
    page = new_page(viewport=viewport)
    failures = check_pages(
        page,
        [
            reverse("account_signup"),
            reverse("account_login"),
            reverse("account_reset_password"),
            reverse("assessments:code_entry"),
            "/no-such-page/",
            reverse("assessments:survey", args=(invitation.token + "x",)),
            reverse("assessments:survey", args=(closed.token,)),
        ],
    )
    # A form sent without its CSRF token: the 403 page of the project.
    page.goto(reverse("account_login"))
    page.locator("input[name=csrfmiddlewaretoken]").evaluate("field => field.remove()")
    page.get_by_label("Email").fill("lead@example.com")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.locator("form input[name=csrfmiddlewaretoken]").count() == 0
    violations = axe_violations(page)
    if violations:
        failures.append(f"CSRF refusal:\n{describe_violations(violations)}")
    assert_no_failures(failures)


@WIDTHS
def test_manager_pages_break_no_rule(
    new_page, live_server, manager, named_round, viewport
):
    draft = services.assessment_create(
        team=named_round.team, created_by=manager, title="Autumn check-in"
    )
    invited = ManagerInvitationFactory(email=manager.email)
    action = named_round.actions.first()
    page = logged_in(new_page, live_server, manager, viewport)
    pk = named_round.pk
    failures = check_pages(
        page,
        [
            reverse("assessments:dashboard"),
            reverse("assessments:team_create"),
            reverse("assessments:team_detail", args=(named_round.team.pk,)),
            reverse("assessments:assessment_create", args=(named_round.team.pk,)),
            reverse("assessments:assessment_settings", args=(draft.pk,)),
            reverse("assessments:vision", args=(draft.pk,)),
            reverse("assessments:assessment_settings", args=(pk,)),
            reverse("assessments:vision", args=(pk,)),
            reverse("assessments:engagement", args=(pk,)),
            reverse("assessments:alignment", args=(pk,)),
            reverse("assessments:commitment", args=(pk,)),
            reverse("assessments:report", args=(pk,)),
            reverse("assessments:report", args=(pk,)) + "?sort=-engaged#people",
            reverse("assessments:assessment_open", args=(draft.pk,)),
            reverse("assessments:assessment_close", args=(pk,)),
            reverse("assessments:action_delete", args=(pk, action.pk)),
            reverse("account_email"),
            reverse("account_change_password"),
            reverse("assessments:manager_invitation", args=(invited.token,)),
        ],
    )
    assert_no_failures(failures)


@WIDTHS
def test_a_closed_round_and_a_sheet_of_codes_break_no_rule(
    new_page, live_server, manager, team, viewport
):
    closed = round_with_every_step(team, anonymous=False)
    services.assessment_close(assessment=closed)
    later = round_opened(team, people("abc"))
    page = logged_in(new_page, live_server, manager, viewport)
    failures = check_pages(
        page,
        [
            reverse("assessments:engagement", args=(closed.pk,)),
            # The team's next round is open: the page says why it cannot reopen.
            reverse("assessments:report", args=(closed.pk,)),
            reverse("assessments:assessment_reopen", args=(closed.pk,)),
        ],
    )

    expect(page.get_by_role("alert")).to_contain_text("can no longer be opened")

    page.goto(reverse("assessments:engagement", args=(later.pk,)))
    page.get_by_label("How many codes").fill("3")
    page.get_by_role("button", name="Make a sheet of codes").click()
    expect(page.get_by_role("heading", name="3 new printed codes")).to_be_visible()
    violations = axe_violations(page)
    if violations:
        failures.append(f"the sheet of codes:\n{describe_violations(violations)}")
    assert_no_failures(failures)


@WIDTHS
def test_the_survey_breaks_no_rule_before_and_after_saving(new_page, team, viewport):
    failures = []
    for anonymous in (False, True):
        assessment = round_opened(
            team,
            [{"name": "Gus Hale", "email": "gus@example.com"}],
            answered=0,
            anonymous=anonymous,
            team_rates_alignment=True,
        )
        invitation = InvitationFactory(assessment=assessment, name="Ida Berg")
        page = new_page(viewport=viewport)
        url = reverse("assessments:survey", args=(invitation.token,))
        failures += check_pages(page, [url])
        page.get_by_label("What is the customer service vision?").fill(
            ENGAGED["vision"]
        )
        page.get_by_role("button", name="Save my answers").click()
        expect(page.get_by_role("status")).to_contain_text("your answers are saved")
        violations = axe_violations(page)
        if violations:
            failures.append(f"{url} saved:\n{describe_violations(violations)}")
        if anonymous:
            # The link again in another browser: used, with the code to enter.
            failures += check_pages(new_page(viewport=viewport), [url])
    assert Response.objects.count() == 2
    assert_no_failures(failures)


@WIDTHS
def test_admin_pages_the_project_customises_break_no_rule(
    new_page, live_server, named_round, viewport
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    page = logged_in(new_page, live_server, admin, viewport)
    response = Response.objects.filter(assessment=named_round).first()
    failures = check_pages(
        page,
        [
            reverse("admin:index"),
            admin_url(type(named_round), "changelist"),
            admin_url(type(named_round), "change", named_round.pk),
            reverse("admin:assessments_assessment_import", args=(named_round.pk,)),
            admin_url(Response, "changelist"),
            admin_url(Response, "change", response.pk),
            admin_url(Response, "history", response.pk),
            admin_url(Response, "add"),  # refused: the project's 403 page
        ],
    )
    assert_no_failures(failures)


# Whether the focused element shows it: an outline or a focus ring (box shadow).
FOCUS_SHOWN = """() => {
    const style = getComputedStyle(document.activeElement);
    const outlined = style.outlineStyle !== "none" && style.outlineWidth !== "0px";
    return outlined || style.boxShadow !== "none";
}"""


def tab_to(page, selector: str, *, limit: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus, checking
    on the way that every element focused shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)")
        assert page.evaluate(FOCUS_SHOWN), f"focus not visible on {focused}"
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} not reached with Tab")


def test_a_team_member_answers_and_rates_by_keyboard_alone(new_page, team):
    assessment = round_opened(
        team, [{"name": "", "email": "gus@example.com"}], answered=0
    )
    assessment.team_rates_alignment = True
    assessment.save(update_fields=["team_rates_alignment"])
    invitation = InvitationFactory(assessment=assessment)
    page = new_page()
    page.goto(reverse("assessments:survey", args=(invitation.token,)))

    tab_to(page, "#id_vision")
    page.keyboard.type("Fix it first time.")
    tab_to(page, "#id_meaning")
    page.keyboard.type("Owning the whole problem until it is solved.")
    tab_to(page, "input[type=radio]")
    page.keyboard.press("ArrowRight")  # from 1 to 2, in the group of the first
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    tab_to(page, "[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("your answers are saved")
    response = Response.objects.get()
    assert response.meaning_answer == "Owning the whole problem until it is solved."
    assert [getattr(response, field) for field in TEAM_RATING_FIELDS].count(
        None
    ) == len(TEAM_RATING_FIELDS) - 1
    assert 3 in [getattr(response, field) for field in TEAM_RATING_FIELDS]


def test_a_manager_saves_a_step_by_keyboard_alone(new_page, live_server, manager, team):
    draft = services.assessment_create(team=team, created_by=manager)
    page = logged_in(new_page, live_server, manager, DESKTOP)
    page.goto(reverse("assessments:vision", args=(draft.pk,)))

    tab_to(page, "textarea[name=statement]")
    page.keyboard.type(TEAM_VISION)
    tab_to(page, "input[type=radio][value=True]")
    page.keyboard.press("Space")
    tab_to(page, "[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_be_visible()
    draft.vision.refresh_from_db()
    assert (draft.vision.statement, draft.vision.has_vision) == (TEAM_VISION, True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "360"])
def test_survey_radio_buttons_are_targets_of_24_px(new_page, team, viewport):
    assessment = round_opened(team, people("a"), answered=0, team_rates_alignment=True)
    invitation = InvitationFactory(assessment=assessment)
    page = new_page(viewport=viewport)
    page.goto(reverse("assessments:survey", args=(invitation.token,)))

    radios = page.locator("input[type=radio]")
    assert radios.count() == len(TEAM_RATING_FIELDS) * 5
    for box in radios.evaluate_all(
        "all => all.map(r => r.getBoundingClientRect().toJSON())"
    ):
        assert box["width"] >= 24
        assert box["height"] >= 24


@WIDTHS
def test_a_re_assessment_from_the_dashboard_to_its_carried_actions_breaks_no_rule(
    new_page, live_server, manager, team, viewport
):
    closed = round_with_every_step(team, anonymous=False)
    services.assessment_close(assessment=closed)
    CommitmentFactory(
        assessment=closed, reassess_on=timezone.localdate() - timedelta(days=2)
    )
    page = logged_in(new_page, live_server, manager, viewport)
    failures = check_pages(page, [reverse("assessments:dashboard")])
    expect(page.locator(f"#team-{team.pk}-reassess")).to_contain_text(
        "Re-assessment due"
    )

    failures += check_pages(
        page, [reverse("assessments:assessment_create", args=(team.pk,))]
    )
    box = page.get_by_label(f"Start from {closed}")
    expect(box).to_be_checked()
    page.get_by_label("Title (optional)").fill("Autumn check-in")
    page.get_by_role("button", name="Start the round").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    new = team.assessments.get(title="Autumn check-in")
    page.goto(reverse("assessments:commitment", args=(new.pk,)))
    expect(page.get_by_text(f"from {closed}").first).to_be_visible()
    violations = axe_violations(page)
    if violations:
        failures.append(f"step 4, carried over:\n{describe_violations(violations)}")
    assert_no_failures(failures)
