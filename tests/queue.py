"""The database task queue as tests see it: what is queued, and a worker's loop
run in the test's own transaction (``db_worker`` itself runs as a process of its
own in tests/test_tasks_worker.py)."""

from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max


class Queue:
    def queued(self) -> list[tuple[str, dict]]:
        """Each waiting task's name and keyword arguments, in the order a worker
        would take them (later ones included)."""
        return [
            (row.task_path.rsplit(".", 1)[-1], row.args_kwargs["kwargs"])
            for row in DBTaskResult.objects.filter(status="READY")
        ]

    def later(self) -> list[tuple[str, dict, object]]:
        """Tasks not due yet, with the time they are due."""
        return [
            (row.task_path.rsplit(".", 1)[-1], row.args_kwargs["kwargs"], row.run_after)
            for row in DBTaskResult.objects.filter(
                status="READY", run_after__gt=timezone.now()
            ).exclude(run_after=get_date_max())
        ]

    def run(self, count: int | None = None, limit: int = 50) -> list[str]:
        """Run every task that is due (or the first ``count``), and those they
        queue, as ``db_worker --batch`` would; a failure is raised. Returns the
        names run, in order."""
        ran = []
        while len(ran) != count and (row := DBTaskResult.objects.ready().first()):
            assert len(ran) < limit, f"still running tasks after {ran}"
            row.claim("test")
            result = row.task_result
            row.set_successful(row.task.call(*result.args, **result.kwargs))
            ran.append(row.task_path.rsplit(".", 1)[-1])
        return ran
