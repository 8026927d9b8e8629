"""Step 1: whether a vision exists, and advice on how it reads.

A statement exists when it is not blank and the manager did not answer "no". The
moment of truth is "yes" when it also says something specific
(``vision_is_specific``): a vision made only of stock phrases and general words
("world-class customer service") is exactly what the framework says a vision is
not. The checks below are advice and never fail the step on their own:

- ``missing``: no statement yet.
- ``generic``: stock phrases ("world-class", "exceed expectations"; the
  ``PLATITUDES`` list in ``text``) or nothing but general words.
- ``prohibitions``: every sentence or clause starts with "don't", "never",
  "no", "not", "avoid" or "stop", so it only says what not to do.
- ``too_long``: more than ``MAX_WORDS`` words, too long to repeat from memory.
- ``jargon``: internal acronyms: a known service acronym (SLA, KPI, NPS, CSAT,
  AHT...) in any case, or any other ALL-CAPS word of 2-6 letters unless the
  whole statement is in capitals.
"""

import re
from dataclasses import dataclass

from assessments.scoring.text import GENERIC, analyse, listing, tokenise, word_set

MAX_WORDS = 25

KNOWN_ACRONYMS = word_set(
    "SLA SLAS KPI KPIS NPS CSAT AHT FCR CES QA CRM TAT ASA ROI OKR OKRS CX VOC"
)
# Capitals that are not team jargon.
COMMON_CAPITALS = word_set("OK UK US USA EU TV AM PM")
_CAPITALS = re.compile(r"[A-Z][A-Z0-9]{1,5}s?")
_CLAUSE_BREAK = re.compile(r"[.;:!?\n,]+")
_NEGATIVE_STARTS = tuple(
    tuple(start.split())
    for start in ("dont", "do not", "never", "no", "not", "avoid", "stop", "nobody")
)


@dataclass(frozen=True)
class VisionInput:
    """The team's vision statement and the manager's answer to "do you have one?"."""

    statement: str
    has_vision: bool | None


@dataclass(frozen=True)
class Finding:
    """One piece of advice about a vision statement."""

    code: str
    message: str


GENERIC_ONLY = (
    "Made only of stock phrases and general words, which any company could claim, "
    "so it is not yet a vision the team can act on. Write what a customer gets "
    "from this team that they would notice, such as “every billing question "
    "settled on the first call”."
)


def vision_exists(vision: VisionInput) -> bool:
    """A statement exists and the manager did not say no."""
    return bool(vision.statement.strip()) and vision.has_vision is not False


def vision_is_specific(statement: str) -> bool:
    """Whether the statement names anything beyond stock phrases and general
    words: something a customer could hold the team to."""
    return any(word.stem not in GENERIC for word in analyse(statement).words)


def _generic(statement: str) -> Finding | None:
    analysis = analyse(statement)
    specific = [w.text for w in analysis.words if w.stem not in GENERIC]
    if analysis.platitudes:
        phrases = listing([f"'{p}'" for p in analysis.platitudes])
        return Finding(
            "generic",
            f"Uses stock phrases any company could claim: {phrases}. Say what your "
            "team does that a customer would notice.",
        )
    if not specific:
        return Finding(
            "generic",
            "Every word is general (like 'customer', 'service', 'great'). Name "
            "something specific your customers get from this team.",
        )
    return None


def _only_prohibitions(statement: str) -> Finding | None:
    clauses = [tokenise(c) for c in _CLAUSE_BREAK.split(statement)]
    clauses = [c for c in clauses if c]
    negative = [c for c in clauses if any(c[: len(s)] == s for s in _NEGATIVE_STARTS)]
    if clauses and len(negative) == len(clauses):
        return Finding(
            "prohibitions",
            "Only says what not to do. Add what people should do, so they can act "
            "well when no rule covers the situation.",
        )
    return None


def _too_long(statement: str) -> Finding | None:
    count = len(tokenise(statement))
    if count > MAX_WORDS:
        return Finding(
            "too_long",
            f"Has {count} words; aim for {MAX_WORDS} or fewer so people can repeat "
            "it from memory.",
        )
    return None


def _jargon(statement: str) -> Finding | None:
    letters = [c for c in statement if c.isalpha()]
    shouted = bool(letters) and sum(c.isupper() for c in letters) > len(letters) / 2
    found = [
        token
        for token in re.findall(r"\b[A-Za-z0-9]+\b", statement)
        if token.upper() in KNOWN_ACRONYMS
        or (
            not shouted
            and token not in COMMON_CAPITALS
            and _CAPITALS.fullmatch(token) is not None
        )
    ]
    if found:
        return Finding(
            "jargon",
            f"Uses internal acronyms or jargon: {listing(list(dict.fromkeys(found)))}. "
            "Write it in words a new starter and a customer would understand.",
        )
    return None


def check_vision(statement: str) -> tuple[Finding, ...]:
    """Advice on a vision statement; empty when nothing stands out."""
    if not statement.strip():
        return (Finding("missing", "There is no vision statement yet."),)
    checks = (_generic, _only_prohibitions, _too_long, _jargon)
    return tuple(f for check in checks if (f := check(statement)) is not None)
