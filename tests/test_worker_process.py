"""The worker as a process of its own, as production runs it: a request queues
email on the database queue and returns; ``manage.py worker`` sends it through
a real SMTP server. Killed with SIGKILL mid-batch and started again, it sends
every email, each once, except at most the one it was sending when it died.

The worker reads the test database, committed: on SQLite a file (tests/conftest.py
makes it one), on PostgreSQL the test database named in its DATABASE_URL.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import tokens
from assessments.models import Commitment, Invitation, MailStatus
from tests.factories import AssessmentFactory, CommitmentFactory
from tests.smtp import HOST, Collector, smtp_server, token_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Seconds the SMTP server has to answer; the worker's claim on a message lasts
# five of these, so the message in flight when it died goes again soon after.
SMTP_TIMEOUT = 1
WAIT = 60  # seconds any step may take on a busy machine, at most


def database_url() -> str:
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        name = str(database["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            pytest.skip("the worker process cannot open an in-memory database")
        return f"sqlite:///{name}"
    user = quote(database["USER"] or "", safe="")
    password = quote(database["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@"
    host = database["HOST"] or "localhost"
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{database['NAME']}"


def worker_env(smtp_port: int) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_ENV_FILE="",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=django_settings.SECRET_KEY,  # the links' hashes
        DJANGO_SITE_URL=django_settings.SITE_URL,
        DJANGO_HTTPS="false",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url(),
        DJANGO_TASKS_BACKEND="database",
        DJANGO_EMAIL_BACKEND="smtp",
        DJANGO_EMAIL_HOST=HOST,
        DJANGO_EMAIL_PORT=str(smtp_port),
        DJANGO_EMAIL_USE_TLS="false",
        DJANGO_EMAIL_TIMEOUT=str(SMTP_TIMEOUT),
    )
    return env


def start_worker(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-startup-delay",
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=WAIT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=WAIT)


def wait_until(condition, what: str, log: Path) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {WAIT} s; worker log:\n{log.read_text()}")


def invite(client, assessment, count: int) -> list[str]:
    emails = [f"person{n}@example.com" for n in range(count)]
    response = client.post(
        reverse("assessments:invitation_paste", args=(assessment.pk,)),
        {"members": "\n".join(emails), "email_link": "on"},
    )
    assert response.status_code == HTTPStatus.FOUND
    return emails


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Invitation.objects.values_list("mail_status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def assert_every_link_works(collector: Collector, client, emails: list[str]) -> None:
    received = collector.by_recipient()
    assert sorted(received) == sorted(emails)
    for email, messages in received.items():
        token = token_in(messages[-1])  # an earlier one's link stopped working
        invitation = Invitation.objects.get(email=email)
        assert invitation.token_hash == tokens.invitation_hash(token), email
        assert client.get(f"/r/{token}/").status_code == HTTPStatus.OK


def test_a_worker_process_sends_what_a_request_queued(
    manager_client, assessment, settings, tmp_path
):
    settings.TASKS = DATABASE_TASKS
    log = tmp_path / "worker.log"
    emails = invite(manager_client, assessment, 5)

    assert statuses() == {MailStatus.QUEUED: 5}
    [task] = DBTaskResult.objects.all()
    assert (task.task_path, task.status) == (
        "assessments.tasks.invitations_deliver",
        "READY",
    )

    collector = Collector()
    with smtp_server(collector) as port:
        worker = start_worker(worker_env(port), log, "--batch")
        try:
            assert worker.wait(timeout=WAIT) == 0, log.read_text()
        finally:
            stop(worker)

    assert statuses() == {MailStatus.SENT: 5}
    assert all(len(m) == 1 for m in collector.by_recipient().values())
    assert_every_link_works(collector, manager_client, emails)
    # The round's upkeep waits for its time; everything else has run.
    assert set(
        DBTaskResult.objects.exclude(
            task_path="assessments.tasks.round_upkeep"
        ).values_list("status", flat=True)
    ) == {"SUCCESSFUL"}


def test_a_worker_killed_mid_batch_loses_nothing_and_resends_at_most_one(
    manager_client, assessment, settings, tmp_path
):
    settings.TASKS = DATABASE_TASKS
    log = tmp_path / "worker.log"
    emails = invite(manager_client, assessment, 12)
    collector = Collector(delay=0.25)  # a slow server: the batch takes seconds

    with smtp_server(collector) as port:
        env = worker_env(port)
        worker = start_worker(env, log)
        try:
            wait_until(lambda: collector.count() >= 4, "4 messages sent", log)
        finally:
            stop(worker, signal.SIGKILL)

        after_kill = statuses()
        assert sum(after_kill.values()) == len(emails)
        assert after_kill.get(MailStatus.SENDING, 0) <= 1
        assert after_kill.get(MailStatus.QUEUED, 0) >= 1
        assert DBTaskResult.objects.filter(status="RUNNING").count() == 1

        worker = start_worker(env, log)
        try:
            wait_until(
                lambda: statuses() == {MailStatus.SENT: len(emails)},
                "every email sent after the restart",
                log,
            )
        finally:
            stop(worker)

    counts = [len(m) for m in collector.by_recipient().values()]
    assert sorted(counts)[:-1] == [1] * (len(emails) - 1)
    assert counts.count(2) <= 1
    assert max(counts) <= 2
    assert_every_link_works(collector, manager_client, emails)
    # The killed worker's task stays "Running"; the work it left was resumed.
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 1


def test_a_starting_worker_emails_the_managers_whose_re_assessment_day_has_come(
    team, manager, settings, tmp_path
):
    """No task was queued for the date (a worker was down, or the queue lost
    it): the worker enqueues it as it starts, and it goes once."""
    settings.TASKS = DATABASE_TASKS
    log = tmp_path / "worker.log"
    round_ = AssessmentFactory(team=team, closed=True, title="Spring")
    CommitmentFactory(assessment=round_, reassess_on=timezone.localdate())
    assert not DBTaskResult.objects.exists()

    collector = Collector()
    with smtp_server(collector) as port:
        for _ in range(2):
            worker = start_worker(worker_env(port), log, "--batch")
            try:
                assert worker.wait(timeout=WAIT) == 0, log.read_text()
            finally:
                stop(worker)

    [message] = collector.by_recipient()[manager.email]
    assert message["Subject"] == f"Time to re-assess {team.name}"
    assert collector.count() == 1
    assert Commitment.objects.get(assessment=round_).reassess_reminded_at is not None
