"""Full scorings on the worker: their cost, and what the pages feel meanwhile.

Run from the repository root: ``.venv/bin/python bench/bench_rescore.py``.

It starts a throwaway PostgreSQL cluster and the app under gunicorn (5 sync
workers, production settings on plain HTTP, as ``bench_submit.py`` does), seeds
a round of 5,000 answered links (and more unanswered ones) with ``seed_demo``,
then:

1. imports 5,000 more answers, varied like ``bench_scoring.py``'s, with
   ``manage.py import_answers`` (which only checks and queues the file) and a
   ``db_worker --batch --max-tasks 1`` process that imports them;
2. times the report through gunicorn just after that import, its full scoring
   of 10,000 respondents still queued (target under 300 ms), again after
   ``ANALYZE``, then while a worker runs that scoring, then after it;
3. scores the 10,000 again ``RUNS`` times each way, each in a ``db_worker
   --batch`` process of its own: after a new vision statement (every answer
   judged differently, so every row rewritten) and with nothing changed (no row
   written). It follows the scoring's row for the worker's start, the engine
   reading every answer, and judging and storing; with the wall time and the
   process's peak memory (``os.wait4``), beside an idle worker's;
4. sends 16 concurrent clients at the survey, each submission to its own link
   of the same round, in blocks with no scoring running and blocks while a
   worker scores the round after a new vision statement, ``TURNS`` times, the
   worker at each niceness of ``NICENESS`` in turn: p50 and p99 of each (target
   for the p99 while a scoring runs: under 100 ms).

At most ``MAX_REQUESTS`` requests and ``MAX_SECONDS`` of load; every process it
starts is stopped on exit. Figures are printed; a missed target is printed,
not fatal.
"""

import contextlib
import csv
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stack
from bench.bench_scoring import answers_for
from bench.bench_submit import answers as survey_answers

ANSWERED = 5_000
IMPORTED = 5_000
RUNS = 3
TURNS = 4
# The worker's CPU priority in alternate turns of the load: as started, and lowered.
NICENESS = (0, 10)
IDLE_BLOCK = 400
DURING_BLOCK = 100
DURING_MAX = 1_500
WARMUP = 100
REPORT_GETS = 7
MAX_REQUESTS = 9_000
MAX_SECONDS = 300
WORKER_TIMEOUT = 300
TARGET_REPORT_MS = 300
TARGET_P99_MS = 100
SCORING_TABLE = "assessments_roundscoring"
# Two statements with different key ideas: saving one in place of the other has
# every answer judged differently.
VISIONS = (
    "We fix each customer's problem on the first contact, explain what happened "
    "in plain words, and leave them confident to carry on.",
    "Every bill is right the first time, every letter is short and clear, and "
    "nobody waits more than a day for a refund.",
)
SCORINGS = {
    "restated": "after a new vision statement (every answer judged differently)",
    "unchanged": "again with nothing changed (no answer judged differently)",
}
UNDER_WAY = "Scores are being updated:"
QUEUED = "Scores will be updated shortly"


