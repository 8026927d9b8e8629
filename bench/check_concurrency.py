"""Concurrency checks through gunicorn on loopback: each prints what it found.

Run from the repository root::

    .venv/bin/python bench/check_concurrency.py                 # every check
    .venv/bin/python bench/check_concurrency.py --only double   # one (repeatable)

The checks, each against production settings on plain HTTP (debug off, a random
secret key, 5 sync workers, persistent connections with health checks):

``double``   PostgreSQL. 20 links of an anonymous round, each hit by 50
             simultaneous first POSTs with distinct numbered answers: exactly one
             response per link, holding the answers of the one POST confirmed
             (its redirect), the 49 others told the link is used (409), its
             judgements written by the same transaction, no 5xx.
``load``     PostgreSQL. 4,000 links submitted once each, 32 at a time: exactly
             4,000 responses, every one whole and as sent, no 5xx.
``kill``     The same while gunicorn workers are killed with SIGKILL several times
             (the master starts new ones; a client retries a request whose
             connection was reset, at most 3 times, and a retry of a submission
             already saved is told the link is used): every stored response
             whole, one per link at most.

Every check then audits the round: an anonymous response waits for its release
under its link's key (``assessments.tokens.link_key``), and no invitation is
marked answered before a release.
``restart``  PostgreSQL stopped between two batches: while it is down, pages answer
             503 with the app's page within a second, /readyz 503 and /healthz
             200; after it is back, requests succeed with no 5xx. Then stopped
             again with submissions in flight: each is confirmed or answered 503,
             never 500, and the requests after the second restart succeed.
``sqlite``   The local default: 2,000 submissions, 32 at a time, on a SQLite file,
             with no "database is locked" and every response stored.

It exits non-zero if any check fails. Each check sends a fixed number of
requests, each with a 10 s timeout, and the load checks stop at 180 s; everything
started is stopped on exit, also on failure.
"""

import argparse
import os
import random
import signal
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stack

CHECKS = ("double", "load", "kill", "restart", "sqlite")
SIMULTANEOUS = 50
DOUBLE_LINKS = 20
LOAD_LINKS = 4_000
LOAD_CONCURRENCY = 32
KILLS = 6
RETRIES = 3
SQLITE_LINKS = 2_000
RESTART_BATCH = 150
DOWN_PROBES = 5
DOWN_LIMIT_SECONDS = 1.0
CHECK_SECONDS = 180
UNAVAILABLE_PAGE = b"briefly unavailable"


def answers(link: int, post: int = 0) -> dict[str, str]:
    """Answers unique to one POST, so the stored row tells which POST it came from."""
    mark = f"(link {link}, post {post})"
    return {
        "vision": f"Fix it on the first contact and explain it plainly {mark}.",
        "meaning": f"A wrong bill is corrected before we hang up {mark}.",
        "contribution": f"I read the corrected balance back to the customer {mark}.",
    }


def triple(fields: dict[str, str]) -> tuple[str, str, str]:
    return fields["vision"], fields["meaning"], fields["contribution"]


@dataclass(frozen=True)
class Submission:
    """What one link was sent, and whether the app confirmed it with its redirect.

    An unconfirmed one (a 503, a reset after the last retry) may or may not be
    stored; if it is, it must be stored whole.
    """

    fields: dict[str, str]
    confirmed: bool


def submissions(
    fields: dict[str, dict[str, str]], results: list[stack.Result]
) -> dict[str, Submission]:
    return {
        token: Submission(fields[token], saved(result))
        for token, result in zip(fields, results, strict=True)
    }


def saved(result: stack.Result) -> bool:
    """Whether the app confirmed the answers saved: its redirect, or a retry's
    409 (the link is used: the attempt whose connection was reset saved them)."""
    return result.status == 302 or (result.status == 409 and result.attempts > 1)


# --- What is stored ---------------------------------------------------------------


@dataclass
class Store:
    """Reads the app's tables directly: PostgreSQL or a SQLite file."""

    connect: Callable
    placeholder: str = "%s"

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with closing(self.connect()) as conn:
            cur = conn.cursor()
            cur.execute(sql.replace("%s", self.placeholder), params)
            return cur.fetchall()


@dataclass
class Verdict:
    name: str
    failures: list[str] = field(default_factory=list)

    def check(self, ok: bool, message: str) -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {message}", flush=True)
        if not ok:
            self.failures.append(message)


