"""The demo team ``make run`` seeds: a round with every step filled in, its
key ideas confirmed."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from assessments import demo, scoring
from assessments.models import (
    ActionItem,
    AlignmentRating,
    Assessment,
    Invitation,
    Question,
    Response,
)
from assessments.services.invitations import (
    Invitee,
    IssuedInvitation,
    invitations_create,
)
from assessments.services.judging import assessment_rescore
from assessments.services.rounds import assessment_create, assessment_open
from assessments.services.survey import response_build
from assessments.services.teams import team_create


@transaction.atomic
def demo_manager_ensure(*, email: str, password: str):
    """The demo manager, created once; an administrator too, with a new password
    and its address confirmed, so it logs in at once."""
    user, _ = get_user_model().objects.get_or_create(
        email=email, defaults={"first_name": "Demo"}
    )
    # The demo manager administers the demo too, so it can see it in the admin.
    user.is_staff = True
    user.is_superuser = True
    user.set_password(password)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def demo_round_create(
    *, manager, team_size: int, answered: int, now: datetime
) -> tuple[Assessment, list[IssuedInvitation]]:
    """A new demo team with an open round, every step filled in and ``answered``
    of its ``team_size`` invitations answered, scored like any round."""
    team_number = manager.managed_teams.count() + 1
    team = team_create(name=f"Customer Care demo {team_number}", manager=manager)
    assessment = assessment_create(team=team, created_by=manager, title="Demo round")
    assessment_open(assessment=assessment, now=now)
    vision = assessment.vision
    vision.statement = demo.DEMO_VISION
    vision.has_vision = True
    vision.key_ideas = scoring.ideas_as_data(demo.DEMO_KEY_IDEAS)
    vision.key_ideas_vision = demo.DEMO_VISION
    vision.save()
    _demo_steps_fill(assessment, manager, now)

    issued = invitations_create(
        assessment=assessment,
        invitees=[Invitee(name=f"Team member {n}") for n in range(1, team_size + 1)],
    )
    # Not for security: reproducible variety in the demo answers of each team.
    rng = random.Random(team.pk)  # noqa: S311
    responses = []
    for item in issued[:answered]:
        pool = demo.ENGAGED_ANSWERS if rng.random() < 0.7 else demo.NOT_ENGAGED_ANSWERS
        vision_answer, meaning, contribution = rng.choice(pool)
        responses.append(
            response_build(
                assessment=assessment,
                token=item.token,
                invitation=item.invitation,
                vision=vision_answer,
                meaning=meaning,
                contribution=contribution,
                now=now,
                release=1,
            )
        )
    # Shown as one release, through the demo links, which now read as used.
    Response.objects.bulk_create(responses, batch_size=1000)
    Invitation.objects.filter(
        pk__in=[item.invitation.pk for item in issued[:answered]]
    ).update(status=Invitation.Status.RESPONDED, link_used=True)

    assessment_rescore(assessment_id=assessment.pk, now=now)
    return assessment, issued


def _demo_steps_fill(assessment: Assessment, manager, now: datetime) -> None:
    questions = Question.objects.for_version(assessment.catalogue_version).of_step(
        "alignment"
    )
    AlignmentRating.objects.bulk_create(
        AlignmentRating(
            assessment=assessment,
            question=question,
            rating=demo.ALIGNMENT_RATINGS[question.key][0],
            evidence=demo.ALIGNMENT_RATINGS[question.key][1],
            updated_by=manager,
        )
        for question in questions
    )
    commitment = assessment.commitment
    commitment.hours_per_week = Decimal("3.0")
    commitment.budget = Decimal("2500.00")
    commitment.budget_currency = "EUR"
    commitment.attention = "Service is the first item of the weekly leadership meeting."
    commitment.owner = "Priya Shah"
    commitment.sponsor = "Alex Morgan, Head of Operations"
    commitment.reassess_on = (now + timedelta(days=120)).date()
    commitment.save()
    ActionItem.objects.bulk_create(
        ActionItem(
            assessment=assessment,
            title=title,
            owner=owner,
            due_on=(now + timedelta(days=days)).date(),
        )
        for title, owner, days in demo.ACTIONS
    )
