"""What the bench scripts run against, all on 127.0.0.1 and all stopped on exit.

- ``postgres()``: a throwaway PostgreSQL cluster, made as ``bin/with-postgres``
  makes one (initdb, pg_ctl, fsync off, 200 connections) but kept in reach so a
  check can stop and start it.
- ``app_env()``, ``prepare()``, ``seed()``: production settings (debug off, a
  random secret key, plain HTTP on loopback), migrations, static files and a
  round seeded by ``seed_demo`` with its personal links.
- ``gunicorn()``: the app under gunicorn's sync workers, in its own process
  group, with its log in a file.
- ``Client`` and ``Load``: simulated browsers (each with its own CSRF cookie)
  and a bounded thread pool of them.
"""

import argparse
import contextlib
import glob
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
HOST = "127.0.0.1"
LOGIN_PATH = "/accounts/login/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def say(message: str) -> None:
    print(message, flush=True)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: Iterable[int]) -> float:
    """User and system CPU time used so far by these processes (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


# --- PostgreSQL -----------------------------------------------------------------


@dataclass
class Cluster:
    pg_bin: Path
    data_dir: Path
    port: int
    run_as: list[str]

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/servicecult"

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [*self.run_as, *args],
            check=True,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.data_dir} -c listen_addresses={HOST} "
            "-c fsync=off -c max_connections=200 -c track_commit_timestamp=on"
        )
        self._run(
            str(self.pg_bin / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.data_dir / "server.log"),
            "-w",
            "-t",
            "30",
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(self.pg_bin / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "stop"
        )

    def pids(self) -> list[int]:
        """The postmaster and its children (one backend per open connection)."""
        try:
            postmaster = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        return [postmaster, *children(postmaster)]

    def connect(self):
        return psycopg2.connect(
            host=HOST, port=self.port, user="postgres", dbname="servicecult"
        )

    def execute(self, sql: str, params: Iterable = ()) -> None:
        with contextlib.closing(self.connect()) as conn, conn, conn.cursor() as cur:
            cur.execute(sql, tuple(params))


@contextlib.contextmanager
def postgres() -> Iterator[Cluster]:
    """A fresh cluster with a ``servicecult`` database, removed afterwards."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        sys.exit("PostgreSQL server binaries not found (apt-get install postgresql)")
    pg_bin = Path(found[-1]).parent
    data_dir = Path(tempfile.mkdtemp(prefix="servicecult-bench-pg."))
    run_as: list[str] = []
    if os.getuid() == 0:
        shutil.chown(data_dir, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(pg_bin, data_dir, free_port(), run_as)
    try:
        cluster._run(
            str(pg_bin / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        )
        cluster.start()
        cluster._run(
            str(pg_bin / "createdb"),
            "-h",
            HOST,
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            "servicecult",
        )
        say(f"PostgreSQL on {HOST}:{cluster.port} (fsync off, max_connections 200)")
        yield cluster
    finally:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            cluster.stop("immediate")
        shutil.rmtree(data_dir, ignore_errors=True)


# --- The app --------------------------------------------------------------------


def app_env(database_url: str, run_dir: Path, secret_key: str) -> dict[str, str]:
    """Production settings on plain HTTP, with the bench's baseline views."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_ENV_FILE="",  # production's settings, never a local .env
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SITE_URL=f"http://{HOST}",
        DJANGO_HTTPS="false",
        DJANGO_CONN_MAX_AGE="60",
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        BENCH_STATIC_ROOT=str(run_dir / "static"),
        PYTHONPATH=str(ROOT),
    )
    return env


def in_process_database(backend: str) -> None:
    """Set up a bench child that drives Django in-process: the test environment
    (test client, plain static storage, no manifest to collect) and a migrated
    database of ``backend`` with the cache table."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        }
    ).enable()
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    assert connection.vendor == backend, connection.vendor


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def prepare(env: dict[str, str]) -> None:
    """What production runs before serving: migrate, the cache table, static files."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "createcachetable")
    manage(env, "collectstatic", "--noinput", "-v0")


@dataclass(frozen=True)
class Round:
    assessment_id: int
    email: str
    password: str
    tokens: tuple[str, ...]


def seed(env: dict[str, str], team_size: int) -> Round:
    """A new open round with ``team_size`` unanswered personal links."""
    out = manage(
        env, "seed_demo", "--team-size", str(team_size), "--answered", "0", "--json"
    )
    summary = json.loads(out)
    return Round(
        assessment_id=summary["assessment_id"],
        email=summary["email"],
        password=summary["password"],
        tokens=tuple(link.rstrip("/").rsplit("/", 1)[-1] for link in summary["links"]),
    )


def survey_path(token: str) -> str:
    return f"/r/{token}/"


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], run_dir: Path, workers: int = 5) -> Iterator[Server]:
    """The app under gunicorn's sync workers on a free loopback port."""
    port = free_port()
    log_path = run_dir / f"gunicorn-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                GUNICORN,
                "servicecult.wsgi:application",
                "--worker-class",
                "sync",
                "--workers",
                str(workers),
                "--bind",
                f"{HOST}:{port}",
                "--chdir",
                str(ROOT),
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--error-logfile",
                "-",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, port, log_path)
    try:
        _wait_until_serving(server, workers)
        say(f"gunicorn on {HOST}:{port}: {workers} sync workers (pid {process.pid})")
        yield server
    finally:
        _stop(process)


