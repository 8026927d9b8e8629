"""Background tasks as staff see them: django-tasks-db's read-only admin, with
what tells a stuck or failing task apart in the list, its run time, attempts and
error, and a filter by task."""

from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult, get_date_max

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "task_name",
        "status",
        "args",
        "run_after_shown",
        "enqueued_at",
        "started_at",
        "finished_at",
        "attempts",
        "error",
    )
    list_filter = ("status", "task_path", "queue_name")
    search_fields = ("id", "task_path")

    @admin.display(description="arguments")
    def args(self, obj: DBTaskResult) -> str:
        return ", ".join(str(arg) for arg in obj.args_kwargs.get("args", ()))

    @admin.display(description="run after", ordering="run_after")
    def run_after_shown(self, obj: DBTaskResult):
        if obj.run_after == get_date_max():
            return None  # as soon as a worker is free
        return obj.run_after

    @admin.display(description="attempts")
    def attempts(self, obj: DBTaskResult) -> int:
        return len(obj.worker_ids)

    @admin.display(description="error")
    def error(self, obj: DBTaskResult) -> str:
        return obj.exception_class_path.rsplit(".", 1)[-1]
