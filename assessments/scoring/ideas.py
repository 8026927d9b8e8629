"""The vision's key ideas: what answers are weighed against.

The engine proposes them from the vision (one per clause); the manager keeps,
drops or adds ideas at step 1 and gives the team's own words for each ("one
conversation": "first time", "first contact"). A round keeps the ideas it ran
with, stored as ``ideas_as_data`` gives them.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assessments.scoring.text import DOMAIN, GENERIC, analyse, normalise

MAX_IDEAS = 8
MAX_WORDS_PER_IDEA = 12
MAX_IDEA_LENGTH = 200
# Clause breaks: punctuation, and the joining words a vision strings ideas with.
_CLAUSE_BREAK = re.compile(
    r"[.;:,!?()\u2013\u2014]+|\s+-\s+|\b(?:and|with|by|so that|while|but)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class KeyIdea:
    """One central idea of the vision, with the team's own words for it."""

    idea: str
    words: tuple[str, ...] = ()


def _clause_words(clause: str) -> tuple[str, ...]:
    content = [w.text for w in analyse(clause).words if w.stem not in GENERIC | DOMAIN]
    return tuple(dict.fromkeys(content))


def propose_key_ideas(vision: str) -> tuple[KeyIdea, ...]:
    """One idea per clause of the vision that has a specific word, in order.

    A clause's specific words are offered as the team's words for it, for the
    manager to keep, drop or add to. A vision of only general words proposes
    nothing: there is nothing specific to weigh answers against.
    """
    ideas: dict[str, KeyIdea] = {}
    for clause in _CLAUSE_BREAK.split(vision):
        text = " ".join(clause.split())
        words = _clause_words(text)
        if words and normalise(text) not in ideas:
            ideas[normalise(text)] = KeyIdea(text[:MAX_IDEA_LENGTH], words)
    return tuple(ideas.values())[:MAX_IDEAS]


def ideas_as_data(ideas: Iterable[KeyIdea]) -> list[dict[str, object]]:
    """Plain data to store with a round: a list of {"idea", "words"}."""
    return [{"idea": i.idea, "words": list(i.words)} for i in ideas]


def ideas_from_data(data: object) -> tuple[KeyIdea, ...]:
    """The ideas ``ideas_as_data`` gave; anything unreadable is left out."""
    if not isinstance(data, list):
        return ()
    ideas = []
    for item in data:
        if not isinstance(item, Mapping) or not isinstance(item.get("idea"), str):
            continue
        words = item.get("words", [])
        if not isinstance(words, list):
            words = []
        ideas.append(
            KeyIdea(item["idea"], tuple(w for w in words if isinstance(w, str)))
        )
    return tuple(ideas)
