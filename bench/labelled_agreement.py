"""Print how often the engine agrees with the hand-labelled answer sets.

Run from the repository root: ``python bench/labelled_agreement.py``. For each of
``tests/data/engagement_tuning.json`` and ``engagement_holdout.json`` (the part
never tuned on) it prints agreement on every clear/consistent decision, on the
consistency decisions alone, on each respondent's engaged verdict, how many of
the people labelled engaged the engine finds, and the team verdicts (a team is
ready when at least ``READY_SHARE`` of its respondents are engaged, the rule the
files' labels follow).
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.scoring import Answers, ideas_from_data, judge_team

ROOT = Path(__file__).resolve().parent.parent
SETS = ("engagement_tuning", "engagement_holdout")
READY_SHARE = 0.8
NO_IDEAS = "--vision-only" in sys.argv


@dataclass
class Tally:
    decisions: int = 0
    decisions_agreed: int = 0
    consistency_agreed: int = 0
    respondents: int = 0
    engaged_agreed: int = 0
    labelled_engaged: int = 0
    engaged_found: int = 0
    teams: int = 0
    teams_agreed: int = 0
    labelled_ready: int = 0
    ready_found: int = 0


def tally(teams: list[dict]) -> Tally:
    result = Tally()
    for team in teams:
        people = team["respondents"]
        answers = [
            Answers(p["respondent"], *(p[key][0] for key in ENGAGEMENT_KEYS))
            for p in people
        ]
        engine_engaged = 0
        for person, verdict in zip(
            people,
            judge_team(
                team["vision"],
                answers,
                ideas=None if NO_IDEAS else ideas_from_data(team.get("key_ideas")),
            ),
            strict=True,
        ):
            for key in ENGAGEMENT_KEYS:
                _, clear, consistent = person[key]
                judged = verdict.answers[key]
                result.decisions += 2
                result.decisions_agreed += (clear == judged.clear) + (
                    consistent == judged.consistent
                )
                result.consistency_agreed += consistent == judged.consistent
            labelled = all(person[key][1] and person[key][2] for key in ENGAGEMENT_KEYS)
            engaged = all(
                verdict.answers[key].clear and verdict.answers[key].consistent
                for key in ENGAGEMENT_KEYS
            )
            result.respondents += 1
            result.engaged_agreed += labelled == engaged
            result.labelled_engaged += labelled
            result.engaged_found += labelled and engaged
            engine_engaged += engaged
        ready = engine_engaged / len(people) >= READY_SHARE
        result.teams += 1
        result.teams_agreed += ready == team["ready"]
        result.labelled_ready += team["ready"]
        result.ready_found += ready and team["ready"]
    return result


def main() -> None:
    for name in SETS:
        teams = json.loads((ROOT / "tests" / "data" / f"{name}.json").read_text())
        t = tally(teams["teams"])
        print(
            f"{name}: decisions {t.decisions_agreed / t.decisions:.1%}, "
            f"consistency {t.consistency_agreed / (t.decisions // 2):.1%}, "
            f"engaged {t.engaged_agreed / t.respondents:.1%} "
            f"({t.engaged_found} of {t.labelled_engaged} engaged found), "
            f"teams {t.teams_agreed} of {t.teams} "
            f"({t.ready_found} of {t.labelled_ready} ready found)"
        )


if __name__ == "__main__":
    main()
