"""The account pages on a phone, in a real headless Chromium: nothing scrolls
sideways, and the CSP (no inline script or style) blocks nothing they need."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import PHONE
from tests.factories import ManagerInvitationFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize(
    ("page_name", "heading"),
    [
        ("account_signup", "Create an account"),
        ("account_login", "Log in"),
        ("account_reset_password", "Reset your password"),
    ],
)
def test_an_account_page_fits_a_phone_and_breaks_no_policy(
    new_page, page_name, heading
):
    page = new_page(viewport=PHONE)
    blocked = []
    page.on("console", lambda message: blocked.append(message.text))

    page.goto(reverse(page_name))

    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_label("Email")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert [text for text in blocked if "Content Security Policy" in text] == []


def test_an_invited_colleague_accepts_on_a_phone(new_page):
    UserFactory(email="alex@example.com")
    invitation = ManagerInvitationFactory(
        email="alex@example.com", team__name="Billing desk"
    )
    page = new_page(viewport=PHONE)

    page.goto(reverse("assessments:manager_invitation", args=(invitation.token,)))
    page.get_by_label("Email").fill("alex@example.com")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Help manage Billing desk?")
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Accept").click()

    expect(page.get_by_role("status")).to_contain_text("You now manage Billing desk")
