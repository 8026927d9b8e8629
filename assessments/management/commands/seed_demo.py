import json
import random
import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

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

DEMO_EMAIL = "demo@example.com"


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
        parser.add_argument(
            "--login-file",
            type=Path,
            metavar="PATH",
            help="Seed only if PATH does not hold a demo login that still works, "
            "and keep the new login there; otherwise show the saved one.",
        )

    def handle(
        self, *args, team_size, answered, base_url, as_json, login_file, **options
    ):
        if team_size < 0 or answered < 0:
            raise CommandError("--team-size and --answered cannot be negative.")
        if answered > team_size:
            raise CommandError("--answered cannot exceed --team-size.")
        summary = _saved_login(login_file) if login_file else None
        if summary is None:
            summary = self._seed(team_size, answered, base_url.rstrip("/"))
            if login_file:
                login_file.write_text(json.dumps(summary, ensure_ascii=False))
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo team {summary['team_id']} with an open round "
                f"(id {summary['assessment_id']}): {len(summary['links'])} invited, "
                f"{summary['respondents']} answered."
            )
        )
        self.stdout.write(
            f"Log in at {base_url.rstrip('/')}/accounts/login/ as {summary['email']}"
        )
        self.stdout.write(f"Password: {summary['password']}")
        if summary["open_links"]:
            self.stdout.write(f"An unanswered survey link: {summary['open_links'][0]}")

    def _seed(self, team_size: int, answered: int, base_url: str) -> dict:
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            manager = self._demo_manager(password)
            assessment, links, open_links = self._demo_round(
                manager, team_size, answered, base_url
            )
        return {
            "email": manager.email,
            "password": password,
            "team_id": assessment.team_id,
            "assessment_id": assessment.pk,
            "respondents": answered,
            "links": links,
            "open_links": open_links,
        }

    def _demo_manager(self, password: str):
        user, _ = get_user_model().objects.get_or_create(
            email=DEMO_EMAIL, defaults={"first_name": "Demo"}
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

        issued = services.invitations_create(
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
                services.response_build(
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

        services.assessment_rescore(assessment=assessment, now=now)
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


def _saved_login(path: Path) -> dict | None:
    """The demo login saved in ``path``, if it still logs in to this database."""
    try:
        summary = json.loads(path.read_text())
        email, password = summary["email"], summary["password"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    user = get_user_model().objects.filter(email=email).first()
    return summary if user and user.check_password(password) else None