def verify_round(
    verdict: Verdict,
    store: Store,
    round_: stack.Round,
    sent: dict[str, Submission],
    postgres: bool,
) -> None:
    """Every stored response whole and as sent, at most one per link, waiting for
    its release under its link's key, and no invitation marked answered yet."""
    from assessments import tokens

    responses = {
        key: (vision, meaning, contribution)
        for key, vision, meaning, contribution in store.rows(
            "SELECT link_key, vision_answer, meaning_answer, contribution_answer "
            "FROM assessments_response WHERE assessment_id = %s",
            (round_.assessment_id,),
        )
    }
    marked = store.rows(
        "SELECT count(*) FROM assessments_invitation "
        "WHERE assessment_id = %s AND status <> 'pending'",
        (round_.assessment_id,),
    )[0][0]
    judgements = dict(
        store.rows(
            "SELECT r.link_key, count(j.id) FROM assessments_response r "
            "LEFT JOIN assessments_answerjudgement j ON j.response_id = r.id "
            "WHERE r.assessment_id = %s GROUP BY r.link_key",
            (round_.assessment_id,),
        )
    )
    keys = {
        token: tokens.link_key(tokens.invitation_hash(token)) for token in round_.tokens
    }
    not_as_sent, missing, short = [], [], []
    for token in round_.tokens:
        key = keys[token]
        submission = sent.get(token)
        if key in responses:
            if submission is None or responses[key] != triple(submission.fields):
                not_as_sent.append(token)
            if judgements.get(key) != 3:
                short.append(token)
        elif submission is not None and submission.confirmed:
            missing.append(token)
    strangers = set(responses) - set(keys.values())
    confirmed = sum(1 for submission in sent.values() if submission.confirmed)
    unconfirmed = len(sent) - confirmed
    verdict.check(
        not missing and not strangers,
        f"{len(responses)} responses stored for {confirmed} confirmed submissions"
        + (f" and {unconfirmed} unconfirmed ones" if unconfirmed else "")
        + f" ({len(missing)} confirmed but missing, {len(strangers)} not from "
        "these links)",
    )
    verdict.check(
        not not_as_sent,
        f"{len(not_as_sent)} stored responses differ from what was sent",
    )
    verdict.check(not short, f"{len(short)} responses without their 3 judgements")
    verdict.check(
        marked == 0,
        f"{marked} invitations marked answered before their answers were released",
    )
    if postgres:
        torn = store.rows(
            "SELECT count(*) FROM assessments_answerjudgement j "
            "JOIN assessments_response r ON r.id = j.response_id "
            "WHERE r.assessment_id = %s AND j.xmin::text <> r.xmin::text",
            (round_.assessment_id,),
        )[0][0]
        verdict.check(
            torn == 0,
            f"{torn} judgements written by another transaction than their response's "
            "answers",
        )


def tracebacks(log: str) -> list[str]:
    """Each traceback in a log, from its first line to the exception's."""
    found, current = [], None
    for line in log.splitlines():
        if line.startswith("Traceback"):
            current = [line]
        elif current is not None:
            current.append(line)
            if line and not line[0].isspace() and not line.startswith("During"):
                found.append("\n".join(current))
                current = None
    return found


def check_statuses(verdict: Verdict, label: str, results: list[stack.Result]) -> None:
    """Every POST confirmed: redirected, or (retried) told its link is used."""
    counts = stack.status_counts(results)
    bad = sum(not saved(result) for result in results)
    verdict.check(not bad, f"{label}: {sum(counts.values())} POSTs, statuses {counts}")


# --- The checks --------------------------------------------------------------------


@dataclass
class Context:
    run_dir: Path
    secret_key: str
    cluster: stack.Cluster | None = None
    env: dict[str, str] = field(default_factory=dict)

    def store(self) -> Store:
        assert self.cluster is not None
        return Store(self.cluster.connect)


def post_once(token: str, fields: dict[str, str], retries: int = 0) -> stack.Task:
    return lambda client: client.post(stack.survey_path(token), fields, retries)


