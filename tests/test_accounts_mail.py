"""The worker's side of the account emails: it sends nothing a request asked
for once it no longer applies."""

import pytest
from allauth.account.models import EmailAddress

from accounts import mail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_no_confirmation_goes_to_an_address_proved_meanwhile(mailoutbox):
    user = UserFactory(verified=False)
    address = EmailAddress.objects.get(user=user)
    address.verified = True
    address.save()

    assert mail.email_confirmation_deliver(address_id=address.pk, signup=True) is False
    assert mailoutbox == []


def test_no_reset_link_goes_to_an_account_closed_meanwhile(mailoutbox):
    user = UserFactory(is_active=False)

    assert mail.password_reset_deliver(user_id=user.pk, email=user.email) is False
    assert mailoutbox == []


def test_a_notice_carries_links_to_the_public_pages_on_the_site(mailoutbox, settings):
    settings.SITE_URL = "https://service.example.com"

    mail.notice_deliver(
        template_prefix="account/email/account_already_exists", email="x@example.com"
    )

    [email] = mailoutbox
    assert "https://service.example.com/accounts/login/" in email.body
    assert "https://service.example.com/accounts/password/reset/" in email.body
