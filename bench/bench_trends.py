"""Queries and time of a team's trend page at 2 and 12 rounds.

Run from the repository root: ``.venv/bin/python bench/bench_trends.py``
(``--backend sqlite`` or ``--backend postgresql`` for one database only).

For each database (a temporary SQLite file, a throwaway PostgreSQL cluster) a
child process migrates, then makes two teams of one manager, with 2 and 12
closed rounds of ``RESPONDENTS`` released answers each, their stored step
results, the manager's alignment ratings and an action per round, and requests
``GET /teams/<id>/trends/`` with Django's test client, signed in as the
manager: once to warm up, then ``REPS`` times. The table gives the queries of
the last request and the median time; the queries must be the same at both
sizes (the page reads every round in the same queries).
"""

import hashlib
import json
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stack

ROUNDS = (2, 12)
RESPONDENTS = 50
REPS = 15


def seed(rounds: int, manager) -> int:
    """A team of ``manager`` with ``rounds`` closed rounds; returns its id."""
    from django.utils import timezone

    from assessments import services
    from assessments.catalogue import CATALOGUE_VERSION
    from assessments.models import (
        ActionItem,
        AlignmentRating,
        Assessment,
        Response,
        StepResult,
        Team,
        alignment_questions,
        catalogue_steps,
    )

    team = Team.objects.create(name=f"Team of {rounds} rounds")
    team.managers.add(manager)
    now = timezone.now()
    for n in range(rounds):
        opened = now - timedelta(days=30 * (rounds - n))
        round_ = services.assessment_create(team=team, created_by=manager)
        Assessment.objects.filter(pk=round_.pk).update(
            status=Assessment.Status.CLOSED,
            opened_at=opened,
            closed_at=opened + timedelta(days=14),
            team_rates_alignment=True,
        )
        Response.objects.bulk_create(
            Response(
                assessment=round_,
                respondent_key=hashlib.sha256(
                    f"bench-{rounds}-{n}-{i}".encode()
                ).hexdigest(),
                release=1,
                counts_for_minimum=True,
                vision_answer="Fix it on the first contact.",
                meaning_answer="A wrong bill is corrected before we hang up.",
                contribution_answer="I read the corrected balance back.",
                engaged=i % 3 != 0,
                vision_clear=True,
                vision_consistent=i % 2 == 0,
                meaning_clear=True,
                meaning_consistent=True,
                contribution_clear=i % 4 != 0,
                contribution_consistent=True,
                rating_goals=1 + i % 5,
                created_at=opened,
                updated_at=opened,
            )
            for i in range(RESPONDENTS)
        )
        StepResult.objects.bulk_create(
            StepResult(
                assessment=round_,
                step=step,
                status=StepResult.Status.READY,
                score=50 + n,
                computed_at=now,
            )
            for step in catalogue_steps(CATALOGUE_VERSION)
        )
        AlignmentRating.objects.bulk_create(
            AlignmentRating(assessment=round_, question=question, rating=4)
            for question in alignment_questions(CATALOGUE_VERSION)
        )
        ActionItem.objects.create(
            assessment=round_,
            title="Review the week's callbacks",
            due_on=(opened + timedelta(days=7)).date(),
            done_on=(opened + timedelta(days=6)).date(),
        )
    return team.pk


def child(backend: str) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    stack.in_process_database(backend)
    manager = get_user_model().objects.create_user(email="bench-trends@example.com")
    teams = {rounds: seed(rounds, manager) for rounds in ROUNDS}
    if backend == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    client.force_login(manager)
    for rounds, team_id in teams.items():
        path = f"/teams/{team_id}/trends/"
        client.get(path)
        times, queries = [], 0
        for _ in range(REPS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}")
            queries = len(captured.captured_queries)
        print(
            json.dumps(
                {
                    "backend": backend,
                    "rounds": rounds,
                    "queries": queries,
                    "ms": statistics.median(times),
                }
            ),
            flush=True,
        )


def run_child(backend: str, database_url: str, run_dir: Path) -> list[dict]:
    return stack.child_rows(__file__, backend, database_url, run_dir)


def report(rows: list[dict]) -> int:
    print()
    print(f"Trend page, {REPS} requests after one warm-up; median ms (queries)")
    print(f"{'database':<12}" + "".join(f"{f'{n} rounds':>16}" for n in ROUNDS))
    unequal = []
    for backend in dict.fromkeys(row["backend"] for row in rows):
        by_rounds = {row["rounds"]: row for row in rows if row["backend"] == backend}
        cells = "".join(
            f"{by_rounds[n]['ms']:>10.1f} ({by_rounds[n]['queries']:>2})"
            for n in ROUNDS
        )
        print(f"{backend:<12}{cells}")
        if len({by_rounds[n]["queries"] for n in ROUNDS}) != 1:
            unequal.append(backend)
    for backend in unequal:
        print(f"{backend}: the queries differ between sizes: NOT MET")
    return 1 if unequal else 0


def main() -> int:
    return stack.main_per_database(__doc__.split("\n")[0], child, run_child, report)


if __name__ == "__main__":
    sys.exit(main())