def _wait_until_serving(server: Server, workers: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server.log()[-3000:]}")
        try:
            ready = Client(server.port, timeout=2).get("/healthz").status == 200
        except OSError:
            ready = False
        if ready and len(server.worker_pids()) >= workers:
            return
        time.sleep(0.2)
    raise RuntimeError(
        f"gunicorn did not start in {seconds} s:\n{server.log()[-3000:]}"
    )


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the master, then SIGKILL to its process group if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


# --- Clients --------------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
RETRYABLE = (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)


@dataclass
class Result:
    status: int  # 0: no HTTP answer (the error says why)
    seconds: float
    body: bytes = b""
    location: str = ""
    error: str = ""
    attempts: int = 1


class Client:
    """One browser: its own CSRF and session cookies, one new connection per
    request (gunicorn's sync workers close every connection after answering).

    It keeps no ``messages`` cookie: a browser follows the redirect after a
    manager's save and that page consumes the message, whereas a client that sent
    it back unread would pile up messages until they spill into the session.
    """

    KEPT_COOKIES = frozenset({"csrftoken", "sessionid"})

    def __init__(self, port: int, timeout: float = 10):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def request(
        self, method: str, path: str, fields: dict[str, str] | None = None
    ) -> Result:
        body = None
        headers = {"Host": HOST, "Connection": "close"}
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            answer = conn.getresponse()
            content = answer.read()
        finally:
            conn.close()
        seconds = time.perf_counter() - started
        for header in answer.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                if name in self.KEPT_COOKIES:
                    self.cookies[name] = morsel.value
        return Result(
            answer.status, seconds, content, answer.headers.get("Location", "")
        )

    def get(self, path: str) -> Result:
        return self.request("GET", path)

    def prime(self, path: str = LOGIN_PATH) -> Result:
        """Read a form page for the CSRF cookie and its token, as a browser would."""
        result = self.get(path)
        match = CSRF_INPUT.search(result.body.decode(errors="replace"))
        if result.status != 200 or not match or "csrftoken" not in self.cookies:
            raise RuntimeError(f"no CSRF token from {path}: HTTP {result.status}")
        self.csrf_token = match.group(1)
        return result

    def post(self, path: str, fields: dict[str, str], retries: int = 0) -> Result:
        """POST a form; a connection reset by a dying worker is retried, at most
        ``retries`` times."""
        data = {"csrfmiddlewaretoken": self.csrf_token, **fields}
        for attempt in range(1, retries + 2):
            try:
                result = self.request("POST", path, data)
            except RETRYABLE as error:
                if attempt > retries:
                    return Result(0, 0.0, error=type(error).__name__, attempts=attempt)
                time.sleep(0.05 * attempt)
                continue
            except OSError as error:
                return Result(0, 0.0, error=type(error).__name__, attempts=attempt)
            result.attempts = attempt
            return result
        raise AssertionError("unreachable")

    def log_in(self, email: str, password: str) -> None:
        self.prime()
        # The login form names its field "username", whatever the login is.
        result = self.post(LOGIN_PATH, {"username": email, "password": password})
        if result.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"could not log in as {email}: HTTP {result.status}")


