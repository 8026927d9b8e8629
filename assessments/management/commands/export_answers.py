from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments import privacy, reports
from assessments.answers_csv import csv_lines
from assessments.models import Assessment


class Command(BaseCommand):
    help = (
        "Write a round's answers and the engine's judgements as CSV, one row per "
        "response, streamed so any number of responses fits in memory. Cells that "
        "a spreadsheet would run as formulas are written as text. An anonymous "
        "round whose answers its managers cannot read yet is refused, with the "
        "reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int, metavar="ASSESSMENT_ID")
        parser.add_argument(
            "--output",
            type=Path,
            metavar="FILE",
            help="Write to this file instead of standard output.",
        )

    def handle(self, *args, assessment_id, output, **options):
        assessment = round_or_error(assessment_id)
        try:
            rows = reports.answers_export_rows(assessment, staff=True)
        except privacy.Withheld as refusal:
            raise CommandError(f"{assessment}: {refusal}", returncode=2) from None
        lines = csv_lines(reports.EXPORT_HEADER, rows)
        if output is None:
            for line in lines:
                self.stdout.write(line, ending="")
            return
        try:
            with output.open("w", encoding="utf-8", newline="") as file:
                written = -1  # the header is not an answer
                for line in lines:
                    file.write(line)
                    written += 1
        except OSError as error:
            raise CommandError(
                f"{output}: cannot write the file ({error.strerror}).", returncode=2
            ) from None
        self.stderr.write(f"Wrote {written} answers of {assessment} to {output}.")


def round_or_error(assessment_id: int) -> Assessment:
    try:
        return Assessment.objects.select_related("team").get(pk=assessment_id)
    except Assessment.DoesNotExist:
        raise CommandError(
            f"No round has the id {assessment_id}.", returncode=2
        ) from None
