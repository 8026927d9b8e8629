"""Teams and the people who manage them.

A manager shares a team by inviting an email address, never by naming an
account: the answer is the same whether or not the address has one, and only
someone who has proved they own the address (a confirmed address of their
account: ``ManagerInvitation.is_for``) can accept. The worker emails the link.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments import tokens
from assessments.addresses import normalized_address
from assessments.models import Assessment, Invitation, ManagerInvitation, Team
from assessments.services.mail import enqueue_on_commit

ALREADY_A_MANAGER = "{email} already manages this team."
NOT_YOUR_INVITATION = (
    "This invitation is for another email address. Log in with the address it was "
    "sent to, once you have confirmed it."
)
INVITATION_ANSWERED = "This invitation has been answered or withdrawn already."


@transaction.atomic
def team_create(
    *, name: str, manager, level: str = Team.Level.TEAM, parent=None
) -> Team:
    """Create a team managed by ``manager``."""
    team = Team(name=name, level=level, parent=parent)
    team.full_clean()
    team.save()
    team.managers.add(manager)
    return team


@transaction.atomic
def manager_invite(*, team: Team, email: str, invited_by) -> ManagerInvitation:
    """Invite ``email`` to manage the team and have the worker email the link;
    an address already invited is emailed a new link (the old one stops working).

    Refused only for an address of one of the team's managers, whom its page
    lists already: whether the address has an account is never looked up."""
    email = get_user_model().objects.normalize_email(email)
    if team.managers.filter(email=email).exists():
        raise ValidationError(
            ALREADY_A_MANAGER.format(email=email), code="already_a_manager"
        )
    invitation, _ = ManagerInvitation.objects.pending().get_or_create(
        team=team, email=email, defaults={"invited_by": invited_by}
    )
    enqueue_on_commit("manager_invitation_send", invitation.pk)
    return invitation


def manager_invitation_deliver(*, invitation_id: int) -> bool:
    """Email a pending invitation its link, a new token whose hash replaces the
    last one; False, sending nothing, once it is answered or withdrawn."""
    invitation = (
        ManagerInvitation.objects.pending()
        .select_related("team", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return False
    token = tokens.new_token()
    pending = ManagerInvitation.objects.pending().filter(pk=invitation.pk)
    if not pending.update(token_hash=tokens.manager_invitation_hash(token)):
        return False
    team = " ".join(invitation.team.name.split())  # a header holds one line
    inviter = invitation.invited_by.email if invitation.invited_by else ""
    body = render_to_string(
        "assessments/emails/manager_invitation.txt",
        {
            "team": team,
            "inviter": inviter,
            "email": invitation.email,
            "link": settings.SITE_URL
            + reverse("assessments:manager_invitation", args=(token,)),
            "signup": settings.SITE_URL + reverse("account_signup"),
        },
    )
    EmailMessage(
        f"Help manage {team} on servicecult",
        body,
        to=[invitation.email],
        reply_to=[inviter] if inviter else None,
    ).send()
    pending.update(sent_at=timezone.now())
    return True


def _close(invitation: ManagerInvitation, status: str, **fields) -> None:
    """Answer or withdraw a pending invitation, unless another request did first."""
    closed = (
        ManagerInvitation.objects.pending()
        .filter(pk=invitation.pk)
        .update(status=status, closed_at=timezone.now(), **fields)
    )
    if not closed:
        raise ValidationError(INVITATION_ANSWERED, code="answered")
    invitation.status = status


def _require_owner(invitation: ManagerInvitation, user) -> None:
    if not invitation.is_for(user):
        raise ValidationError(NOT_YOUR_INVITATION, code="not_yours")


@transaction.atomic
def manager_invitation_accept(*, invitation: ManagerInvitation, user) -> Team:
    """``user``, who owns the invited address, becomes a manager of the team.

    A manager cannot answer for the team: a link they were sent as a member of
    one of its anonymous rounds still collecting answers stops working."""
    _require_owner(invitation, user)
    _close(invitation, ManagerInvitation.Status.ACCEPTED, accepted_by=user)
    invitation.team.managers.add(user)
    Invitation.objects.live().filter(
        assessment__team=invitation.team,
        assessment__anonymous=True,
        normalized_email=normalized_address(user.email),
    ).exclude(assessment__status=Assessment.Status.CLOSED).update(
        status=Invitation.Status.REVOKED, normalized_email=""
    )
    return invitation.team


@transaction.atomic
def manager_invitation_decline(*, invitation: ManagerInvitation, user) -> None:
    """``user``, who owns the invited address, turns the invitation down."""
    _require_owner(invitation, user)
    _close(invitation, ManagerInvitation.Status.DECLINED)


@transaction.atomic
def manager_invitation_withdraw(*, invitation: ManagerInvitation) -> None:
    """A manager of the team takes the invitation back: its link stops working."""
    _close(invitation, ManagerInvitation.Status.WITHDRAWN)