@dataclass
class Budget:
    """At most ``requests`` requests and ``seconds`` seconds, whichever comes first."""

    requests: int
    seconds: float
    used: int = 0
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, n: int = 1) -> bool:
        with self.lock:
            if self.used + n > self.requests or self.elapsed() > self.seconds:
                return False
            self.used += n
            return True

    def elapsed(self) -> float:
        return time.monotonic() - self.started


SKIPPED = Result(0, 0.0, error="skipped: over the request or time budget")

Task = Callable[[Client], Result]


class Load:
    """A pool of ``concurrency`` threads, each one browser primed with a CSRF token.

    Every request, priming included, is taken from the budget first.
    """

    def __init__(self, port: int, concurrency: int, budget: Budget):
        self.port = port
        self.budget = budget
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=concurrency)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _client(self) -> Client:
        client = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = Client(self.port)
        if not client.csrf_token and self.budget.take():
            client.prime()
        return client

    def _run_one(self, task: Task) -> Result:
        try:
            client = self._client()
            if not client.csrf_token or not self.budget.take():
                return SKIPPED
            return task(client)
        except OSError as error:
            return Result(0, 0.0, error=type(error).__name__)

    def run(self, tasks: Iterable[Task]) -> tuple[list[Result], float]:
        """Run every task; return their results, in order, and the wall time."""
        started = time.perf_counter()
        results = list(self.pool.map(self._run_one, tasks))
        return results, time.perf_counter() - started


# --- Figures --------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(share * len(ordered) + 0.999999) - 1))
    return ordered[index]


@dataclass(frozen=True)
class Summary:
    sent: int
    ok: int
    server_errors: int
    other_errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def summarise(
    timed: list[tuple[list[Result], float]], ok_status: Iterable[int] = (302,)
) -> Summary:
    """Pool several timed runs of the same kind of request into one summary."""
    ok_status = tuple(ok_status)
    results = [r for run, _ in timed for r in run if r is not SKIPPED]
    ok = [r for r in results if r.status in ok_status]
    latencies = [r.seconds * 1000 for r in ok]
    return Summary(
        sent=len(results),
        ok=len(ok),
        server_errors=sum(1 for r in results if r.status >= 500),
        other_errors=sum(
            1 for r in results if r.status not in ok_status and r.status < 500
        ),
        seconds=sum(seconds for _, seconds in timed),
        p50_ms=statistics.median(latencies) if latencies else float("nan"),
        p99_ms=percentile(latencies, 0.99) if latencies else float("nan"),
    )


def status_counts(results: Iterable[Result]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        key = str(result.status) if result.status else result.error or "no answer"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))


@contextlib.contextmanager
def run_directory() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="servicecult-bench."))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --- Benches that measure in a child process, once per database ----------------------


def child_rows(
    script: str,
    backend: str,
    database_url: str,
    run_dir: Path,
    *,
    doing: str = "migrating, seeding and measuring",
    **env: str,
) -> list[dict]:
    """Run ``script --child backend`` on ``database_url`` with the app's
    environment (plus ``env``) and return the JSON rows it printed."""
    child_env = app_env(database_url, run_dir, new_secret_key())
    child_env["DJANGO_SETTINGS_MODULE"] = "servicecult.settings"
    child_env.update(env)
    say(f"{backend}: {doing} ...")
    done = subprocess.run(
        [PYTHON, script, "--child", backend],
        env=child_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{backend} run failed:\n{done.stderr[-4000:]}")
    return [
        json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")
    ]


def main_per_database(
    description: str,
    child: Callable[[str], None],
    measure: Callable[[str, str, Path], list[dict]],
    report: Callable[[list[dict]], int],
) -> int:
    """A bench's command line: ``--backend sqlite|postgresql`` for one database
    (both by default: a temporary SQLite file, then a throwaway PostgreSQL
    cluster), ``measure(backend, database_url, run_dir)`` on each, then
    ``report`` of every row; ``--child`` is the measuring process itself."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"))
    parser.add_argument(
        "--child", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    backends = [args.backend] if args.backend else ["sqlite", "postgresql"]
    rows: list[dict] = []
    with run_directory() as run_dir:
        if "sqlite" in backends:
            rows += measure("sqlite", f"sqlite:///{run_dir / 'db.sqlite3'}", run_dir)
        if "postgresql" in backends:
            with postgres() as cluster:
                rows += measure("postgresql", cluster.url, run_dir)
    return report(rows)
