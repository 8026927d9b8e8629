"""Team members' personal links: inviting, emailing, reminding, re-issuing,
revoking, and printed codes for people without an email address.

Only a keyed hash of each link is stored, so a link exists only at the moment it
is issued: when the worker emails it (see ``services.mail``), or when it is shown
to the manager. In an anonymous round the manager is never shown one: everyone
invited has an email address and is emailed their link, so nobody but the
respondent can open it (and tell whether they have answered). Only a named
round shows the links of people without an address, to hand out. Printed codes
are the anonymous way to reach people without email: unlabelled links, shown
once on a sheet to cut up and hand out.

Emailing a link, an invitation or a reminder, issues a new one and the earlier
link stops working. Nothing here talks to the mail server: email is queued, and
sent once the request's transaction has committed.

A round holds each person once: invitations store their normalized address
(``assessments.addresses``), unique in the round while live, so two spellings of
one mailbox, or two managers pasting the same list at once, make one invitation.
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assessments import tokens
from assessments.addresses import normalized_address
from assessments.models import Assessment, Invitation, MailKind, MailStatus, Response
from assessments.services import mail
from assessments.services.rounds import ROUND_NOT_OPEN, require_not_closed

ALREADY_INVITED = "Already invited to this round: {emails}."
NOTHING_TO_RETRY = "This email has not failed: there is nothing to retry."
EMAIL_NEEDED = (
    "An anonymous round emails each person their own link, so that nobody else "
    "holds it: give an email address ({names} {have} none). For people without "
    "email, print codes instead (see “Printed codes” below)."
)
MANAGER_CANNOT_ANSWER = (
    "A manager cannot answer for the team in an anonymous round: {emails} "
    "{manages} this team."
)
NO_ADDRESS_TO_SEND = (
    "{person} has no email address, and an anonymous round only emails new links. "
    "Print a code for them instead."
)
MAX_CODES = 500
CODES_RANGE = f"Ask for 1 to {MAX_CODES} codes at a time."


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

    @property
    def to_hand_out(self) -> bool:
        """A named round's link for someone without an email address: the one
        kind of link the manager is shown, to give to them."""
        invitation = self.invitation
        return not invitation.email and not invitation.assessment.anonymous


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
            normalized_email=normalized_address(invitee.email),
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


def _listed(items: Sequence[str]) -> str:
    return ", ".join(items)


def _refuse_for_anonymity(assessment: Assessment, invitees: Sequence[Invitee]):
    """An anonymous round invites people by email only, and none of its managers:
    anyone else holding a link, or a manager answering, could tell a person's
    answers apart."""
    if not assessment.anonymous:
        return
    missing = [invitee.name for invitee in invitees if not invitee.email]
    if missing:
        raise ValidationError(
            EMAIL_NEEDED.format(
                names=_listed(missing), have="has" if len(missing) == 1 else "have"
            ),
            code="email_needed",
        )
    addresses = {normalized_address(invitee.email) for invitee in invitees}
    managers = sorted(
        email
        for email in assessment.team.managers.values_list("email", flat=True)
        if normalized_address(email) in addresses
    )
    if managers:
        raise ValidationError(
            MANAGER_CANNOT_ANSWER.format(
                emails=_listed(managers),
                manages="manages" if len(managers) == 1 else "manage",
            ),
            code="manager_address",
        )


def _already_invited(assessment: Assessment, invitees: Sequence[Invitee]):
    """The error naming those of ``invitees`` the round already holds, if any."""
    addresses = [normalized_address(i.email) for i in invitees if i.email]
    taken = list(
        assessment.invitations.live()
        .filter(normalized_email__in=addresses)
        .order_by("email")
        .values_list("email", flat=True)
    )
    if not taken:
        return None
    return ValidationError(
        ALREADY_INVITED.format(emails=_listed(taken)), code="already_invited"
    )


@transaction.atomic
def members_invite(
    *,
    assessment: Assessment,
    invitees: Sequence[Invitee],
    email_links: bool,
    sender,
) -> list[IssuedInvitation]:
    """Invite team members not yet invited; queue an email with their link to
    each who has an address (sent once the round is open), in a named round only
    with ``email_links``. An anonymous round needs everyone's address and
    invites none of its managers.

    Returns the invitations with their tokens; only a named round's people
    without an address may be shown theirs (``IssuedInvitation.to_hand_out``)."""
    require_not_closed(assessment)
    _refuse_for_anonymity(assessment, invitees)
    if error := _already_invited(assessment, invitees):
        raise error
    try:
        # Another request may have invited the same people since the check: the
        # constraint refuses the second, whose rows roll back to the savepoint of
        # ``invitations_create`` (atomic), and the error then names them.
        issued = invitations_create(
            assessment=assessment,
            invitees=invitees,
            email_links=email_links or assessment.anonymous,
        )
    except IntegrityError:
        if error := _already_invited(assessment, invitees):
            raise error from None
        raise
    if any(item.emailed for item in issued):
        mail.mail_queued(assessment, reply_to=sender.email)
    return issued


def _emailable(invitations):
    """Those with an address whose email is not already on its way."""
    return invitations.exclude(email="").exclude(
        mail_status__in=(MailStatus.QUEUED, MailStatus.SENDING)
    )


@transaction.atomic
def invitations_send(*, assessment: Assessment, sender) -> int:
    """Queue an email with a new link to everyone with an email address not yet
    sent one; returns how many. A link copied from the page earlier stops working
    when the email goes out. A draft round's wait until it opens."""
    require_not_closed(assessment)
    return mail.mail_queue(
        assessment,
        _emailable(assessment.invitations.live().filter(sent_at__isnull=True)),
        kind=MailKind.INVITATION,
        reply_to=sender.email,
    )


