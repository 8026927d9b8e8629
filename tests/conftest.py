from importlib import import_module

import pytest
from django.contrib.auth.models import Permission
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished
from django.test import Client

from assessments import services
from assessments.catalogue import CATALOGUE_VERSION
from assessments.models import alignment_questions, catalogue_steps
from tests.factories import AssessmentFactory, TeamFactory, UserFactory
from tests.queue import Queue
from tests.samples import engine_unsure_of_spanish


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Fast hashing; missing template variables fail loudly instead of rendering ''."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    for template in settings.TEMPLATES:
        template["OPTIONS"]["string_if_invalid"] = InvalidTemplateVariable("%s")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, tmp_path_factory
):
    """SQLite's test database in a file of this run's own, not in memory, so that
    a worker started as a process of its own, and threads' connections beside the
    test's, share it as they would a real one."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tmp_path_factory.mktemp("database")
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")


@pytest.fixture(autouse=True)
def _tasks_must_not_fail():
    """A task that fails is recorded, not raised, by the tasks framework: fail
    the test instead of letting it pass on what the task left undone."""
    failed = []

    def record(sender, task_result, **kwargs):
        if task_result.status == TaskResultStatus.FAILED:
            failed.append(task_result)

    task_finished.connect(record, weak=False)
    yield failed
    task_finished.disconnect(record)
    assert not failed, "\n".join(error.traceback for r in failed for error in r.errors)


@pytest.fixture
def task_queue(settings, db):
    """Tasks queued in the database, as in production, instead of run in-process."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return Queue()


class InvalidTemplateVariable(str):
    def __mod__(self, name):
        raise AssertionError(f"Undefined template variable: {name}")


@pytest.fixture
def unsure_engine(monkeypatch):
    """The engine unsure of answers in Spanish (``samples.UNSURE``) only."""
    engine_unsure_of_spanish(monkeypatch)


@pytest.fixture
def manager(db):
    return UserFactory()


@pytest.fixture
def other_manager(db):
    return UserFactory()


@pytest.fixture
def team(manager):
    return TeamFactory(managers=[manager])


@pytest.fixture
def assessment(team):
    return AssessmentFactory(team=team)


@pytest.fixture
def draft_round(team, manager):
    """A draft round as the manager's pages start one: with a vision and commitment."""
    return services.assessment_create(
        team=team, created_by=manager, title="Spring check-in"
    )


@pytest.fixture
def manager_client(client, manager):
    """A logged-in manager, with the catalogue cached as in a running server (each
    process reads it once), so pages' query counts are those of steady state."""
    catalogue_steps(CATALOGUE_VERSION)
    alignment_questions(CATALOGUE_VERSION)
    client.force_login(manager)
    return client


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def staff(db):
    """Staff who are not superusers, allowed everything on the app's models."""
    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="assessments")
    )
    return user


@pytest.fixture
def staff_client(staff):
    client = Client()  # its own cookies, so a test can use admin_client too
    client.force_login(staff)
    return client


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, chromium_path

    executable = chromium_path()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def catalogue_rows():
    """The catalogue's rows as the migrations load them, and the process's
    cached copies read afresh, for a transactional or browser test that writes
    rows pointing at them: an earlier transactional test's flush may have
    removed them, and ``serialized_rollback`` restores nothing once the
    session-long browser's event loop runs (Django then hands out a connection
    of that other context, without the serialized data)."""
    from django.apps import apps

    import_module("assessments.migrations.0002_load_catalogue").load_catalogue(
        apps, schema_editor=None
    )
    catalogue_steps.cache_clear()
    alignment_questions.cache_clear()
    yield
    catalogue_steps.cache_clear()
    alignment_questions.cache_clear()


@pytest.fixture
def new_page(browser, live_server, settings):
    """Open a page in a fresh browser context (its own cookies) on the live server,
    which links in emails and on pages point to."""
    settings.SITE_URL = live_server.url
    contexts = []

    def open_page(viewport=None):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or {"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
