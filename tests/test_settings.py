"""Misconfiguration gets one actionable line, not a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://service.example.com"


def run_manage(
    *args: str, env_file: str | None = "", **env: str
) -> subprocess.CompletedProcess:
    """``manage.py`` in a fresh process with only ``env`` set; it reads the file
    ``env_file`` names, none by default, or the checkout's ``.env`` when None."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL"))
    }
    if env_file is not None:
        environment["DJANGO_ENV_FILE"] = env_file
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
        DJANGO_SITE_URL=SITE_URL,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("$HOME-and-a-long-random-rest")


def print_settings(*names: str, env_file: str = "", **env: str) -> str:
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        f"print(*(getattr(settings, name) for name in {names!r}))",
        env_file=env_file,
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_dot_env_file_fills_in_what_the_environment_leaves_unset(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# The local development environment.\n"
        "DJANGO_DEBUG=true\n"
        "DJANGO_SECRET_KEY=from-the-file-and-long-enough-for-a-local-run\n"
        "DJANGO_TIME_ZONE=Europe/Paris\n"
    )

    printed = print_settings("DEBUG", "SECRET_KEY", "TIME_ZONE", env_file=str(env_file))

    assert printed == "True from-the-file-and-long-enough-for-a-local-run Europe/Paris"


def test_the_environment_wins_over_the_dot_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=true\nDJANGO_TIME_ZONE=Europe/Paris\n")

    printed = print_settings(
        "DEBUG",
        "TIME_ZONE",
        env_file=str(env_file),
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_SITE_URL=SITE_URL,
        DJANGO_TIME_ZONE="Asia/Tokyo",
    )

    assert printed == "False Asia/Tokyo"


def test_a_command_runs_with_what_the_dot_env_file_gives_it(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=true\n")

    without = run_manage("check")
    with_file = run_manage("check", env_file=str(env_file))

    assert without.returncode == 1
    assert "DJANGO_SECRET_KEY is required" in without.stderr
    assert with_file.returncode == 0, with_file.stderr
    assert "no issues" in with_file.stdout


def test_by_default_the_dot_env_file_is_the_one_in_the_project_folder():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.ENV_FILE)",
        env_file=None,
        DJANGO_DEBUG="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(ROOT / ".env")


def test_an_env_file_that_is_not_there_is_refused_in_one_line(tmp_path):
    missing = tmp_path / "missing.env"

    result = run_manage("check", env_file=str(missing), DJANGO_DEBUG="true")

    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Configuration error: DJANGO_ENV_FILE={str(missing)!r} is not a file: name "
        "an existing file, or set it empty to read none."
    )


def test_the_tests_read_no_dot_env_file(settings):
    assert settings.ENV_FILE == ""


def test_allowed_hosts_come_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.ALLOWED_HOSTS)",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_SITE_URL=SITE_URL,
        DJANGO_ALLOWED_HOSTS="service.example.com, www.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("['service.example.com', 'www.example.com']")


def test_without_debug_the_site_address_is_required_in_one_line():
    result = run_manage("check", DJANGO_SECRET_KEY="x" * 50)

    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: DJANGO_SITE_URL is required when DJANGO_DEBUG is off: "
        "the address people open the site at, such as https://service.example.com "
        "(links in emails start with it)."
    )


@pytest.mark.parametrize(
    "url", ["service.example.com", "ftp://service.example.com", "https://x.com/app"]
)
def test_a_site_address_with_no_scheme_or_with_a_path_is_refused(url):
    result = run_manage("check", DJANGO_DEBUG="true", DJANGO_SITE_URL=url)

    assert result.returncode == 1
    assert f"DJANGO_SITE_URL={url!r} is not a site address" in result.stderr


def test_the_site_address_comes_from_the_environment_without_a_trailing_slash():
    printed = print_settings(
        "SITE_URL", DJANGO_DEBUG="true", DJANGO_SITE_URL="http://127.0.0.1:8001/"
    )

    assert printed == "http://127.0.0.1:8001"


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
