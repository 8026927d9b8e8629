"""Inviting 1,000 people at once, and the worker sending their emails.

Run from the repository root: ``.venv/bin/python bench/bench_invite.py``
(``--backend sqlite`` or ``--backend postgresql`` for one database only).

For each database (a temporary SQLite file, a throwaway PostgreSQL cluster) a
child process migrates and, signed in as a manager, pastes 1,000 people with
"email them their link" ticked into a new open round's engagement page, through
Django's test client in-process, ``REPS`` times after one warm-up: the request's
server time (target: median under 300 ms). Email goes on the database queue, as
in production; the request sends nothing.

Then one round's 1,000 emails are left queued (the other rounds' are set aside)
and ``manage.py worker --batch`` runs as a process of its own against an aiosmtpd
server on a loopback port, until the queue is empty. The send rate is taken at
the SMTP server, from the first message received to the last (target: at least
50 messages/s), and also over the worker's whole run, start-up included.
Settings are production's (debug off) except that static files are named
without the manifest, which would need ``collectstatic`` first.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stack

PEOPLE = 1_000
REPS = 5
TARGET_REQUEST_MS = 300
TARGET_RATE = 50
WORKER_TIMEOUT = 300


# --- The child: one database, in-process --------------------------------------


def pasted(run: int) -> str:
    return "\n".join(
        f"Person {n} <person{n}.run{run}@example.com>" for n in range(PEOPLE)
    )


class Collector:
    """An SMTP server's side: when each message arrived."""

    def __init__(self):
        self.arrivals: list[float] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.arrivals.append(time.perf_counter())
        return "250 Message accepted for delivery"


def child(backend: str) -> None:
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    from assessments import services, tasks
    from assessments.models import Invitation, MailStatus

    stack.in_process_database(backend)

    manager = get_user_model().objects.create_user(
        email="bench@example.com", password=None
    )
    team = services.team_create(name="Bench team", manager=manager)
    client = Client()
    client.force_login(manager)

    times, rounds = [], []
    for run in range(REPS + 1):
        assessment = services.assessment_create(team=team, created_by=manager)
        services.assessment_open(assessment=assessment)
        rounds.append(assessment)
        path = reverse("assessments:invitation_paste", args=(assessment.pk,))
        data = {"members": pasted(run), "email_link": "on"}
        started = time.perf_counter()
        response = client.post(path, data)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 302:
            raise RuntimeError(f"paste: HTTP {response.status_code}")
        if run:  # the first warms up
            times.append(elapsed)
    queued = Invitation.objects.filter(mail_status=MailStatus.QUEUED).count()
    if queued != PEOPLE * (REPS + 1):
        raise RuntimeError(f"{queued} emails queued, expected {PEOPLE * (REPS + 1)}")

    # One round's emails for the worker, with the task its request enqueued;
    # the other rounds' set aside.
    kept = rounds[-1]
    Invitation.objects.exclude(assessment=kept).update(mail_status=MailStatus.NONE)
    DBTaskResult.objects.all().delete()
    tasks.invitations_deliver.enqueue(kept.pk)
    connection.close()

    collector = Collector()
    port = stack.free_port()
    controller = Controller(collector, hostname=stack.HOST, port=port)
    controller.start()
    env = {
        **os.environ,
        "DJANGO_EMAIL_BACKEND": "smtp",
        "DJANGO_EMAIL_HOST": stack.HOST,
        "DJANGO_EMAIL_PORT": str(port),
        "DJANGO_EMAIL_USE_TLS": "false",
    }
    try:
        started = time.perf_counter()
        subprocess.run(
            [
                stack.PYTHON,
                str(stack.ROOT / "manage.py"),
                "worker",
                "--batch",
                "--no-startup-delay",
                "--queue-name",
                "*",
                "-v0",
            ],
            env=env,
            cwd=stack.ROOT,
            check=True,
            timeout=WORKER_TIMEOUT,
        )
        worker_s = time.perf_counter() - started
    finally:
        controller.stop()
    sent = Invitation.objects.filter(assessment=kept, mail_status=MailStatus.SENT)
    arrivals = sorted(collector.arrivals)
    print(
        json.dumps(
            {
                "backend": backend,
                "request_ms": statistics.median(times),
                "request_ms_all": times,
                "sent": sent.count(),
                "received": len(arrivals),
                "smtp_s": arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0,
                "worker_s": worker_s,
            }
        ),
        flush=True,
    )


# --- The parent: one child per database ---------------------------------------


def run_child(backend: str, database_url: str, run_dir: Path) -> list[dict]:
    return stack.child_rows(
        __file__,
        backend,
        database_url,
        run_dir,
        doing="migrating, inviting and sending",
        DJANGO_TASKS_BACKEND="database",
    )


def report(rows: list[dict]) -> int:
    missed = False
    print()
    for row in rows:
        backend = row["backend"]
        request_ok = row["request_ms"] < TARGET_REQUEST_MS
        runs = ", ".join(f"{ms:.0f}" for ms in row["request_ms_all"])
        print(
            f"{backend}: inviting {PEOPLE:,} people: median {row['request_ms']:.0f} ms"
            f" over {REPS} requests ({runs}; target < {TARGET_REQUEST_MS} ms): "
            f"{'met' if request_ok else 'NOT MET'}"
        )
        rate = (row["received"] - 1) / row["smtp_s"] if row["smtp_s"] else 0.0
        overall = row["received"] / row["worker_s"]
        rate_ok = rate >= TARGET_RATE and row["sent"] == row["received"] == PEOPLE
        print(
            f"{backend}: worker sent {row['sent']:,} emails ({row['received']:,} "
            f"received): {rate:.0f} messages/s at the SMTP server (target >= "
            f"{TARGET_RATE}): {'met' if rate_ok else 'NOT MET'}; {overall:.0f}/s "
            f"over the worker's {row['worker_s']:.1f} s run, start-up included"
        )
        missed |= not (request_ok and rate_ok)
    return 1 if missed else 0


def main() -> int:
    return stack.main_per_database(__doc__.split("\n")[0], child, run_child, report)


if __name__ == "__main__":
    sys.exit(main())
