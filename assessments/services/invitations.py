"""Team members' personal links: inviting, emailing, reminding, re-issuing.

Only a keyed hash of each link is stored, so a link exists only at the moment it
is issued: that is when it is shown to the manager or emailed, and emailing a
link again issues a new one (the earlier link stops working).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments import tokens
from assessments.models import Assessment, Invitation, Response
from assessments.services.rounds import ROUND_NOT_OPEN, require_not_closed

ALREADY_INVITED = "Already invited to this round: {emails}."
EMAIL_FAILED = (
    "The emails could not be sent ({error}). Nothing was changed: links given out "
    "before still work. Please try again later."
)


@dataclass(frozen=True)
class Invitee:
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class IssuedInvitation:
    """An invitation with its token, which exists only until it is sent or shown."""

    invitation: Invitation
    token: str


def survey_url(base_url: str, token: str) -> str:
    """The absolute address of a team member's survey."""
    return base_url.rstrip("/") + reverse("assessments:survey", args=(token,))


@transaction.atomic
def invitations_create(
    *, assessment: Assessment, invitees: Sequence[Invitee]
) -> list[IssuedInvitation]:
    """Create one invitation per invitee, each with a fresh unguessable token,
    checking nothing: the rows behind ``members_invite`` and the demo."""
    issued_tokens = [tokens.new_token() for _ in invitees]
    invitations = [
        Invitation(
            assessment=assessment,
            token_hash=tokens.invitation_hash(token),
            name=invitee.name,
            email=invitee.email,
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
    still be changed; an anonymous response cannot be found from its invitation.
    """
    issued = [
        IssuedInvitation(invitation=invitation, token=tokens.new_token())
        for invitation in invitations
    ]
    for item in issued:
        item.invitation.token_hash = tokens.invitation_hash(item.token)
    Invitation.objects.bulk_update(invitations, ("token_hash",), batch_size=1000)
    keys = {item.invitation.pk: tokens.respondent_key(item.token) for item in issued}
    responses = list(Response.objects.filter(invitation__in=invitations))
    for response in responses:
        response.respondent_key = keys[response.invitation_id]
    Response.objects.bulk_update(responses, ("respondent_key",), batch_size=1000)
    return issued


def _email_links(
    assessment: Assessment,
    issued: Sequence[IssuedInvitation],
    *,
    base_url: str,
    sender,
    reminder: bool,
) -> None:
    """Email each person their link; a failure undoes the caller's transaction."""
    team = " ".join(assessment.team.name.split())  # a header holds one line
    subject = (
        f"Reminder: {team} would like your answers"
        if reminder
        else f"{team}: three questions about customer service"
    )
    messages = [
        EmailMessage(
            subject,
            render_to_string(
                "assessments/emails/invitation.txt",
                {
                    "name": item.invitation.name,
                    "team": team,
                    "anonymous": assessment.anonymous,
                    "link": survey_url(base_url, item.token),
                    "reminder": reminder,
                },
            ),
            to=[item.invitation.email],
            reply_to=[sender.email] if sender.email else None,
        )
        for item in issued
    ]
    try:
        mailers.default.send_messages(messages)
    except OSError as error:  # smtplib's errors are OSErrors
        raise ValidationError(
            EMAIL_FAILED.format(error=error), code="email_failed"
        ) from error


@transaction.atomic
def members_invite(
    *,
    assessment: Assessment,
    invitees: Sequence[Invitee],
    email_links: bool,
    base_url: str,
    sender,
) -> list[IssuedInvitation]:
    """Invite team members not yet invited, and email their links at once when
    asked: the one moment a link can be both shown to the manager and emailed."""
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
    issued = invitations_create(assessment=assessment, invitees=invitees)
    to_email = [item for item in issued if email_links and item.invitation.email]
    if to_email:
        Invitation.objects.filter(
            pk__in=[item.invitation.pk for item in to_email]
        ).update(sent_at=timezone.now())
        _email_links(
            assessment, to_email, base_url=base_url, sender=sender, reminder=False
        )
    return issued


def _email_new_links(
    assessment: Assessment,
    invitations,
    *,
    stamp_field: str,
    base_url: str,
    sender,
    reminder: bool,
) -> int:
    """Re-issue the (locked) invitations' links, stamp when, and email them."""
    invitations = list(invitations.exclude(email="").select_for_update())
    issued = _reissue(invitations)
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
        **{stamp_field: timezone.now()}
    )
    _email_links(
        assessment, issued, base_url=base_url, sender=sender, reminder=reminder
    )
    return len(issued)


@transaction.atomic
def invitations_send(*, assessment: Assessment, base_url: str, sender) -> int:
    """Email a new link to everyone with an email address not yet sent one;
    returns how many were sent. A link copied from the page earlier stops working."""
    require_not_closed(assessment)
    return _email_new_links(
        assessment,
        assessment.invitations.live().filter(sent_at__isnull=True),
        stamp_field="sent_at",
        base_url=base_url,
        sender=sender,
        reminder=False,
    )


@transaction.atomic
def invitations_remind(*, assessment: Assessment, base_url: str, sender) -> int:
    """Email a reminder with a new link to everyone who has not answered yet and
    has an email address; each reminded person's earlier link stops working."""
    if assessment.status != Assessment.Status.OPEN:
        raise ValidationError(ROUND_NOT_OPEN, code="not_open")
    return _email_new_links(
        assessment,
        assessment.invitations.filter(status=Invitation.Status.PENDING),
        stamp_field="reminded_at",
        base_url=base_url,
        sender=sender,
        reminder=True,
    )


@transaction.atomic
def invitation_reissue(*, invitation: Invitation) -> IssuedInvitation:
    """A new link for someone who lost theirs; the old one stops working."""
    require_not_closed(invitation.assessment)
    return _reissue([invitation])[0]
