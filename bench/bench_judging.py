"""Time the engagement engine as the app uses it: one submission, and a team.

Run from the repository root: ``.venv/bin/python bench/bench_judging.py [N]``.

1. One submission (three answers) judged against a stored team profile, the
   sentence model included, for every respondent of the hand-labelled sets
   (``tests/data/engagement_*.json``): every text is new to the model's cache,
   as a real submission's is. Prints the median and the 90th percentile
   (target: median at most 50 ms).
2. A full scoring of ``N`` respondents (default 10,000), every answer a
   distinct text (so no vector is reused), in a fresh process: wall time and the
   process's peak memory, beside the same process's memory before judging.
"""

import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assessments.catalogue import ENGAGEMENT_KEYS  # noqa: E402
from assessments.scoring import (  # noqa: E402
    Answers,
    ideas_from_data,
    judge_respondent,
    judge_team_with_profile,
)

SETS = ("engagement_tuning", "engagement_holdout")
TEAM_SIZE = 10_000
PLACES = ("Leeds", "Lyon", "Porto", "Oslo", "Cork", "Graz", "Turku", "Bari")


def _teams() -> list[dict]:
    teams = []
    for name in SETS:
        teams += json.loads((ROOT / "tests" / "data" / f"{name}.json").read_text())[
            "teams"
        ]
    return teams


def one_submission() -> None:
    timings = []
    for team in _teams():
        people = [
            Answers(p["respondent"], *(p[k][0] for k in ENGAGEMENT_KEYS))
            for p in team["respondents"]
        ]
        ideas = ideas_from_data(team["key_ideas"])
        _, profile = judge_team_with_profile(team["vision"], people[:3], ideas=ideas)
        for person in people:
            started = time.perf_counter()
            judge_respondent(team["vision"], person, profile, ideas=ideas)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(
        f"one submission: median {statistics.median(timings):.1f} ms, "
        f"p90 {timings[int(0.9 * len(timings))]:.1f} ms over {len(timings)} "
        "(target: median at most 50 ms)"
    )


def full_scoring(size: int) -> None:
    team = _teams()[0]
    people = [p for t in _teams() for p in t["respondents"]]
    rng = random.Random(7)
    answers = []
    for n in range(size):
        person = rng.choice(people)
        where = f" in {rng.choice(PLACES)} {n}"
        answers.append(
            Answers(
                str(n), *(person[k][0].rstrip(".") + where for k in ENGAGEMENT_KEYS)
            )
        )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    judge_team_with_profile(
        team["vision"], answers, ideas=ideas_from_data(team["key_ideas"])
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"full scoring of {size:,} respondents: {seconds:.1f} s "
        f"({seconds / size * 1000:.1f} ms each); peak memory {peak:.0f} MB "
        f"({before:.0f} MB before judging)"
    )


def main() -> None:
    if sys.argv[1:2] == ["--full"]:
        full_scoring(int(sys.argv[2]))
        return
    one_submission()
    size = int(sys.argv[1]) if len(sys.argv) > 1 else TEAM_SIZE
    subprocess.run([sys.executable, __file__, "--full", str(size)], check=True)


if __name__ == "__main__":
    main()