def check_double(ctx: Context) -> Verdict:
    verdict = Verdict("double")
    round_ = stack.seed(ctx.env, DOUBLE_LINKS)
    with stack.gunicorn(ctx.env, ctx.run_dir) as server:
        clients = [stack.Client(server.port) for _ in range(SIMULTANEOUS)]
        for client in clients:
            client.prime()
        results: list[list[stack.Result]] = []
        with ThreadPoolExecutor(max_workers=SIMULTANEOUS) as pool:
            for link, token in enumerate(round_.tokens):
                barrier = threading.Barrier(SIMULTANEOUS, timeout=30)

                def fire(post, link=link, token=token, barrier=barrier):
                    barrier.wait()
                    return clients[post].post(
                        stack.survey_path(token), answers(link, post)
                    )

                results.append(list(pool.map(fire, range(SIMULTANEOUS))))

    print(
        f"  {sum(map(len, results))} POSTs: {SIMULTANEOUS} at once on each of "
        f"{DOUBLE_LINKS} links"
    )
    counts = stack.status_counts(r for posts in results for r in posts)
    one_saved = sum(
        [r.status for r in posts].count(302) == 1
        and {r.status for r in posts} == {302, 409}
        for posts in results
    )
    verdict.check(
        one_saved == DOUBLE_LINKS,
        f"{one_saved} of {DOUBLE_LINKS} links with one POST saved and the others "
        f"told the link is used (statuses {counts})",
    )
    winners = {
        token: Submission(answers(link, post), confirmed=True)
        for link, (token, posts) in enumerate(zip(round_.tokens, results, strict=True))
        for post, result in enumerate(posts)
        if result.status == 302
    }
    verify_round(verdict, ctx.store(), round_, winners, postgres=True)
    return verdict


def submit_all(
    port: int,
    round_: stack.Round,
    concurrency: int,
    retries: int = 0,
    during: Callable[[], None] | None = None,
) -> tuple[list[stack.Result], float, dict[str, Submission]]:
    """POST each link once (retrying resets); ``during`` runs alongside."""
    fields = {token: answers(n) for n, token in enumerate(round_.tokens)}
    budget = stack.Budget(len(fields) * (retries + 1) + concurrency, CHECK_SECONDS)
    done = threading.Event()
    side = None
    if during is not None:
        side = threading.Thread(target=during, args=(done,), daemon=True)
    with stack.Load(port, concurrency, budget) as load:
        if side:
            side.start()
        try:
            results, seconds = load.run(
                post_once(token, f, retries) for token, f in fields.items()
            )
        finally:
            done.set()
            if side:
                side.join(timeout=30)
    return results, seconds, submissions(fields, results)


def check_load(ctx: Context) -> Verdict:
    verdict = Verdict("load")
    round_ = stack.seed(ctx.env, LOAD_LINKS)
    with stack.gunicorn(ctx.env, ctx.run_dir) as server:
        results, seconds, sent = submit_all(server.port, round_, LOAD_CONCURRENCY)
    print(
        f"  {len(results)} links submitted at concurrency {LOAD_CONCURRENCY} "
        f"in {seconds:.1f} s ({len(results) / seconds:.0f}/s)"
    )
    check_statuses(verdict, "submissions", results)
    verify_round(verdict, ctx.store(), round_, sent, postgres=True)
    return verdict


def check_kill(ctx: Context) -> Verdict:
    verdict = Verdict("kill")
    round_ = stack.seed(ctx.env, LOAD_LINKS)
    killed: list[int] = []
    rng = random.Random(7)  # which worker dies: reproducible, not a secret

    with stack.gunicorn(ctx.env, ctx.run_dir) as server:

        def kill_workers(done: threading.Event) -> None:
            """Every 0.6 s, SIGKILL a worker that has been serving for a second
            (a worker still booting has no request to lose)."""
            first_seen: dict[int, float] = {}
            next_kill = time.monotonic() + 1.0
            while len(killed) < KILLS and not done.wait(0.1):
                now = time.monotonic()
                for pid in server.worker_pids():
                    first_seen.setdefault(pid, now)
                serving = [
                    pid
                    for pid, seen in first_seen.items()
                    if now - seen >= 1.0 and pid not in killed
                ]
                if now < next_kill or not serving:
                    continue
                victim = rng.choice(sorted(serving))
                try:
                    os.kill(victim, signal.SIGKILL)
                except ProcessLookupError:
                    continue
                killed.append(victim)
                next_kill = now + 0.6

        results, seconds, sent = submit_all(
            server.port, round_, LOAD_CONCURRENCY, RETRIES, during=kill_workers
        )
        workers_after = len(server.worker_pids())
        log = server.log()
    retried = sum(r.attempts - 1 for r in results)
    print(
        f"  {len(results)} links submitted at concurrency {LOAD_CONCURRENCY} in "
        f"{seconds:.1f} s while {len(killed)} workers were killed with SIGKILL; "
        f"{retried} requests retried after a reset; {workers_after} workers after"
    )
    verdict.check(len(killed) >= 3, f"{len(killed)} workers killed during the run")
    verdict.check(
        log.count("SIGKILL") >= len(killed),
        f"gunicorn's master logged {log.count('SIGKILL')} workers lost to SIGKILL",
    )
    check_statuses(verdict, "submissions (after retries)", results)
    verify_round(verdict, ctx.store(), round_, sent, postgres=True)
    return verdict


