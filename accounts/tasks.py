"""The account emails, sent by the worker (``manage.py worker``) as tasks of
Django's tasks framework. Arguments are ids and addresses, never a key: each
task makes its link when it runs."""

from django.tasks import task

from accounts import mail


@task
def email_confirmation_send(address_id: int, signup: bool) -> bool:
    """Email the link that proves an address (``mail.email_confirmation_deliver``)."""
    return mail.email_confirmation_deliver(address_id=address_id, signup=signup)


@task
def password_reset_send(user_id: int, email: str) -> bool:
    """Email a password reset link (``mail.password_reset_deliver``)."""
    return mail.password_reset_deliver(user_id=user_id, email=email)


@task
def account_notice_send(template_prefix: str, email: str) -> None:
    """Email a notice with no secret in it (``mail.notice_deliver``)."""
    mail.notice_deliver(template_prefix=template_prefix, email=email)
