"""Queries and time of the main pages at 10, 1,000 and 10,000 respondents.

Run from the repository root: ``.venv/bin/python bench/bench_pages.py``
(``--backend sqlite`` or ``--backend postgresql`` for one database only).

For each database (a temporary SQLite file, a throwaway PostgreSQL cluster) a
child process migrates, seeds one round per size with ``seed_demo`` and drives
Django's test client in-process, signed in as the demo manager:

- the readiness report, ``GET /assessments/<id>/report/``;
- the survey page of a link that has answered, ``GET /r/<token>/``, opened
  without its edit code (as anyone but its respondent sees it);
- a first submission, ``POST /r/<token>/`` (a new link each time, the previous
  link's edit-code cookie dropped: the test client sends every cookie to every
  address, where a browser sends it to its own link only);
- the dashboard, ``GET /``.

After seeding, PostgreSQL's statistics are refreshed (``ANALYZE``), as autovacuum
does within a minute of a bulk load; SQLite is left as a local database is.

Each page is requested once to warm up, then ``REPS`` times inside
``CaptureQueriesContext``; the table gives the queries of the last request and
the median time. The target: the report at 10,000 respondents within 2x of the
report at 10, and under 300 ms, on both databases. Settings are production's
(debug off) except that static files are named without the manifest, which
would need ``collectstatic`` first.
"""

import io
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stack

SIZES = (10, 1_000, 10_000)
REPS = 7
PAGES = ("report", "survey", "submit", "dashboard")
TARGET_RATIO = 2.0
TARGET_REPORT_MS = 300
ANSWERS = {
    "vision": "Fix it on the first contact, explain plainly, leave them confident.",
    "meaning": "A customer with a wrong bill gets it corrected before we hang up.",
    "contribution": "I read the corrected balance back to the customer.",
}


# --- The child: one database, in-process --------------------------------------


def measure(request, reps: int, expect: tuple[int, ...]) -> dict:
    """Warm once, then time ``reps`` requests; ``request(i)`` makes the i-th."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    request(0)
    times, sql_times, queries = [], [], 0
    for i in range(1, reps + 1):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = request(i)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code not in expect:
            raise RuntimeError(f"HTTP {response.status_code}, expected {expect}")
        queries = len(captured.captured_queries)
        sql_times.append(1000 * sum(float(q["time"]) for q in captured))
    return {
        "queries": queries,
        "ms": statistics.median(times),
        "sql_ms": statistics.median(sql_times),
    }


def child(backend: str) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from assessments.views.survey import EDIT_COOKIE

    def first_submission(client, path):
        client.cookies.pop(EDIT_COOKIE, None)  # the previous link's
        return client.post(path, ANSWERS)

    stack.in_process_database(backend)

    for size in SIZES:
        out = io.StringIO()
        started = time.perf_counter()
        call_command(
            "seed_demo",
            team_size=size + REPS + 1,
            answered=size,
            as_json=True,
            stdout=out,
        )
        seeded = json.loads(out.getvalue())
        seconds = time.perf_counter() - started
        if backend == "postgresql":
            # As autovacuum would within a minute of a bulk load: without
            # statistics the planner guesses, and the first minute is not
            # what a round lives with.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        paths = [link.split("127.0.0.1:8000", 1)[1] for link in seeded["links"]]
        answered, unanswered = paths[0], paths[size:]
        client = Client()
        client.force_login(get_user_model().objects.get(email=seeded["email"]))
        report = f"/assessments/{seeded['assessment_id']}/report/"

        # The submissions come last: they add respondents, and every other page
        # is measured on the round as seeded.
        figures = {
            "report": measure(lambda i, c=client, p=report: c.get(p), REPS, (200,)),
            "survey": measure(lambda i, c=client, p=answered: c.get(p), REPS, (200,)),
            "dashboard": measure(lambda i, c=client: c.get("/"), REPS, (200,)),
            "submit": measure(
                lambda i, c=client, u=unanswered: first_submission(c, u[i]),
                REPS,
                (302,),
            ),
        }
        print(
            json.dumps(
                {"backend": backend, "size": size, "seed_s": seconds, **figures}
            ),
            flush=True,
        )


# --- The parent: one child per database ---------------------------------------


def run_child(backend: str, database_url: str, run_dir: Path) -> list[dict]:
    return stack.child_rows(__file__, backend, database_url, run_dir)


def report(rows: list[dict]) -> int:
    print()
    print(f"{REPS} requests per page after one warm-up; median ms (queries)")
    header = f"{'database':<12}{'page':<11}" + "".join(f"{n:>16,}" for n in SIZES)
    print(header + f"{'10k/10':>9}")
    missed = []
    for backend in dict.fromkeys(row["backend"] for row in rows):
        by_size = {row["size"]: row for row in rows if row["backend"] == backend}
        for page in PAGES:
            cells = "".join(
                f"{by_size[n][page]['ms']:>10.1f} ({by_size[n][page]['queries']:>2})"
                for n in SIZES
            )
            ratio = by_size[SIZES[-1]][page]["ms"] / by_size[SIZES[0]][page]["ms"]
            print(f"{backend:<12}{page:<11}{cells}{ratio:>8.1f}x")
        sql = "".join(f"{by_size[n]['report']['sql_ms']:>16.0f}" for n in SIZES)
        print(f"{'':<12}{'report SQL':<11}{sql}   (ms, Django's 1 ms resolution)")
        seeds = "".join(f"{by_size[n]['seed_s']:>16.1f}" for n in SIZES)
        print(f"{'':<12}{'seeding s':<11}{seeds}")
        big, small = by_size[SIZES[-1]]["report"], by_size[SIZES[0]]["report"]
        ratio = big["ms"] / small["ms"]
        ok_ratio, ok_ms = ratio <= TARGET_RATIO, big["ms"] < TARGET_REPORT_MS
        print(
            f"{backend}: report at {SIZES[-1]:,} is {ratio:.2f}x the report at "
            f"{SIZES[0]} (target <= {TARGET_RATIO:g}x): "
            f"{'met' if ok_ratio else 'NOT MET'}; {big['ms']:.1f} ms "
            f"(target < {TARGET_REPORT_MS} ms): {'met' if ok_ms else 'NOT MET'}"
        )
        if not (ok_ratio and ok_ms):
            missed.append(backend)
        print()
    return 1 if missed else 0


def main() -> int:
    return stack.main_per_database(__doc__.split("\n")[0], child, run_child, report)


if __name__ == "__main__":
    sys.exit(main())
