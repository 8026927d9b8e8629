"""Survey submissions per second under gunicorn on PostgreSQL, against a baseline.

Run from the repository root: ``.venv/bin/python bench/bench_submit.py``.

It starts a throwaway PostgreSQL cluster and the app under gunicorn (5 sync
workers, persistent connections, production settings on plain HTTP), seeds a
round with ``seed_demo``, and sends 16 concurrent browsers at three endpoints
of the same server in the same run:

- the survey submission, ``POST /r/<token>/``, each to its own personal link of
  the seeded anonymous round (a first submission: the link's look-up,
  validation, scoring, a new edit code, and one statement that upserts the
  response and its three judgements; the invitation is marked answered later,
  by the worker's release);
- the baseline, ``POST /bench/baseline/`` (``bench/baseline.py``): the same
  middleware and form fields, one INSERT through a cursor, nothing else: the
  ceiling, which the target is measured against;
- the ORM baseline, ``POST /bench/baseline-orm/``: the same row stored with
  ``objects.create()``, for reference only.

The three take turns in blocks, so drift on this noisy machine falls on all. At
most 5,000 requests and 60 seconds, CSRF priming and warm-up included. It prints
requests/s, p50, p99 and errors for each, the survey/baseline ratio (target at
least 60%) and, for reference, the survey/ORM-baseline ratio, the survey's p99
(target under 100 ms), and checks that the stored rows match the successful
responses. It exits non-zero on an error or a mismatch; a missed target is
printed, not fatal.
"""

import argparse
import sys
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assessments.demo import ENGAGED_ANSWERS, NOT_ENGAGED_ANSWERS
from bench import stack
from bench.baseline import (
    BASELINE_PATH,
    COUNT_ORM_ROWS,
    COUNT_ROWS,
    CREATE_TABLES,
    FIELDS,
    ORM_BASELINE_PATH,
)

MAX_REQUESTS = 5_000
MAX_SECONDS = 60
WARMUP = 100
BLOCK = 375
TURNS = 4
TARGET_RATIO = 0.60
TARGET_P99_MS = 100
ANSWERS = ENGAGED_ANSWERS + NOT_ENGAGED_ANSWERS


def answers(n: int) -> dict[str, str]:
    return dict(zip(FIELDS, ANSWERS[n % len(ANSWERS)], strict=True))


def survey_task(token: str, n: int) -> stack.Task:
    return lambda client: client.post(stack.survey_path(token), answers(n))


def baseline_task(path: str, n: int) -> stack.Task:
    return lambda client: client.post(path, answers(n))


# The kinds of request, in the order each turn sends them, and their labels.
BASELINES = {"baseline": BASELINE_PATH, "orm": ORM_BASELINE_PATH}
LABELS = {
    "baseline": "baseline insert",
    "orm": "ORM create",
    "survey": "survey submit",
}


def stored_rows(cluster: stack.Cluster, assessment_id: int) -> dict[str, int]:
    queries = {
        "responses": (
            "SELECT count(*) FROM assessments_response WHERE assessment_id = %s"
        ),
        "judgements": (
            "SELECT count(*) FROM assessments_answerjudgement j "
            "JOIN assessments_response r ON r.id = j.response_id "
            "WHERE r.assessment_id = %s"
        ),
        "waiting": (
            "SELECT count(*) FROM assessments_response "
            "WHERE assessment_id = %s AND link_key IS NOT NULL AND release IS NULL"
        ),
        "answered": (
            "SELECT count(*) FROM assessments_invitation "
            "WHERE assessment_id = %s AND status = 'responded'"
        ),
    }
    conn = cluster.connect()
    try:
        with conn.cursor() as cur:
            counts = {}
            for name, sql in queries.items():
                cur.execute(sql, (assessment_id,))
                counts[name] = cur.fetchone()[0]
            for name, sql in (("baseline", COUNT_ROWS), ("orm", COUNT_ORM_ROWS)):
                cur.execute(sql)
                counts[name] = cur.fetchone()[0]
    finally:
        conn.close()
    return counts


