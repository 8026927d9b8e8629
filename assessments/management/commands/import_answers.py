from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.tasks import TaskResultStatus

from assessments import services
from assessments.answers_csv import AnswersFileError, read_answers
from assessments.management.commands.export_answers import round_or_error


class Command(BaseCommand):
    help = (
        "Add answers gathered elsewhere (a paper exercise, another survey tool, an "
        "export of another round) to a round, all or none, then score the round "
        "again. The file is UTF-8 CSV with the header "
        "respondent,vision,meaning,contribution; other columns are ignored. The "
        "file is checked here, then a worker (manage.py db_worker) imports it; "
        "with DJANGO_TASKS_BACKEND=immediate it is imported here and now."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int, metavar="ASSESSMENT_ID")
        parser.add_argument("file", type=Path, metavar="FILE")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would be imported; save nothing.",
        )

    def handle(self, *args, assessment_id, file, dry_run, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(
                f"{file}: cannot read the file ({error.strerror}).", returncode=2
            ) from None
        try:
            rows = read_answers(data, str(file))
            assessment = round_or_error(assessment_id)
            services.require_importable(assessment)
            if dry_run:
                self.stdout.write(
                    f"{file}: {len(rows)} answers can be imported into "
                    f"{assessment}; nothing was saved (dry run)."
                )
                return
            queued = services.answers_import_queue(
                assessment=assessment, file_name=str(file), data=data
            )
        except AnswersFileError as error:
            raise CommandError(str(error), returncode=2) from None
        except ValidationError as error:
            raise CommandError(error.messages[0], returncode=2) from None
        if queued.task.status == TaskResultStatus.FAILED:
            raise CommandError(
                f"The import into {assessment} failed; nothing was saved."
            )
        if queued.task.is_finished:
            self.stdout.write(
                f"Imported {queued.answers} answers into {assessment}; the round is "
                "scored again."
            )
        else:
            self.stdout.write(
                f"Queued {queued.answers} answers for import into {assessment}: a "
                "worker (manage.py db_worker) imports them, then scores the round "
                "again."
            )