@transaction.atomic
def invitations_remind(*, assessment: Assessment, sender) -> int:
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
def invitation_reissue(*, invitation: Invitation, sender) -> IssuedInvitation:
    """A new link for someone who lost theirs; the old one stops working at once.

    Someone with an email address is emailed the new link (sent once the round
    is open) and its token is never shown; in an anonymous round everyone has an
    address. Only a named round's people without one get a link shown, to hand
    to them. ``invitation`` comes with its round."""
    assessment = invitation.assessment
    require_not_closed(assessment)
    if assessment.anonymous and not invitation.email:
        raise ValidationError(
            NO_ADDRESS_TO_SEND.format(person=invitation), code="no_address"
        )
    issued = _reissue([invitation])[0]
    if invitation.email:
        fields = mail.queued_fields(MailKind.INVITATION)
        mail.mail_queue(
            assessment,
            Invitation.objects.filter(pk=invitation.pk),
            kind=MailKind.INVITATION,
            reply_to=sender.email,
        )
        for name, value in fields.items():
            setattr(invitation, name, value)
    return issued


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    """Stop an invitation's link for good and take the person off the round, who
    can then be invited again. Their answers, if any, stay and are counted: the
    round's counts read the same either way. Email still queued is not sent."""
    require_not_closed(invitation.assessment)
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=("status", "normalized_email"))


@transaction.atomic
def invitation_codes_create(*, assessment: Assessment, count: int) -> list[str]:
    """``count`` unlabelled invitations, no name and no address, for people
    without email; returns their codes, to be printed once and never again (only
    a hash of each is kept), in no particular order."""
    require_not_closed(assessment)
    if not 1 <= count <= MAX_CODES:
        raise ValidationError(CODES_RANGE, code="codes_range")
    codes = [tokens.new_code() for _ in range(count)]
    Invitation.objects.bulk_create(
        [
            Invitation(assessment=assessment, token_hash=tokens.invitation_hash(code))
            for code in codes
        ],
        batch_size=1000,
    )
    secrets.SystemRandom().shuffle(codes)
    return codes
