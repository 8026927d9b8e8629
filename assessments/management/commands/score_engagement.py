import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from assessments.answers_csv import AnswersFileError, read_answers
from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.models import KEY_IDEAS_UNREADABLE, validate_key_ideas
from assessments.scoring import (
    Answers,
    KeyIdea,
    engagement_ready,
    ideas_as_data,
    ideas_from_data,
    judge_team,
    summarise,
)
from assessments.services import key_ideas_tidy

MARKS = {
    (True, True): "yes",
    (True, False): "clear only",
    (False, True): "on-vision only",
}
# The widest mark, "on-vision only *", and two spaces.
MARK_WIDTH = 18


def _mark(answer) -> str:
    """An answer's decisions in a word or two, starred when it needs review."""
    mark = MARKS.get((answer.clear, answer.consistent), "no")
    return f"{mark} *" if answer.needs_review else mark


class Command(BaseCommand):
    help = (
        "Judge engagement answers gathered elsewhere (a survey tool's CSV export, a "
        "paper exercise) against a vision, without touching the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--vision-file", type=Path, required=True, metavar="FILE")
        parser.add_argument(
            "--answers",
            type=Path,
            required=True,
            metavar="FILE",
            help="UTF-8 CSV with the header respondent,vision,meaning,contribution.",
        )
        parser.add_argument(
            "--ideas",
            type=Path,
            metavar="FILE",
            help='The key ideas to judge against, as JSON: a list of {"idea": ..., '
            '"words": [...]} as a round stores them. Without it, every specific '
            "word of the vision is one.",
        )
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args, vision_file, answers, ideas, format, **options):
        vision = _read_vision(vision_file)
        key_ideas = _read_ideas(ideas) if ideas is not None else ()
        try:
            rows = read_answers(_read_bytes(answers), str(answers))
        except AnswersFileError as error:
            raise CommandError(str(error), returncode=2) from None
        judgements = judge_team(
            vision,
            [
                Answers(row.respondent, row.vision, row.meaning, row.contribution)
                for row in rows
            ],
            ideas=key_ideas,
        )
        summary = summarise(judgements, invitations=None)
        readiness = engagement_ready(summary)
        if format == "json":
            self.stdout.write(json.dumps(_as_json(judgements, summary, readiness)))
        else:
            self._print_table(judgements, summary, readiness)

    def _print_table(self, judgements, summary, readiness) -> None:
        width = max([len("respondent"), *(len(j.respondent) for j in judgements)])
        columns = "".join(f"{key:<{MARK_WIDTH}}" for key in ENGAGEMENT_KEYS)
        self.stdout.write(f"{'respondent':<{width}}  {columns}engaged")
        for respondent in judgements:
            marks = "".join(
                f"{_mark(a):<{MARK_WIDTH}}" for a in respondent.answers.values()
            )
            engaged = "yes" if respondent.engaged else "no"
            self.stdout.write(f"{respondent.respondent:<{width}}  {marks}{engaged}")
        self.stdout.write("")
        self.stdout.write(
            f"{summary.engaged} of {summary.respondents} respondents engaged "
            f"({summary.engaged_share:.0%}). Ready: "
            f"{'yes' if readiness.ready else 'not yet'}."
        )
        for shortfall in readiness.shortfalls:
            self.stdout.write(f"  - {shortfall}")
        unsure = _needing_review(judgements)
        if unsure:
            self.stdout.write(
                f"{unsure} {'answer needs' if unsure == 1 else 'answers need'} "
                "review (marked *): the engine is not sure of its decision."
            )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(
            f"{path}: cannot read the file ({error.strerror}).", returncode=2
        ) from None


def _read_vision(path: Path) -> str:
    try:
        vision = _read_bytes(path).decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise CommandError(
            f"{path}: not UTF-8 text; save the vision as UTF-8.", returncode=2
        ) from None
    if not vision:
        raise CommandError(f"{path}: the vision file is empty.", returncode=2)
    return vision


def _read_ideas(path: Path) -> tuple[KeyIdea, ...]:
    """Key ideas in the form a round stores them ("words" may be left out),
    tidied as a manager's are."""
    try:
        data = json.loads(_read_bytes(path).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise CommandError(
            f"{path}: not JSON; give the key ideas as a JSON list.", returncode=2
        ) from None
    read = ideas_from_data(data)
    if not isinstance(data, list) or len(read) != len(data):
        raise CommandError(f"{path}: {KEY_IDEAS_UNREADABLE}", returncode=2)
    ideas = key_ideas_tidy(read)
    try:
        validate_key_ideas(ideas_as_data(ideas))
    except ValidationError as error:
        problems = " ".join(error.messages)
        raise CommandError(f"{path}: {problems}", returncode=2) from None
    return ideas


def _as_json(judgements, summary, readiness) -> dict:
    return {
        "respondents": [
            {
                "respondent": respondent.respondent,
                "answers": {
                    key: {
                        "clear": answer.clear,
                        "consistent": answer.consistent,
                        "score": round(answer.score, 4),
                        "reasons": list(answer.reasons),
                        "confidence": round(answer.confidence, 4),
                        "needs_review": answer.needs_review,
                        "language": answer.language,
                    }
                    for key, answer in respondent.answers.items()
                },
                "engaged": respondent.engaged,
            }
            for respondent in judgements
        ],
        "team": {
            "respondents": summary.respondents,
            "answers_needing_review": _needing_review(judgements),
            "engaged": summary.engaged,
            "engaged_share": round(summary.engaged_share, 4),
            "ready": readiness.ready,
        },
    }


def _needing_review(judgements) -> int:
    return sum(
        answer.needs_review
        for respondent in judgements
        for answer in respondent.answers.values()
    )
