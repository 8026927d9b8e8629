"""The account emails as the worker renders and sends them.

Every link starts with ``settings.SITE_URL``, whatever host the request that asked
for the email named. Keys are made here, when the email goes out: an address's
proof is a signature of it (allauth's ``EmailConfirmationHMAC``) and a reset key
is Django's token for the account as it stands, so neither is ever stored.
"""

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

# The pages a notice points to, by the name its template gives each link.
NOTICE_LINKS = {
    "login_url": "account_login",
    "signup_url": "account_signup",
    "password_reset_url": "account_reset_password",
}


def site_link(viewname: str, **kwargs) -> str:
    """The absolute address of a page, on the configured site."""
    return settings.SITE_URL + reverse(viewname, kwargs=kwargs)


def _send(template_prefix: str, email: str, context: dict) -> None:
    get_adapter().render_mail(template_prefix, email, context).send()


def email_confirmation_deliver(*, address_id: int, signup: bool) -> bool:
    """Email the link that proves the address, unless it is proved or gone."""
    address = (
        EmailAddress.objects.select_related("user")
        .filter(pk=address_id, verified=False)
        .first()
    )
    if address is None:
        return False
    key = EmailConfirmationHMAC(address).key
    prefix = "email_confirmation_signup" if signup else "email_confirmation"
    _send(
        f"account/email/{prefix}",
        address.email,
        {
            "user": address.user,
            "activate_url": site_link("account_confirm_email", key=key),
        },
    )
    return True


def password_reset_deliver(*, user_id: int, email: str) -> bool:
    """Email ``email`` a link to choose a new password for the account, unless
    the account is gone or disabled."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    link = site_link(
        "account_reset_password_from_key",
        uidb36=user_pk_to_url_str(user),
        key=default_token_generator.make_token(user),
    )
    _send(
        "account/email/password_reset_key",
        email,
        {"user": user, "password_reset_url": link},
    )
    return True


def notice_deliver(*, template_prefix: str, email: str) -> None:
    """Email a notice that carries links to public pages and nothing secret."""
    links = {name: site_link(view) for name, view in NOTICE_LINKS.items()}
    _send(template_prefix, email, {"email": email, **links})
