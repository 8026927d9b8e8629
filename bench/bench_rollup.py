"""Queries and time of the roll-up of a division of 200 teams of 50 respondents.

Run from the repository root: ``.venv/bin/python bench/bench_rollup.py``
(``--backend sqlite`` or ``--backend postgresql`` for one database only).

For each database (a temporary SQLite file, a throwaway PostgreSQL cluster) a
child process migrates and seeds, in bulk, one division of 4 departments and
``TEAMS`` teams beneath them, each with one closed round of ``PEOPLE`` released
respondents, its four stored step results and the manager's five alignment
ratings (every 25th team has 2 respondents, so the page folds some teams). It
then drives Django's test client in-process, signed in as the division's
manager, over ``GET /teams/<id>/rollup/`` and its CSV export: one warm-up, then
``REPS`` requests each; the table gives the queries of the last request and the
median time. The target: under 300 ms on both databases. After seeding,
PostgreSQL's statistics are refreshed (``ANALYZE``), as autovacuum would.
"""

import json
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stack
from bench.bench_pages import measure

TEAMS = 200
PEOPLE = 50
REPS = 7
TARGET_MS = 300


def seed(manager):
    """The division and everything beneath it, in bulk; returns the division."""
    from datetime import timedelta

    from django.utils import timezone

    from assessments.catalogue import CATALOGUE_VERSION
    from assessments.models import (
        AlignmentRating,
        Assessment,
        Question,
        Response,
        Step,
        StepResult,
        Team,
    )

    now = timezone.now()
    division = Team.objects.create(name="Customer care", level=Team.Level.DIVISION)
    division.managers.add(manager)
    departments = Team.objects.bulk_create(
        Team(name=f"Department {n}", level=Team.Level.DEPARTMENT, parent=division)
        for n in range(4)
    )
    teams = Team.objects.bulk_create(
        Team(name=f"Team {n:03}", parent=departments[n % 4]) for n in range(TEAMS)
    )
    rounds = Assessment.objects.bulk_create(
        Assessment(
            team=team,
            title=f"Round of {team.name}",
            status=Assessment.Status.CLOSED,
            opened_at=now - timedelta(days=14),
            closed_at=now - timedelta(days=7),
            team_rates_alignment=True,
        )
        for team in teams
    )
    steps = list(Step.objects.filter(version=CATALOGUE_VERSION).order_by("number"))
    questions = list(
        Question.objects.filter(step__key="alignment", step__version=CATALOGUE_VERSION)
    )
    StepResult.objects.bulk_create(
        StepResult(
            assessment=assessment,
            step=step,
            status="ready" if (assessment.pk + step.number) % 3 else "not_yet",
            score=(assessment.pk * 7 + step.number * 13) % 101,
            computed_at=now,
        )
        for assessment in rounds
        for step in steps
    )
    AlignmentRating.objects.bulk_create(
        AlignmentRating(
            assessment=assessment,
            question=question,
            rating=1 + (assessment.pk + question.position) % 5,
        )
        for assessment in rounds
        for question in questions
    )
    Response.objects.bulk_create(
        (
            Response(
                assessment=assessment,
                respondent_key=secrets.token_hex(32),
                release=1,
                counts_for_minimum=True,
                engaged=person % 3 != 0,
                rating_goals=1 + person % 5,
                rating_hiring=1 + (person + 1) % 5,
                vision_answer="Fix it on the first contact.",
                meaning_answer="A wrong bill is corrected before we hang up.",
                contribution_answer="I read the corrected balance back.",
                created_at=now,
                updated_at=now,
            )
            for number, assessment in enumerate(rounds)
            for person in range(2 if number % 25 == 0 else PEOPLE)
        ),
        batch_size=2000,
    )
    return division


def child(backend: str) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    stack.in_process_database(backend)
    manager = get_user_model().objects.create_user(
        email="division@example.com", password=secrets.token_urlsafe()
    )
    started = time.perf_counter()
    division = seed(manager)
    seconds = time.perf_counter() - started
    if backend == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(manager)
    page = f"/teams/{division.pk}/rollup/"
    figures = {
        "rollup": measure(lambda i, c=client, p=page: c.get(p), REPS, (200,)),
        "csv": measure(
            lambda i, c=client, p=f"{page}export/": _read(c.get(p)), REPS, (200,)
        ),
    }
    print(json.dumps({"backend": backend, "seed_s": seconds, **figures}), flush=True)


def _read(response):
    b"".join(response.streaming_content)  # the rows are built as they stream
    return response


def run_child(backend: str, database_url: str, run_dir: Path) -> list[dict]:
    return stack.child_rows(__file__, backend, database_url, run_dir)


def report(rows: list[dict]) -> int:
    print()
    print(
        f"{TEAMS} teams x {PEOPLE} respondents; {REPS} requests after one warm-up; "
        "median ms (queries)"
    )
    missed = False
    for row in rows:
        for page in ("rollup", "csv"):
            figures = row[page]
            ok = figures["ms"] < TARGET_MS
            missed = missed or not ok
            print(
                f"{row['backend']:<12}{page:<8}{figures['ms']:>8.1f} ms "
                f"({figures['queries']} queries, SQL {figures['sql_ms']:.0f} ms) "
                f"target < {TARGET_MS} ms: {'met' if ok else 'NOT MET'}"
            )
        print(f"{row['backend']:<12}seeded in {row['seed_s']:.1f} s")
    return 1 if missed else 0


def main() -> int:
    return stack.main_per_database(__doc__.split("\n")[0], child, run_child, report)


if __name__ == "__main__":
    sys.exit(main())