def check_restart(ctx: Context) -> Verdict:
    verdict = Verdict("restart")
    round_ = stack.seed(ctx.env, 4 * RESTART_BATCH + DOWN_PROBES)
    batches = [
        round_.tokens[n * RESTART_BATCH : (n + 1) * RESTART_BATCH] for n in range(4)
    ]
    probe_links = round_.tokens[4 * RESTART_BATCH :]
    fields = {token: answers(n) for n, token in enumerate(round_.tokens)}
    sent: dict[str, Submission] = {}

    def batch(port: int, links, label: str, manager: stack.Client) -> None:
        budget = stack.Budget(3 * len(links) + 16, CHECK_SECONDS)
        with stack.Load(port, 8, budget) as load:
            posts, _ = load.run(post_once(token, fields[token]) for token in links)
            pages, _ = load.run(
                (lambda client, t=token: client.get(stack.survey_path(t)))
                for token in links
            )
        dashboards = [manager.get("/") for _ in range(10)]
        sent.update(submissions({t: fields[t] for t in links}, posts))
        verdict.check(
            all(r.status == 302 for r in posts)
            and all(r.status == 200 for r in pages + dashboards),
            f"{label}: {len(posts)} POSTs {stack.status_counts(posts)}, "
            f"{len(pages)} survey pages {stack.status_counts(pages)}, "
            f"{len(dashboards)} dashboards {stack.status_counts(dashboards)}",
        )

    def probe_while_down(manager: stack.Client, port: int) -> None:
        respondent = stack.Client(port)
        respondent.prime()
        probes = {
            "survey page": (lambda t: respondent.get(stack.survey_path(t)), 503),
            "survey POST": (
                lambda t: respondent.post(stack.survey_path(t), fields[t]),
                503,
            ),
            "dashboard, signed in": (lambda t: manager.get("/"), 503),
            "/readyz": (lambda t: respondent.get("/readyz"), 503),
            "/healthz": (lambda t: respondent.get("/healthz"), 200),
        }
        for label, (probe, expected) in probes.items():
            results = [probe(token) for token in probe_links]
            if label == "survey POST":
                sent.update(submissions({t: fields[t] for t in probe_links}, results))
            slowest = max(r.seconds for r in results)
            app_page = expected == 503 and not label.startswith("/")
            verdict.check(
                all(r.status == expected for r in results)
                and slowest < DOWN_LIMIT_SECONDS
                and (not app_page or all(UNAVAILABLE_PAGE in r.body for r in results)),
                f"while down, {label}: {stack.status_counts(results)}, slowest "
                f"{slowest * 1000:.0f} ms (want {expected} within "
                f"{DOWN_LIMIT_SECONDS:g} s{', the app page' if app_page else ''})",
            )

    def stopped_under_load(port: int, links) -> None:
        """PostgreSQL stops while submissions are in flight (once a fifth of them
        are answered): each one is either confirmed or answered 503, never 500."""
        budget = stack.Budget(len(links) + 16, CHECK_SECONDS)
        answered, lock, stop_now = [0], threading.Lock(), threading.Event()

        def post_and_count(token: str) -> stack.Task:
            def task(client: stack.Client) -> stack.Result:
                result = client.post(stack.survey_path(token), fields[token])
                with lock:
                    answered[0] += 1
                    if answered[0] >= len(links) // 5:
                        stop_now.set()
                return result

            return task

        def stop() -> None:
            if stop_now.wait(CHECK_SECONDS):
                ctx.cluster.stop("fast")

        stopper = threading.Thread(target=stop)
        with stack.Load(port, 16, budget) as load:
            stopper.start()
            try:
                posts, _ = load.run(post_and_count(t) for t in links)
            finally:
                stop_now.set()
                stopper.join()
        sent.update(submissions({t: fields[t] for t in links}, posts))
        counts = stack.status_counts(posts)
        verdict.check(
            set(counts) <= {"302", "503"} and "503" in counts,
            f"stopped under load: {len(posts)} POSTs {counts} (want only 302 and "
            "503, and some of each)",
        )

    with stack.gunicorn(ctx.env, ctx.run_dir) as server:
        manager = stack.Client(server.port)
        manager.log_in(round_.email, round_.password)
        batch(server.port, batches[0], "before the restart", manager)
        ctx.cluster.stop("fast")
        print("  PostgreSQL stopped")
        try:
            probe_while_down(manager, server.port)
        finally:
            ctx.cluster.start()
            print("  PostgreSQL started again")
        batch(server.port, batches[1], "after the restart", manager)
        try:
            stopped_under_load(server.port, batches[2])
        finally:
            ctx.cluster.start()
            print("  PostgreSQL started again")
        batch(server.port, batches[3], "after the second restart", manager)
        log = server.log()
    found = tracebacks(log)
    verdict.check(
        not found,
        f"{log.count('Internal Server Error')} requests logged as Internal Server "
        f"Error, {len(found)} traceback blocks in gunicorn's log",
    )
    for text in dict.fromkeys(found):  # each distinct one, in full
        print(text)
    verify_round(verdict, ctx.store(), round_, sent, postgres=True)
    return verdict