@contextlib.contextmanager
def worker(env: dict[str, str], run_dir: Path, *options: str, nice: int = 0):
    """A ``db_worker`` process of its own (at ``nice``); yields it, stops it on the
    way out."""
    log = (run_dir / f"worker-{time.monotonic_ns()}.log").open("wb")
    process = subprocess.Popen(
        [
            *(["nice", "-n", str(nice)] if nice else []),
            stack.PYTHON,
            str(stack.ROOT / "manage.py"),
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--queue-name",
            "*",
            "--interval",
            "0.2",
            *options,
        ],
        env=env,
        cwd=stack.ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.began = time.perf_counter()
    try:
        yield process
    finally:
        if process.returncode is None:
            stack._stop(process)
        log.close()


def exited(process: subprocess.Popen) -> bool:
    """Whether a worker has exited, leaving it to ``reaped`` to collect."""
    if process.returncode is not None:
        return True
    found = os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    return found is not None


def reaped(process: subprocess.Popen, timeout: float) -> tuple[float, float]:
    """Wait for a worker to exit: its wall time and peak memory in MiB."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode != 0:
                raise RuntimeError(f"db_worker exited with {process.returncode}")
            return time.perf_counter() - process.began, usage.ru_maxrss / 1024
        time.sleep(0.02)
    raise RuntimeError(f"db_worker still running after {timeout} s")


def scoring_row(cluster: stack.Cluster, assessment_id: int) -> dict:
    with contextlib.closing(cluster.connect()) as conn, conn.cursor() as cur:
        cur.execute(
            f"SELECT requested_at, started_at, finished_at, done, total "  # noqa: S608
            f"FROM {SCORING_TABLE} WHERE assessment_id = %s",
            (assessment_id,),
        )
        row = cur.fetchone()
    keys = ("requested_at", "started_at", "finished_at", "done", "total")
    return dict(zip(keys, row, strict=True)) if row else {}


def request_rescore(env: dict[str, str], assessment_id: int) -> None:
    stack.manage(
        env,
        "shell",
        "-c",
        "from assessments import services; "
        f"services.assessment_rescore_request(assessment_id={assessment_id})",
    )


def restate_vision(env: dict[str, str], assessment_id: int, turn: int) -> None:
    """Save the round's vision with one of two statements in turn, as a manager
    would: every answer is then judged differently, and a scoring is queued."""
    statement = VISIONS[(turn + 1) % len(VISIONS)]  # the seeded one is first
    stack.manage(
        env,
        "shell",
        "-c",
        "from assessments import services; "
        "from assessments.models import Vision; "
        f"v = Vision.objects.get(assessment_id={assessment_id}); "
        "services.vision_update(vision=v, revision=v.revision, "
        f"statement={statement!r}, has_vision=True, user=None)",
    )


def wait_until_started(cluster: stack.Cluster, assessment_id: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if scoring_row(cluster, assessment_id).get("started_at"):
            return
        time.sleep(0.02)
    raise RuntimeError("the scoring did not start within 60 s")


def answers_file(path: Path, count: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(("respondent", "vision", "meaning", "contribution"))
        for n, given in enumerate(answers_for(count, seed=7)):
            writer.writerow((f"i{n}", given.vision, given.meaning, given.contribution))


def report_ms(client: stack.Client, path: str, expect: str | None) -> float:
    result = client.get(path)
    if result.status != 200:
        raise RuntimeError(f"report: HTTP {result.status}")
    if expect is not None and expect not in result.body.decode(errors="replace"):
        raise RuntimeError(f"report without {expect!r}")
    return result.seconds * 1000


def phases(cluster: stack.Cluster, round_id: int, process) -> dict:
    """Follow a worker's scoring through its row: when it started, when the engine
    had read every answer, when it was stored; then its wall time and memory."""
    seen: dict[str, float] = {}
    while not exited(process):
        row = scoring_row(cluster, round_id)
        now = time.perf_counter() - process.began
        if row.get("started_at"):
            seen.setdefault("started", now)
            if row["total"] and row["done"] == row["total"]:
                seen.setdefault("read", now)
        elif "started" in seen:
            seen.setdefault("stored", now)
        time.sleep(0.02)
    wall, mib = reaped(process, WORKER_TIMEOUT)
    if "started" not in seen:
        raise RuntimeError("the worker ran no scoring of the round")
    seen.setdefault("stored", wall)
    started = seen["started"]
    read = seen.get("read", started)
    return {
        "respondents": scoring_row(cluster, round_id)["total"],
        "wall_s": wall,
        "start_s": started,
        "read_s": read - started,
        "judge_and_store_s": seen["stored"] - read,
        "peak_mib": mib,
    }


def main() -> int:
    links = WARMUP + TURNS * (IDLE_BLOCK + DURING_MAX)
    f: dict[str, object] = {}
    with stack.run_directory() as run_dir, stack.postgres() as cluster:
        env = stack.app_env(cluster.url, run_dir, stack.new_secret_key())
        stack.prepare(env)
        started = time.perf_counter()
        out = stack.manage(
            env,
            "seed_demo",
            "--team-size",
            str(ANSWERED + links),
            "--answered",
            str(ANSWERED),
            "--json",
            timeout=600,
        )
        seeded = json.loads(out)
        round_id = seeded["assessment_id"]
        tokens = iter(
            link.rstrip("/").rsplit("/", 1)[-1] for link in seeded["open_links"]
        )
        stack.say(
            f"Seeded round {round_id}: {ANSWERED:,} answered, {links:,} open links "
            f"({time.perf_counter() - started:.1f} s)"
        )
        # The bench's own queue: no upkeep coming round in the middle of it.
        cluster.execute("DELETE FROM django_tasks_database_dbtaskresult")
        cluster.execute("ANALYZE")

        with worker(env, run_dir, "--batch") as idle:
            f["idle_worker"] = reaped(idle, WORKER_TIMEOUT)

        path = run_dir / "answers.csv"
        answers_file(path, IMPORTED)
        started = time.perf_counter()
        stack.say(stack.manage(env, "import_answers", str(round_id), str(path)).strip())
        f["import_command_s"] = time.perf_counter() - started
        with worker(env, run_dir, "--batch", "--max-tasks", "1") as importer:
            f["import_worker"] = reaped(importer, WORKER_TIMEOUT)

        with stack.gunicorn(env, run_dir) as server:
            manager = stack.Client(server.port, timeout=30)
            manager.log_in(seeded["email"], seeded["password"])
            report = f"/assessments/{round_id}/report/"
            report_ms(manager, report, QUEUED)  # warm
            f["report_queued_ms"] = [
                report_ms(manager, report, QUEUED) for _ in range(REPORT_GETS)
            ]
            # As autovacuum would soon after a bulk load.
            cluster.execute("ANALYZE")
            f["report_analyzed_ms"] = [
                report_ms(manager, report, QUEUED) for _ in range(REPORT_GETS)
            ]
            during: list[float] = []
            with worker(env, run_dir, "--batch") as scorer:
                wait_until_started(cluster, round_id)
                while not exited(scorer) and len(during) < 30:
                    if not scoring_row(cluster, round_id).get("started_at"):
                        break
                    during.append(report_ms(manager, report, None))
                reaped(scorer, WORKER_TIMEOUT)
            f["report_during_ms"] = during
            f["report_after_ms"] = [
                report_ms(manager, report, None) for _ in range(REPORT_GETS)
            ]

            runs: dict[str, list] = {"restated": [], "unchanged": []}
            for n in range(RUNS):
                for kind in runs:
                    if kind == "restated":
                        restate_vision(env, round_id, n)
                    else:
                        request_rescore(env, round_id)
                    with worker(env, run_dir, "--batch") as scorer:
                        runs[kind].append(phases(cluster, round_id, scorer))
                    stack.say(
                        f"scoring {n + 1} of {RUNS}, {kind}: "
                        + ", ".join(f"{k} {v:.2f}" for k, v in runs[kind][-1].items())
                    )
            f["runs"] = runs

            idle_runs: list = []
            busy_runs: dict[int, list] = {nice: [] for nice in NICENESS}
            budget = stack.Budget(MAX_REQUESTS, MAX_SECONDS)

            def tasks(count: int):
                return [
                    (
                        lambda client, t=token, n=n: client.post(
                            stack.survey_path(t), survey_answers(n)
                        )
                    )
                    for n, token in zip(range(count), tokens, strict=False)
                ]

            with stack.Load(server.port, 16, budget) as load:
                load.run(tasks(WARMUP))
                for turn in range(TURNS):
                    nice = NICENESS[turn % len(NICENESS)]
                    idle_runs.append(load.run(tasks(IDLE_BLOCK)))
                    restate_vision(env, round_id, RUNS + turn)
                    sent = 0
                    with worker(env, run_dir, "--batch", nice=nice) as scorer:
                        wait_until_started(cluster, round_id)
                        while not exited(scorer) and sent < DURING_MAX:
                            busy_runs[nice].append(load.run(tasks(DURING_BLOCK)))
                            sent += DURING_BLOCK
                        reaped(scorer, WORKER_TIMEOUT)
                    stack.say(
                        f"turn {turn + 1}: {sent} submissions while a worker at "
                        f"nice {nice} scored the round again"
                    )
            f["submit_idle"] = stack.summarise(idle_runs)
            f["submit_busy"] = {n: stack.summarise(r) for n, r in busy_runs.items()}
            f["requests"] = (budget.used, budget.elapsed())
            server_log = server.log()
    return print_figures(f, server_log)


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def print_figures(f: dict, server_log: str) -> int:
    print()
    idle_wall, idle_mib = f["idle_worker"]
    import_wall, import_mib = f["import_worker"]
    print(
        f"Import of {IMPORTED:,} answers: the command checked and queued the file in "
        f"{f['import_command_s']:.1f} s; a worker imported it in {import_wall:.1f} s "
        f"(peak {import_mib:.0f} MiB). An idle worker: {idle_wall:.1f} s, "
        f"{idle_mib:.0f} MiB."
    )
    for kind, runs in f["runs"].items():
        print(
            f"Full scoring of {runs[0]['respondents']:,} respondents, {len(runs)} "
            f"runs, {SCORINGS[kind]}:"
        )
        for key in ("wall_s", "start_s", "read_s", "judge_and_store_s", "peak_mib"):
            values = [run[key] for run in runs]
            print(
                f"  {key:<18}median {median(values):7.2f}   "
                + " ".join(f"{v:7.2f}" for v in values)
            )
    print()
    respondents = ANSWERED + IMPORTED
    print(f"Report at {respondents:,} respondents through gunicorn, median ms (max):")
    for label, key in (
        ("just after the import", "report_queued_ms"),
        ("  the same, after ANALYZE", "report_analyzed_ms"),
        ("while a worker scores", "report_during_ms"),
        ("after the scoring", "report_after_ms"),
    ):
        values = f[key]
        print(
            f"  {label:<28}{median(values):7.1f} ({max(values, default=0):.1f}), "
            f"{len(values)} requests"
        )
    idle = f["submit_idle"]
    print()
    print(f"{'survey submit':<30}{'ok':>7}{'5xx':>6}{'req/s':>8}{'p50':>8}{'p99':>8}")
    rows = [("no scoring running", idle)] + [
        (f"while scoring, worker nice {n}", s) for n, s in f["submit_busy"].items()
    ]
    for label, s in rows:
        print(
            f"{label:<30}{s.ok:>7}{s.server_errors:>6}{s.per_second:>8.0f}"
            f"{s.p50_ms:>8.1f}{s.p99_ms:>8.1f}"
        )
    for n, busy in f["submit_busy"].items():
        print(
            f"nice {n}: during/idle p50 {busy.p50_ms / idle.p50_ms:.2f}x, p99 "
            f"{busy.p99_ms / idle.p99_ms:.2f}x, rate "
            f"{busy.per_second / idle.per_second:.2f}x"
        )
    used, elapsed = f["requests"]
    print(
        f"{used} load requests in {elapsed:.0f} s "
        f"(limits {MAX_REQUESTS}, {MAX_SECONDS} s)"
    )
    print()
    queued = median(f["report_queued_ms"])
    print(
        f"report just after the import: {queued:.1f} ms (target < "
        f"{TARGET_REPORT_MS} ms): {'met' if queued < TARGET_REPORT_MS else 'NOT MET'}"
    )
    for n, busy in f["submit_busy"].items():
        met = busy.p99_ms < TARGET_P99_MS
        print(
            f"survey p99 while a worker at nice {n} scores: {busy.p99_ms:.1f} ms "
            f"(target < {TARGET_P99_MS} ms): {'met' if met else 'NOT MET'}"
        )
    busy_all = list(f["submit_busy"].values())
    errors = sum(s.server_errors + s.other_errors for s in [idle, *busy_all])
    if errors:
        print(f"FAILED: {errors} failed requests")
        print(server_log[-3000:])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
