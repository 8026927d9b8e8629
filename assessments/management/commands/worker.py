"""Run the background worker: first put back what a crashed worker left, then
``db_worker`` with the same options (``manage.py worker --help``).

``db_worker`` alone resumes nothing. A worker killed while running a task (SIGKILL,
the machine lost, out of memory) leaves that task's row "Running" in the queue for
ever, and whatever the task would have enqueued next is never enqueued. So this
command first enqueues:

- a delivery for every open or closed round with email queued or left "sending",
  from its earliest retry (``services.invitations_delivery_resume``);
- the closing or the reminder of every open round that is overdue
  (``services.assessments_timetable_resume``);
- the re-assessment reminder of every commitment whose date has come unsent
  (``services.reassessments_resume``);
- the periodic upkeep of every open round that has none due, and a full scoring
  of every round judged by another version of the engine
  (``services.rounds_upkeep``).

Each task checks at run time what is still to do, so one enqueued twice does
nothing the second time.

What a crash costs: no invitation, reminder or closing is lost. The email being
sent at that moment stays "sending" until the worker's claim on it runs out (five
SMTP timeouts, ``DJANGO_EMAIL_TIMEOUT``) and is then sent again: that one person
may get the same email twice, and only the later link works. The rest waits until
a worker starts again; the dead task's row stays "Running" in the admin, harmless.
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from assessments import services


class Command(db_worker.Command):
    help = (
        "Re-enqueue the emails, reminders, closings and upkeep a crashed worker "
        "left, then run db_worker."
    )

    def handle(self, *args, **options):
        # With --reload the parent only watches files: its child does the work.
        if not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
            rounds = services.invitations_delivery_resume()
            timetable = services.assessments_timetable_resume()
            reassessments = services.reassessments_resume()
            upkeeps, outdated = services.rounds_upkeep()
            if options["verbosity"]:
                self.stdout.write(
                    f"Resumed: email of {rounds} round(s), {timetable} overdue "
                    f"reminder(s) or closing(s), {reassessments} re-assessment "
                    f"reminder(s), upkeep of {upkeeps} open round(s), "
                    f"{outdated} round(s) to score with this engine."
                )
        return super().handle(*args, **options)
