import os

from django.db import connection


def test_tests_run_on_the_database_named_by_database_url():
    url = os.environ.get("DATABASE_URL", "")
    expected = (
        "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    )

    assert connection.vendor == expected
