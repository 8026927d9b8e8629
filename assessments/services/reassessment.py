"""Re-assessment: a team's next round starts from its previous one, and the
managers are reminded when the commitment's re-assessment date comes.

Starting from the previous round (the team's latest that has opened) copies its
settings, its vision with the key ideas confirmed for it, its people and its
open actions into the new draft, where each stays editable until it opens.
People come as new invitations, not sent: no link, response, edit code or state
of the earlier round comes with them, so an anonymous round copies nothing that
tells who answered. Done actions stay behind; open ones carry over with their
owner and due date, each keeping a link to the action it carries over.

The reminder is a task run from the date (``run_after``), enqueued when the date
is set or changed and by ``manage.py worker`` as it starts. It emails each of the
team's managers once (``Commitment.reassess_reminded_at``), and nothing once a
newer round of the team has started.
"""

from datetime import datetime, time

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.utils import bulk_create_with_history

from assessments import tokens
from assessments.addresses import normalized_address
from assessments.models import ActionItem, Assessment, Commitment, Invitation
from assessments.services import mail

# The settings a new round takes from the previous one unless given: all but its
# title and closing date (a day already gone by).
CARRIED_SETTINGS = (
    "anonymous",
    "min_group_for_scores",
    "min_group_for_verbatims",
    "ready_engaged_share",
    "ready_min_respondents",
    "ready_min_participation",
    "team_rates_alignment",
    "remind_after_days",
)
VISION_FIELDS = ("statement", "has_vision", "key_ideas", "key_ideas_vision")


def carried_settings(previous: Assessment) -> dict:
    """The settings of ``previous`` a new round starts with."""
    return {name: getattr(previous, name) for name in CARRIED_SETTINGS}


def round_copy(*, source: Assessment, target: Assessment, user) -> None:
    """Copy the vision, people and open actions of ``source`` into the new draft
    ``target`` of the same team; its settings are the caller's."""
    vision = target.vision
    stored = type(vision).objects.values(*VISION_FIELDS).get(assessment=source)
    for name, value in stored.items():
        setattr(vision, name, value)
    vision.updated_by = user
    vision.save()
    _people_copy(source, target)
    bulk_create_with_history(
        [
            ActionItem(
                assessment=target,
                title=action.title,
                owner=action.owner,
                due_on=action.due_on,
                carried_from=action,
                updated_by=user,
            )
            for action in source.actions.filter(done_on__isnull=True).order_by("pk")
        ],
        ActionItem,
        default_user=user,
    )


def _people_copy(source: Assessment, target: Assessment) -> None:
    """The live invitations of ``source`` that name someone, as new unsent
    invitations of ``target``, in the order they were added; whether each was
    answered is not read. An anonymous ``target`` takes only people with an
    address and none of the team's managers, as inviting them would be refused."""
    people = source.invitations.live().exclude(name="", email="").order_by("pk")
    people = list(people.values_list("name", "email"))
    if target.anonymous:
        managers = {
            normalized_address(email)
            for email in target.team.managers.values_list("email", flat=True)
        }
        people = [
            (name, email)
            for name, email in people
            if email and normalized_address(email) not in managers
        ]
    Invitation.objects.bulk_create(
        [
            Invitation(
                assessment=target,
                # A fresh link nobody is shown: sending the invitation issues
                # the one it carries.
                token_hash=tokens.invitation_hash(tokens.new_token()),
                name=name,
                email=email,
                normalized_email=normalized_address(email),
            )
            for name, email in people
        ],
        batch_size=1000,
    )


# --- The reminder ---------------------------------------------------------------


def reassess_at(commitment: Commitment) -> datetime | None:
    """When the re-assessment reminder is due: as its day begins, local time."""
    if commitment.reassess_on is None:
        return None
    return timezone.make_aware(datetime.combine(commitment.reassess_on, time.min))


def reassessment_schedule(*, commitment: Commitment, previous_date) -> bool:
    """After a commitment is saved: if its re-assessment date changed from
    ``previous_date``, the reminder is to go out again, on the new date; whether
    one was enqueued."""
    if commitment.reassess_on == previous_date:
        return False
    Commitment.objects.filter(pk=commitment.pk).update(reassess_reminded_at=None)
    commitment.reassess_reminded_at = None
    due = reassess_at(commitment)
    if due is None:
        return False
    return mail.enqueue_on_commit("reassessment_remind", commitment.pk, at=due)


def _newer_rounds():
    """The rounds of a commitment's team started after its own."""
    return Assessment.objects.filter(
        team_id=OuterRef("assessment__team_id"),
        created_at__gt=OuterRef("assessment__created_at"),
    )


@transaction.atomic
def reassessment_remind_due(*, commitment_id: int, now: datetime | None = None) -> int:
    """Email the team's managers that it is time to re-assess, if the
    commitment's date has come, it has not been sent, and no newer round of the
    team has started; returns how many were emailed. If sending fails nothing is
    marked, so the task can run again."""
    now = now or timezone.now()
    commitment = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("assessment__team")
        .annotate(superseded=Exists(_newer_rounds()))
        .filter(pk=commitment_id)
        .first()
    )
    if commitment is None or commitment.reassess_reminded_at is not None:
        return 0
    due = reassess_at(commitment)
    if due is None or due > now or commitment.superseded:
        return 0
    team = commitment.assessment.team
    recipients = sorted(team.managers.exclude(email="").values_list("email", flat=True))
    if not recipients:
        return 0
    name = " ".join(team.name.split())  # a header holds one line
    body = render_to_string(
        "assessments/emails/reassessment.txt",
        {
            "team": name,
            "date": date_format(commitment.reassess_on, "j F Y"),
            "round": commitment.assessment,
            "link": settings.SITE_URL
            + reverse("assessments:assessment_create", args=(team.pk,)),
        },
    )
    subject = f"Time to re-assess {name}"
    for email in recipients:
        EmailMessage(subject, body, to=[email]).send()
    Commitment.objects.filter(pk=commitment.pk).update(reassess_reminded_at=now)
    return len(recipients)


def reassessments_resume(*, now: datetime | None = None) -> int:
    """Enqueue, now, the reminder of every re-assessment date that has come
    without one being sent, in rounds that are still their team's latest;
    returns how many. For a worker starting up, as the round timetable."""
    today = timezone.localdate(now or timezone.now())
    due = Commitment.objects.filter(
        reassess_on__lte=today, reassess_reminded_at__isnull=True
    ).exclude(Exists(_newer_rounds()))
    count = 0
    for pk in due.values_list("pk", flat=True):
        count += mail.enqueue_on_commit("reassessment_remind", pk)
    return count
