"""Time the engagement engine on generated teams of 10 to 10,000 respondents.

Run from the repository root: ``python bench/bench_scoring.py``. Each size is
judged ``RUNS`` times from a cold stem cache (as in a fresh process) and the
median is printed, with the 10k/1k ratio: about 10 means the cost grows linearly
(Python's garbage collector, which walks every live object, adds a little more).
"""

import gc
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assessments.scoring import Answers, judge_team, summarise
from assessments.scoring.text import stem

SIZES = (10, 100, 1_000, 10_000)
RUNS = 5
TARGET_SECONDS = 2.0
VISION = "Clear bills, honest answers, and billing mistakes fixed the same day."

VISION_ANSWERS = (
    VISION,
    "Mistakes fixed same day, honest answers, clear bils",
    "Bills that are easy to understand, truthful replies, errors corrected that day",
    "clear bills honnest anwsers mistakes fixd same day",
    "Excellent customer service, every time.",
    "The customer is always right.",
    "Move every customer onto paperless direct debit.",
    "Something about honest answers?",
    "Don't know",
    "not sure tbh",
)
SITUATIONS = (
    "when someone rings about a strange charge",
    "if an estimated reading looks wrong",
    "when a direct debit goes out twice",
    "if a move-out bill arrives at the new address",
    "when a smart meter stops sending readings",
    "if a customer on a payment plan misses a month",
)
RESPONSES = (
    "we walk them through each line of the bill",
    "we correct it before we hang up",
    "we tell them plainly what went wrong and what we changed",
    "we refund the difference the same afternoon",
    "we book a meter read and call back with the real figure",
    "we send a one-page breakdown by email",
)
CONTRIBUTIONS = (
    "I check the meter reading history on every disputed bill before I reply",
    "I issue corrections during the call instead of raising a ticket",
    "I rewrote the estimated-reading letter so it explains the change",
    "I clear the correction queue every afternoon",
    "I do my job properly",
    "I'm friendly and patient with everyone",
    "I push the direct debit sign-up on every call",
    "I'm new",
)
NAMES = ("Mrs Okafor", "Mr Lindqvist", "the Patels", "a landlord", "a student flat")


def answers_for(count: int, seed: int) -> list[Answers]:
    """Varied answers: quotes, typos, platitudes, non-answers and concrete cases."""
    rng = random.Random(seed)
    team = []
    for n in range(count):
        meaning = (
            f"{rng.choice(SITUATIONS).capitalize()}, {rng.choice(RESPONSES)}; "
            f"last week {rng.choice(NAMES)} had account {rng.randint(10_000, 99_999)}."
        )
        if rng.random() < 0.15:
            meaning = rng.choice(("It means clear bills and honest answers.", "idk"))
        contribution = f"{rng.choice(CONTRIBUTIONS)}, for example ticket {n}."
        team.append(Answers(f"r{n}", rng.choice(VISION_ANSWERS), meaning, contribution))
    return team


def median_seconds(team: list[Answers]) -> float:
    """Median wall time to judge and summarise ``team``, from a cold stem cache."""
    times = []
    for _ in range(RUNS):
        stem.cache_clear()
        gc.collect()
        start = time.perf_counter()
        summarise(judge_team(VISION, team), invitations=len(team))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    print(f"median of {RUNS} runs, cold stem cache each run")
    print(f"{'respondents':>11}  {'total':>9}  {'per respondent':>14}")
    totals = {}
    for size in SIZES:
        totals[size] = median_seconds(answers_for(size, seed=size))
        per = totals[size] / size * 1e6
        print(f"{size:>11,}  {totals[size]:>8.3f}s  {per:>11.1f} µs")
    ratio = totals[10_000] / totals[1_000]
    print(f"10k/1k time ratio: {ratio:.1f} (10 = linear)")
    verdict = "within" if totals[10_000] < TARGET_SECONDS else "OVER"
    print(f"10,000 respondents: {verdict} the {TARGET_SECONDS:.0f} s target")


if __name__ == "__main__":
    main()
