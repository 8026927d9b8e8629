"""The whole journey in a real headless Chromium: a manager signs up, confirms
their address from the email and sets up a round, five team members answer
through their links, the manager reads the report, overrides a judgement and
exports the answers."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import AnswerJudgement, Assessment, Response
from assessments.services import OVERRIDE_NEEDS_A_REASON
from tests.browser import ARTIFACTS, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("catalogue_rows"),
]

VISION = (
    "We fix each customer's problem on the first contact, explain it in plain words, "
    "and leave them confident."
)
ENGAGED = (
    "Fix problems on the first contact, explain in plain words, leave them confident.",
    "A wrong bill is corrected during the call and I explain why in plain words.",
    "I read the corrected balance back to the customer before we hang up.",
)
NOT_ENGAGED = ("I don't know", "not sure", "I do my job")
MEMBERS = (
    "Ana Silva <ana@example.com>",
    "Ben Okafor <ben@example.com>",
    "Chloe Martin <chloe@example.com>",
    "Dev Patel <dev@example.com>",
    "Eli Novak <eli@example.com>",
)
LINK = re.compile(r"http://[^\s]+/r/[\w-]+/")


def manager_sets_up_a_round(page, mailoutbox) -> list[str]:
    """The round's links, in the order of ``MEMBERS``: an anonymous round emails
    each person theirs, and shows the manager none."""
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("lead@example.com")
    page.locator("#id_password1").fill("a long enough passphrase")
    page.locator("#id_password2").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    [email] = mailoutbox
    page.goto(
        re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", email.body)[1]
    )
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="My teams")).to_be_visible()

    page.get_by_role("link", name="Create your first team").click()
    page.get_by_label("Team name").fill("Billing desk")
    page.get_by_role("button", name="Create team").click()
    page.get_by_role("link", name="Start a round").click()
    page.get_by_text("Advanced: group sizes and readiness thresholds").click()
    page.get_by_label("Fewest answers before scores show").fill("4")
    page.get_by_role("button", name="Start the round").click()

    page.get_by_label("Your customer service vision").fill(VISION)
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save step 1").click()
    expect(page.get_by_role("status")).to_be_visible()

    page.get_by_role("link", name="Go to step 2: Engagement").click()
    page.get_by_role("link", name="Open the round…").click()
    expect(page.get_by_role("heading", name="Open the round?")).to_be_visible()
    page.get_by_role("button", name="Open the round").click()
    page.get_by_label("People, one per line").fill("\n".join(MEMBERS))
    page.get_by_role("button", name="Add everyone").click()
    expect(page.get_by_text("Added 5 people.")).to_be_visible()
    expect(page.get_by_text("5 of 5 emails sent.")).to_be_visible()
    links = {
        email.to[0]: LINK.search(email.body)[0]
        for email in mailoutbox
        if email.to[0] != "lead@example.com"
    }
    return [links[member.split("<")[1].rstrip(">")] for member in MEMBERS]


def member_answers(page, link: str, answers: tuple[str, str, str], screenshot=None):
    page.goto(link)
    page.get_by_label("What is the customer service vision?").fill(answers[0])
    page.get_by_label("What does it mean?").fill(answers[1])
    page.get_by_label("How do you personally contribute?").fill(answers[2])
    if screenshot:
        page.screenshot(path=ARTIFACTS / screenshot, full_page=True)
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("status")).to_contain_text("your answers are saved")


def test_manager_and_team_walk_the_journey_to_the_report(new_page, mailoutbox):
    ARTIFACTS.mkdir(exist_ok=True)
    manager = new_page()
    links = manager_sets_up_a_round(manager, mailoutbox)
    assert len(links) == 5

    member_answers(
        new_page(viewport=PHONE), links[0], ENGAGED, "journey-survey-phone.png"
    )
    member_answers(new_page(), links[1], ENGAGED)
    member_answers(new_page(), links[2], ENGAGED)
    member_answers(new_page(), links[3], ENGAGED)
    member_answers(new_page(), links[4], NOT_ENGAGED)
    assert Response.objects.count() == 5
    # The worker's upkeep releases them, a group of people the app emailed.
    assert services.answers_release(Assessment.objects.get()) == 5

    manager.get_by_role("link", name="Report").first.click()
    expect(manager.get_by_role("heading", name="Step 2: Engagement")).to_be_visible()
    expect(manager.get_by_text("5 of 5 invited people have answered.")).to_be_visible()
    expect(manager.get_by_role("img", name="Engagement by question")).to_be_visible()
    manager.screenshot(path=ARTIFACTS / "journey-report.png", full_page=True)
    manager.emulate_media(media="print")
    expect(manager.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(manager.get_by_text("Override this judgement").first).to_be_hidden()
    expect(
        manager.get_by_role("heading", name="Final step: Commitment")
    ).to_be_visible()
    manager.screenshot(path=ARTIFACTS / "journey-report-print.png", full_page=True)
    manager.emulate_media(media="screen")

    non_answer = AnswerJudgement.objects.get(
        question_key="vision", response__vision_answer="I don't know"
    )
    block = manager.locator(f"#judgement-{non_answer.pk}")
    block.get_by_text("Override this judgement").click()
    block.get_by_label("Clear?").select_option("yes")
    block.get_by_role("button", name="Save decision").click()
    # Refused without a reason: the error beside the form, open, its choice
    # kept, and the browser at it.
    block = manager.locator(f"#judgement-{non_answer.pk}")
    why = block.get_by_label("Why")
    expect(block.get_by_text(OVERRIDE_NEEDS_A_REASON)).to_be_visible()
    expect(why).to_be_focused()
    expect(why).to_be_in_viewport()
    expect(block.get_by_label("Clear?")).to_have_value("yes")
    why.fill("Said it word for word in the team huddle.")
    block.get_by_role("button", name="Save decision").click()
    expect(manager.get_by_text("Your decision is saved")).to_be_visible()
    non_answer.refresh_from_db()
    assert non_answer.override_clear is True

    with manager.expect_download() as download_info:
        manager.get_by_role("link", name="Export answers and judgements (CSV)").click()
    exported = download_info.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 5
    by_vision = {row["vision"]: row for row in rows}
    assert by_vision[ENGAGED[0]]["engaged"] == "True"
    assert by_vision["I don't know"]["vision_clear"] == "True"
