"""Queries and time of the two list pages as they grow: the manager's dashboard
at 10 and 200 teams, and the admin's rounds changelist at 10 and 1,000 rounds.

Run from the repository root: ``.venv/bin/python bench/bench_lists.py``.

For each database (a temporary SQLite file, a throwaway PostgreSQL cluster) a
child process migrates, creates the teams and rounds in bulk and drives Django's
test client in-process: one warm-up, then ``REPS`` requests, median time. Target:
the same queries at both sizes, and under 150 ms.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stack

REPS = 7
TARGET_MS = 150
# Each page at each size, smallest first: the rounds are only ever added to.
STEPS = (
    ("dashboard", 10),
    ("changelist", 10),
    ("dashboard", 200),
    ("changelist", 1_000),
)


def child() -> None:
    """Measure both pages on the database named by DATABASE_URL."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from assessments import models
    from assessments.models import catalogue_steps

    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    user_model = django.contrib.auth.get_user_model()
    manager = user_model.objects.create_superuser("bench@example.com", "x")
    steps = catalogue_steps(1)

    def rounds_for(count: int) -> None:
        """Teams of the manager until there are ``count``, each with one round
        whose four steps have a stored readiness."""
        have = models.Team.objects.count()
        teams = models.Team.objects.bulk_create(
            models.Team(name=f"Team {n:04d}") for n in range(have, count)
        )
        models.Team.managers.through.objects.bulk_create(
            models.Team.managers.through(team_id=team.pk, user_id=manager.pk)
            for team in teams
        )
        now = timezone.now()
        for team in teams:
            assessment = models.Assessment.objects.create(
                team=team, status="open", opened_at=now
            )
            models.StepResult.objects.bulk_create(
                models.StepResult(
                    assessment=assessment,
                    step=step,
                    status="ready" if step.number == 1 else "not_yet",
                    score=60,
                    computed_at=now,
                )
                for step in steps
            )

    client = Client()
    client.force_login(manager)
    urls = {"dashboard": "/", "changelist": "/admin/assessments/assessment/"}
    nouns = {"dashboard": "teams", "changelist": "rounds"}
    for page, size in STEPS:
        rounds_for(size)
        assert models.Assessment.objects.count() == size
        client.get(urls[page])
        times = []
        for _ in range(REPS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(urls[page])
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        median = statistics.median(times)
        verdict = "met" if median < TARGET_MS else "NOT met"
        print(
            f"  {page:<11} {size:>6,} {nouns[page] + ':':<7} {median:7.1f} ms, "
            f"{len(queries):2} queries (under {TARGET_MS} ms: {verdict})",
            flush=True,
        )


def run(label: str, database_url: str, run_dir: Path) -> None:
    print(f"{label}:", flush=True)
    env = stack.app_env(database_url, run_dir, stack.new_secret_key())
    (run_dir / "static").mkdir(exist_ok=True)  # no files needed, only the folder
    subprocess.run(
        [sys.executable, __file__, "--child"], env=env, check=True, timeout=600
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as run_dir:
        run("sqlite", f"sqlite:///{run_dir}/lists.sqlite3", Path(run_dir))
        with stack.postgres() as cluster:
            run("postgresql", cluster.url, Path(run_dir))


if __name__ == "__main__":
    if "--child" in sys.argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecult.settings")
        child()
    else:
        main()
