"""Misconfiguration gets one actionable line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_missing_secret_key_with_debug_off_is_refused_in_one_line():
    result = run_manage("check")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: DJANGO_SECRET_KEY is required when DJANGO_DEBUG is "
        "off: set it to a long random value (see .env.example)."
    )


def test_debug_on_runs_without_a_secret_key():
    result = run_manage("check", DJANGO_DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("url", "scheme"),
    [("mysql://u:p@localhost/db", "'mysql'"), ("not-a-url", "'(none)'")],
)
def test_unknown_database_scheme_is_refused_in_one_line(url, scheme):
    result = run_manage("check", DJANGO_DEBUG="true", DATABASE_URL=url)

    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Configuration error: DATABASE_URL scheme {scheme} is not supported: use "
        "postgres://user:password@host:port/name or sqlite:///path/to/db.sqlite3."
    )


def test_unreachable_database_is_reported_in_one_line():
    result = run_manage(
        "migrate",
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://nobody:secret@127.0.0.1:9/servicecult",
    )

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Cannot reach the database named by DATABASE_URL:")


def test_a_boolean_setting_that_is_not_a_boolean_is_refused():
    result = run_manage("check", DJANGO_DEBUG="maybe")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: DJANGO_DEBUG='maybe' is not a boolean: use true or false."
    )


def test_a_number_setting_that_is_not_a_number_is_refused():
    result = run_manage("check", DJANGO_DEBUG="true", DJANGO_CONN_MAX_AGE="sixty")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: DJANGO_CONN_MAX_AGE='sixty' is not a whole number."
    )


def test_a_value_is_taken_as_written_even_when_it_starts_with_a_dollar():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        DJANGO_SECRET_KEY="$HOME-and-a-long-random-rest",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("$HOME-and-a-long-random-rest")


def test_allowed_hosts_come_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.ALLOWED_HOSTS)",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="service.example.com, www.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("['service.example.com', 'www.example.com']")


def older_python() -> str | None:
    """An interpreter older than 3.13 on this machine, if there is one."""
    candidates = [
        Path("/usr/bin/python3"),
        *Path.home().glob(".pyenv/versions/3.1[0-2]*/bin/python3"),
    ]
    for candidate in candidates:
        version = (
            subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info >= (3, 13))"],
                capture_output=True,
                text=True,
                check=False,
            )
            if candidate.exists()
            else None
        )
        if version and version.stdout.strip() == "False":
            return str(candidate)
    return None


def test_an_older_python_is_refused_with_what_to_install():
    interpreter = older_python()
    if interpreter is None:
        pytest.skip("no Python older than 3.13 on this machine to try")
    result = subprocess.run(
        ["make", "--silent", "check-python", f"PYTHON={interpreter}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if result.returncode == 0:
        pytest.fail("make check-python accepted Python 3.11")
    assert "servicecult needs Python 3.13 or newer" in result.stderr
    assert "pyenv install 3.13" in result.stderr
