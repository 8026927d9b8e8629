import json
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assessments import services

DEMO_EMAIL = "demo@example.com"


class Command(BaseCommand):
    help = (
        "Create (or reuse) a demo manager and a new demo team with an open round, "
        "a vision, alignment ratings, commitment evidence and answered invitations."
    )

    def add_arguments(self, parser):
        parser.add_argument("--team-size", type=int, default=12, metavar="N")
        parser.add_argument("--answered", type=int, default=10, metavar="K")
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

    def handle(self, *args, team_size, answered, as_json, login_file, **options):
        if team_size < 0 or answered < 0:
            raise CommandError("--team-size and --answered cannot be negative.")
        if answered > team_size:
            raise CommandError("--answered cannot exceed --team-size.")
        summary = _saved_login(login_file) if login_file else None
        if summary is None:
            summary = self._seed(team_size, answered)
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
            f"Log in at {settings.SITE_URL}{reverse('account_login')} as "
            f"{summary['email']}"
        )
        self.stdout.write(f"Password: {summary['password']}")
        if summary["open_links"]:
            self.stdout.write(f"An unanswered survey link: {summary['open_links'][0]}")

    def _seed(self, team_size: int, answered: int) -> dict:
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            manager = services.demo_manager_ensure(email=DEMO_EMAIL, password=password)
            assessment, issued = services.demo_round_create(
                manager=manager,
                team_size=team_size,
                answered=answered,
                now=timezone.now(),
            )
        links = [services.survey_url(item.token) for item in issued]
        open_links = links[answered:]
        return {
            "email": manager.email,
            "password": password,
            "team_id": assessment.team_id,
            "assessment_id": assessment.pk,
            "respondents": answered,
            "links": links,
            "open_links": open_links,
        }


def _saved_login(path: Path) -> dict | None:
    """The demo login saved in ``path``, if it still logs in to this database."""
    try:
        summary = json.loads(path.read_text())
        email, password = summary["email"], summary["password"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    user = get_user_model().objects.filter(email=email).first()
    return summary if user and user.check_password(password) else None