def check_sqlite(ctx: Context) -> Verdict:
    verdict = Verdict("sqlite")
    path = ctx.run_dir / "sqlite-check.sqlite3"
    env = stack.app_env(f"sqlite:///{path}", ctx.run_dir, ctx.secret_key)
    stack.prepare(env)
    round_ = stack.seed(env, SQLITE_LINKS)
    with stack.gunicorn(env, ctx.run_dir) as server:
        results, seconds, sent = submit_all(server.port, round_, LOAD_CONCURRENCY)
        log = server.log()
    print(
        f"  {len(results)} submissions at concurrency {LOAD_CONCURRENCY} on SQLite "
        f"in {seconds:.1f} s ({len(results) / seconds:.0f}/s)"
    )
    check_statuses(verdict, "submissions", results)
    locked = log.count("database is locked")
    verdict.check(locked == 0, f'{locked} "database is locked" errors in the log')
    store = Store(lambda: sqlite3.connect(path, timeout=20), placeholder="?")
    verify_round(verdict, store, round_, sent, postgres=False)
    return verdict


# --- Running them -----------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", action="append", choices=CHECKS, help="run only this check"
    )
    args = parser.parse_args()
    selected = args.only or list(CHECKS)
    secret_key = stack.new_secret_key()

    from django.conf import settings

    # The checker computes each link's keyed hashes itself, with the app's secret.
    settings.configure(SECRET_KEY=secret_key)

    verdicts: list[Verdict] = []
    needs_postgres = any(name != "sqlite" for name in selected)
    with (
        stack.run_directory() as run_dir,
        stack.postgres() if needs_postgres else nullcontext() as cluster,
    ):
        ctx = Context(run_dir, secret_key, cluster)
        if cluster:
            ctx.env = stack.app_env(cluster.url, run_dir, secret_key)
            stack.prepare(ctx.env)
        for name in CHECKS:
            if name not in selected:
                continue
            print(f"\n== {name}", flush=True)
            started = time.monotonic()
            try:
                verdict = globals()[f"check_{name}"](ctx)
            except Exception as error:  # report it and go on to the next
                verdict = Verdict(name, [f"{type(error).__name__}: {error}"])
                print(f"  FAIL {verdict.failures[0]}")
            print(
                f"== {name}: {'PASS' if not verdict.failures else 'FAIL'} "
                f"({time.monotonic() - started:.0f} s)",
                flush=True,
            )
            verdicts.append(verdict)
    print()
    for verdict in verdicts:
        print(f"{verdict.name:<8} {'PASS' if not verdict.failures else 'FAIL'}")
        for failure in verdict.failures:
            print(f"         {failure}")
    summary = Counter("pass" if not v.failures else "fail" for v in verdicts)
    print(f"{summary['pass']} passed, {summary['fail']} failed")
    return 1 if summary["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
