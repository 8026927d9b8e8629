"""Team members' personal links: inviting, emailing, reminding, re-issuing.

Only a keyed hash of each link is stored, so a link exists only at the moment it
is issued: when it is shown to the manager, or when the worker emails it (see
``services.mail``). Emailing a link, an invitation or a reminder, issues a new one
and the earlier link stops working. Nothing here talks to the mail server: email
is queued, and sent once the request's transaction has committed.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from assessments import tokens
from assessments.models import Assessment, Invitation, MailKind, MailStatus, Response
from assessments.services import mail
from assessments.services.rounds import ROUND_NOT_OPEN, require_not_closed

ALREADY_INVITED = "Already invited to this round: {emails}."
NOTHING_TO_RETRY = "This email has not failed: there is nothing to retry."


@dataclass(frozen=True)
class Invitee:
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its token, which exists only until it is sent or shown."""

    invitation: Invitation
    token: str

    @property
    def emailed(self) -> bool:
        """Queued to be emailed: the worker issues the link it sends, so this
        token is never shown."""
        return self.invitation.mail_status != MailStatus.NONE


@transaction.atomic
def invitations_create(
    *, assessment: Assessment, invitees: Sequence[Invitee], email_links: bool = False
) -> list[IssuedInvitation]:
    """Create one invitation per invitee, each with a fresh unguessable token,
    checking nothing: the rows behind ``members_invite`` and the demo. With
    ``email_links``, those with an email address are queued to be emailed."""
    issued_tokens = [tokens.new_token() for _ in invitees]
    invitations = [
        Invitation(
            assessment=assessment,
            token_hash=tokens.invitation_hash(token),
            name=invitee.name,
            email=invitee.email,
            **(
                mail.queued_fields(MailKind.INVITATION)
                if email_links and invitee.email
                else {}
            ),
        )
        for token, invitee in zip(issued_tokens, invitees, strict=True)
    ]
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    return [
        IssuedInvitation(invitation=invitation, token=token)
        for invitation, token in zip(invitations, issued_tokens, strict=True)
    ]


def _reissue(invitations: Sequence[Invitation]) -> list[IssuedInvitation]:
    """Give each invitation a new token: its earlier link stops working.

    A named round's response is re-keyed to the new token so its answers can
    still be changed; an anonymous response cannot be found from its invitation,
    and the new link starts unused, telling nothing of the earlier one.
    """
    issued = [
        IssuedInvitation(invitation=invitation, token=tokens.new_token())
        for invitation in invitations
    ]
    for item in issued:
        item.invitation.token_hash = tokens.invitation_hash(item.token)
        item.invitation.link_used = False
    Invitation.objects.bulk_update(
        invitations, ("token_hash", "link_used"), batch_size=1000
    )
    keys = {item.invitation.pk: tokens.respondent_key(item.token) for item in issued}
    responses = list(Response.objects.filter(invitation__in=invitations))
    for response in responses:
        response.respondent_key = keys[response.invitation_id]
    Response.objects.bulk_update(responses, ("respondent_key",), batch_size=1000)
    return issued


@transaction.atomic
def members_invite(
    *,
    assessment: Assessment,
    invitees: Sequence[Invitee],
    email_links: bool,
    base_url: str,
    sender,
) -> list[IssuedInvitation]:
    """Invite team members not yet invited; with ``email_links``, queue an email
    with their link to each who has an address (sent once the round is open).
    The links of the others are returned, to be shown once."""
    require_not_closed(assessment)
    emails = [invitee.email.lower() for invitee in invitees if invitee.email]
    taken = list(
        assessment.invitations.live()
        .alias(lower_email=Lower("email"))
        .filter(lower_email__in=emails)
        .order_by("email")
        .values_list("email", flat=True)
    )
    if taken:
        raise ValidationError(
            ALREADY_INVITED.format(emails=", ".join(taken)), code="already_invited"
        )
    issued = invitations_create(
        assessment=assessment, invitees=invitees, email_links=email_links
    )
    if any(item.emailed for item in issued):
        mail.mail_queued(assessment, base_url=base_url, reply_to=sender.email)
    return issued


def _emailable(invitations):
    """Those with an address whose email is not already on its way."""
    return invitations.exclude(email="").exclude(
        mail_status__in=(MailStatus.QUEUED, MailStatus.SENDING)
    )


@transaction.atomic
def invitations_send(*, assessment: Assessment, base_url: str, sender) -> int:
    """Queue an email with a new link to everyone with an email address not yet
    sent one; returns how many. A link copied from the page earlier stops working
    when the email goes out. A draft round's wait until it opens."""
    require_not_closed(assessment)
    return mail.mail_queue(
        assessment,
        _emailable(assessment.invitations.live().filter(sent_at__isnull=True)),
        kind=MailKind.INVITATION,
        base_url=base_url,
        reply_to=sender.email,
    )


@transaction.atomic
def invitations_remind(*, assessment: Assessment, base_url: str, sender) -> int:
    """Queue a reminder with a new link to everyone who has not answered yet and
    has an email address; returns how many. Each reminded person's earlier link
    stops working when the reminder goes out."""
    if assessment.status != Assessment.Status.OPEN:
        raise ValidationError(ROUND_NOT_OPEN, code="not_open")
    pending = assessment.invitations.filter(status=Invitation.Status.PENDING)
    return mail.mail_queue(
        assessment,
        mail.not_answered(assessment, _emailable(pending)),
        kind=MailKind.REMINDER,
        base_url=base_url,
        reply_to=sender.email,
    )


@transaction.atomic
def invitation_email_retry(*, invitation: Invitation) -> None:
    """Queue a failed email again, from its first attempt.

    Not a reminder in an anonymous round: reminders go to those who have not
    answered, so one person's reminder would tell the manager they have not.
    ``invitations_email_retry`` retries those with the rest."""
    assessment = invitation.assessment
    require_not_closed(assessment)
    hidden = assessment.anonymous and invitation.mail_kind == MailKind.REMINDER
    if invitation.mail_status != MailStatus.FAILED or hidden:
        raise ValidationError(NOTHING_TO_RETRY, code="not_failed")
    mail.mail_queue(
        assessment,
        Invitation.objects.filter(pk=invitation.pk, mail_status=MailStatus.FAILED),
    )


@transaction.atomic
def invitations_email_retry(*, assessment: Assessment) -> int:
    """Queue every failed email of the round again, each from its first attempt,
    keeping its kind; returns how many."""
    require_not_closed(assessment)
    return mail.mail_queue(
        assessment,
        assessment.invitations.live().filter(mail_status=MailStatus.FAILED),
    )


@transaction.atomic
def invitation_reissue(*, invitation: Invitation) -> IssuedInvitation:
    """A new link for someone who lost theirs; the old one stops working."""
    require_not_closed(invitation.assessment)
    return _reissue([invitation])[0]
