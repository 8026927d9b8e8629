"""The test process's environment, set before pytest-django loads the settings.

Loaded as a pytest plugin (``-p tests.environment`` in pyproject.toml) because
pytest-django reads the settings before any conftest.py is imported.
"""

import os

# Never a developer's .env: the tests see only what is set here and by the caller.
os.environ["DJANGO_ENV_FILE"] = ""
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-any-real-use")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Links in emails start with the address the test client speaks to.
os.environ.setdefault("DJANGO_SITE_URL", "http://testserver")
# Tests speak plain HTTP; the TLS settings are checked on their own.
os.environ.setdefault("DJANGO_HTTPS", "false")
# Playwright's sync API runs an event loop in the test process.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Tasks run inside whatever enqueues them; the worker's own tests start db_worker.
os.environ.setdefault("DJANGO_TASKS_BACKEND", "immediate")
