"""A team member answers on a phone, in a real headless Chromium."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments.models import Response
from tests.browser import ARTIFACTS, PHONE
from tests.factories import InvitationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_member_answers_on_a_phone_without_sideways_scrolling(new_page):
    invitation = InvitationFactory(assessment__team__name="Billing desk")
    page = new_page(viewport=PHONE)

    page.goto(reverse("assessments:survey", args=(invitation.token,)))

    expect(page.get_by_role("heading", name="Your privacy")).to_be_visible()
    page.get_by_label("What is the customer service vision?").fill(
        "Fix it first time and explain it plainly."
    )
    page.get_by_label("What does it mean?").fill(
        "A wrong bill is corrected on the call, not by a ticket."
    )
    page.get_by_label("How do you personally contribute?").fill(
        "I read the corrected balance back to the customer."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "survey-phone.png", full_page=True)
    page.get_by_role("button", name="Save my answers").click()

    expect(page.get_by_role("status")).to_contain_text("your answers are saved")
    assert Response.objects.get().contribution_answer == (
        "I read the corrected balance back to the customer."
    )


def test_member_can_answer_with_the_keyboard_alone(new_page):
    invitation = InvitationFactory()
    page = new_page()
    page.goto(reverse("assessments:survey", args=(invitation.token,)))

    page.get_by_label("What is the customer service vision?").focus()
    page.keyboard.type("Fix it first time.")
    page.keyboard.press("Tab")
    page.keyboard.type("Owning the whole problem until it is solved.")
    page.keyboard.press("Tab")
    page.keyboard.type("I call back the next day.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("your answers are saved")
    assert Response.objects.get().meaning_answer == (
        "Owning the whole problem until it is solved."
    )


def test_double_click_on_save_leaves_one_response(new_page):
    invitation = InvitationFactory()
    page = new_page()
    page.goto(reverse("assessments:survey", args=(invitation.token,)))
    page.get_by_label("What is the customer service vision?").fill("Fix it first time.")

    page.get_by_role("button", name="Save my answers").dblclick()

    expect(page.get_by_role("status")).to_contain_text("your answers are saved")
    assert Response.objects.count() == 1


def test_the_edit_code_reopens_the_answers_in_another_browser_only(new_page):
    invitation = InvitationFactory()
    neighbour = InvitationFactory(assessment=invitation.assessment)
    page = new_page()
    page.goto(reverse("assessments:survey", args=(invitation.token,)))
    page.get_by_label("What is the customer service vision?").fill("Fix it first time.")
    page.get_by_role("button", name="Save my answers").click()
    code = page.locator("#edit-code").inner_text()

    # The cookie goes to this link alone: a colleague's link is untouched.
    page.goto(reverse("assessments:survey", args=(neighbour.token,)))
    expect(page.get_by_label("What is the customer service vision?")).to_have_value("")
    elsewhere = new_page()
    elsewhere.goto(reverse("assessments:survey", args=(invitation.token,)))
    expect(
        elsewhere.get_by_role("heading", name="This link has been used")
    ).to_be_visible()
    elsewhere.get_by_label("Your edit code").fill(code)
    elsewhere.get_by_role("button", name="Open my answers").click()

    expect(
        elsewhere.get_by_label("What is the customer service vision?")
    ).to_have_value("Fix it first time.")