def line(label: str, s: stack.Summary) -> str:
    return (
        f"{label:<18}{s.sent:>9}{s.ok:>7}{s.server_errors:>6}{s.other_errors:>7}"
        f"{s.per_second:>9.0f}{s.p50_ms:>9.1f}{s.p99_ms:>9.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()

    links = WARMUP + TURNS * BLOCK
    planned = args.clients + len(LABELS) * links
    assert planned <= MAX_REQUESTS, planned
    with stack.run_directory() as run_dir, stack.postgres() as cluster:
        env = stack.app_env(cluster.url, run_dir, stack.new_secret_key())
        stack.prepare(env)
        for sql in CREATE_TABLES:
            cluster.execute(sql)
        round_ = stack.seed(env, team_size=links)
        tokens = iter(enumerate(round_.tokens))
        stack.say(f"Seeded round {round_.assessment_id} with {links} links")

        runs: dict[str, list] = {kind: [] for kind in LABELS}
        warm: dict[str, list] = {kind: [] for kind in LABELS}
        cpu = {kind: dict.fromkeys(("app", "db", "client"), 0.0) for kind in runs}
        with stack.gunicorn(env, run_dir, workers=args.workers) as server:
            budget = stack.Budget(MAX_REQUESTS, MAX_SECONDS)

            def measured(load: stack.Load, kind: str, tasks) -> None:
                pids = {"app": server.worker_pids(), "db": cluster.pids()}
                before = {name: stack.cpu_seconds(p) for name, p in pids.items()}
                client_before = time.process_time()
                runs[kind].append(load.run(tasks))
                for name, p in pids.items():
                    cpu[kind][name] += stack.cpu_seconds(p) - before[name]
                cpu[kind]["client"] += time.process_time() - client_before

            def tasks(kind: str, count: int):
                if kind == "survey":
                    return (survey_task(t, n) for n, t in islice(tokens, count))
                return (baseline_task(BASELINES[kind], n) for n in range(count))

            with stack.Load(server.port, args.clients, budget) as load:
                for kind in LABELS:
                    warm[kind].append(load.run(tasks(kind, WARMUP)))
                for turn in range(TURNS):
                    for kind in LABELS:
                        measured(load, kind, tasks(kind, BLOCK))
                    rates = ", ".join(
                        f"{kind} {stack.summarise(runs[kind][-1:]).per_second:.0f}/s"
                        for kind in LABELS
                    )
                    stack.say(f"turn {turn + 1}: {rates}")
            server_log = server.log()
            used, elapsed = budget.used, budget.elapsed()
        rows = stored_rows(cluster, round_.assessment_id)

    summaries = {kind: stack.summarise(runs[kind]) for kind in LABELS}
    baseline, orm, survey = (summaries[k] for k in ("baseline", "orm", "survey"))
    all_ok = {kind: stack.summarise(warm[kind] + runs[kind]).ok for kind in LABELS}
    ratio = survey.per_second / baseline.per_second if baseline.per_second else 0.0
    orm_ratio = survey.per_second / orm.per_second if orm.per_second else 0.0

    print()
    print(
        f"{args.workers} sync workers, {args.clients} concurrent clients, "
        f"{used} requests in {elapsed:.1f} s "
        f"(limits {MAX_REQUESTS} and {MAX_SECONDS} s)"
    )
    print(
        f"{'':<18}{'requests':>9}{'ok':>7}{'5xx':>6}{'other':>7}{'req/s':>9}"
        f"{'p50 ms':>9}{'p99 ms':>9}"
    )
    for kind, summary in summaries.items():
        print(line(LABELS[kind], summary))
    print()
    print(
        "CPU time per successful request, ms (gunicorn workers / PostgreSQL / client):"
    )
    totals = {}
    for kind, summary in summaries.items():
        per = {
            name: 1000 * seconds / max(summary.ok, 1)
            for name, seconds in cpu[kind].items()
        }
        totals[kind] = sum(per.values())
        print(
            f"  {kind:<9}{per['app']:>7.2f} /{per['db']:>6.2f} /{per['client']:>6.2f}"
            f"   total {totals[kind]:.2f}"
        )
    print(
        "  survey/baseline by CPU per request (less noisy): "
        f"{totals['baseline'] / totals['survey']:.0%}"
        f" (survey/ORM create {totals['orm'] / totals['survey']:.0%})"
    )
    print()
    ratio_met = ratio >= TARGET_RATIO
    p99_met = survey.p99_ms < TARGET_P99_MS
    print(
        f"survey/baseline: {ratio:.0%} (target >= {TARGET_RATIO:.0%}): "
        f"{'met' if ratio_met else 'NOT MET'}"
    )
    print(
        f"survey/ORM create: {orm_ratio:.0%} "
        "(for reference: the target's ceiling is the baseline insert)"
    )
    print(
        f"survey p99: {survey.p99_ms:.1f} ms (target < {TARGET_P99_MS} ms): "
        f"{'met' if p99_met else 'NOT MET'}"
    )

    failures = []
    expected = {
        "responses": all_ok["survey"],
        "judgements": 3 * all_ok["survey"],
        "waiting": all_ok["survey"],  # for the worker to release them
        "answered": 0,  # until then
        "baseline": all_ok["baseline"],
        "orm": all_ok["orm"],
    }
    for name, want in expected.items():
        got = rows[name]
        verdict = "ok" if got == want else "MISMATCH"
        print(
            f"stored {name}: {got}, expected {want} from successful responses: "
            f"{verdict}"
        )
        if got != want:
            failures.append(f"stored {name} {got} != {want}")
    errors = sum(s.server_errors + s.other_errors for s in summaries.values())
    if errors:
        failures.append(f"{errors} failed requests")
        print(server_log[-3000:])
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
