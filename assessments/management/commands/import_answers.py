from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments import services
from assessments.answers_csv import AnswersFileError, read_answers
from assessments.management.commands.export_answers import round_or_error


class Command(BaseCommand):
    help = (
        "Add answers gathered elsewhere (a paper exercise, another survey tool, an "
        "export of another round) to a round, all or none, then score the round "
        "again. The file is UTF-8 CSV with the header "
        "respondent,vision,meaning,contribution; other columns are ignored."
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
            count = services.responses_import(
                assessment=assessment, rows=rows, source=file.name
            )
        except AnswersFileError as error:
            raise CommandError(str(error), returncode=2) from None
        except ValidationError as error:
            raise CommandError(error.messages[0], returncode=2) from None
        self.stdout.write(
            f"Imported {count} answers into {assessment}; the round is scored again."
        )
