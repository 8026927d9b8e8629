"""django-allauth as servicecult uses it: no account email is sent from a request.

Each is a task for the worker (``accounts.tasks``), enqueued once the request's
writes commit, so a request never waits on the mail server, and one about an
address with an account takes no longer than one about an address without. The
worker makes the links itself, from ``settings.SITE_URL`` (``accounts.mail``).
"""

from functools import partial

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.crypto import get_random_string

from accounts import tasks

ACCOUNT_ALREADY_EXISTS = "account/email/account_already_exists"


def send_later(task, *args) -> None:
    """Enqueue ``task`` with ``args`` once the current transaction commits."""
    transaction.on_commit(partial(task.enqueue, *args))


class AccountAdapter(DefaultAccountAdapter):
    def send_confirmation_mail(self, request, emailconfirmation, signup) -> None:
        send_later(
            tasks.email_confirmation_send, emailconfirmation.email_address.pk, signup
        )

    def send_password_reset_mail(self, user, email, context) -> None:
        # The worker makes the reset key: none waits in the queue's table.
        send_later(tasks.password_reset_send, user.pk, email)

    def send_account_already_exists_mail(self, email) -> None:
        # Signing up hashes the new account's password, a noticeable time; hash
        # one here too, so a taken address is answered no faster.
        make_password(get_random_string(32))
        send_later(tasks.account_notice_send, ACCOUNT_ALREADY_EXISTS, email)

    def send_mail(self, template_prefix, email, context) -> None:
        """Any other email allauth sends: a notice carrying no secret, such as
        the one to an address with no account that asked for a reset."""
        send_later(tasks.account_notice_send, template_prefix, email)
