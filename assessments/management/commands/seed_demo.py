import json
import random
import secrets
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments import demo, services
from assessments.models import (
    ActionItem,
    AlignmentRating,
    Invitation,
    Question,
    Response,
)

DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = (
        "Create (or reuse) a demo manager and a new demo team with an open round, "
        "a vision, alignment ratings, commitment evidence and answered invitations."
    )

    def add_arguments(self, parser):
        parser.add_argument("--team-size", type=int, default=12, metavar="N")
        parser.add_argument("--answered", type=int, default=10, metavar="K")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print one JSON object and nothing else.",
        )

    def handle(self, *args, team_size, answered, base_url, as_json, **options):
        if team_size < 0 or answered < 0:
            raise CommandError("--team-size and --answered cannot be negative.")
        if answered > team_size:
            raise CommandError("--answered cannot exceed --team-size.")
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            manager = self._demo_manager(password)
            assessment, links, open_links = self._demo_round(
                manager, team_size, answered, base_url.rstrip("/")
            )
        summary = {
            "username": manager.username,
            "password": password,
            "team_id": assessment.team_id,
            "assessment_id": assessment.pk,
            "respondents": answered,
            "links": links,
            "open_links": open_links,
        }
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo team {assessment.team.name!r} (id {assessment.team_id}) with an "
                f"open round (id {assessment.pk}): {team_size} invited, "
                f"{answered} answered."
            )
        )
        self.stdout.write(f"Log in at {base_url}/accounts/login/ as {manager.username}")
        self.stdout.write(f"Password: {password}")
        if open_links:
            self.stdout.write(f"An unanswered survey link: {open_links[0]}")

    def _demo_manager(self, password: str):
        user, _ = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"email": "demo@example.com", "first_name": "Demo"},
        )
        # The demo manager administers the demo too, so it can see it in the admin.
        user.is_staff = True
        user.is_superuser = True
        user.set_password(password)
        user.save()
        return user

    def _demo_round(self, manager, team_size: int, answered: int, base_url: str):
        now = timezone.now()
        team_number = manager.managed_teams.count() + 1
        team = services.team_create(
            name=f"Customer Care demo {team_number}", manager=manager
        )
        assessment = services.assessment_create(
            team=team, created_by=manager, title="Demo round"
        )
        services.assessment_open(assessment=assessment, now=now)
        vision = assessment.vision
        vision.statement = demo.DEMO_VISION
        vision.has_vision = True
        vision.save()
        self._fill_alignment_and_commitment(assessment, manager, now)

        issued = services.invitations_issue(
            assessment=assessment,
            invitees=[
                services.Invitee(name=f"Team member {n}")
                for n in range(1, team_size + 1)
            ],
        )
        # Not for security: reproducible variety in the demo answers of each team.
        rng = random.Random(team.pk)  # noqa: S311
        responses = []
        for item in issued[:answered]:
            pool = (
                demo.ENGAGED_ANSWERS if rng.random() < 0.7 else demo.NOT_ENGAGED_ANSWERS
            )
            vision_answer, meaning, contribution = rng.choice(pool)
            responses.append(
                services.build_response(
                    assessment=assessment,
                    token=item.token,
                    invitation=item.invitation,
                    vision=vision_answer,
                    meaning=meaning,
                    contribution=contribution,
                    now=now,
                )
            )
        Response.objects.bulk_create(responses, batch_size=1000)
        Invitation.objects.filter(
            pk__in=[item.invitation.pk for item in issued[:answered]]
        ).update(status=Invitation.Status.RESPONDED)

        links = [
            base_url + reverse("assessments:survey", args=(item.token,))
            for item in issued
        ]
        return assessment, links, links[answered:]

    def _fill_alignment_and_commitment(self, assessment, manager, now) -> None:
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
        commitment.attention = (
            "Service is the first item of the weekly leadership meeting."
        )
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
