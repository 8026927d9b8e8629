"""Judging the three engagement answers of step 2: clear and consistent.

Key ideas of the vision are the stems of its content words (see ``text``), minus
words every answer has ("customer", "service", "team"). An answer's word names a
key idea when its stem is the idea's stem, a listed near-synonym of it, or within
a typo of it: same first letter, at least ``FUZZY_MIN_LENGTH`` letters, and at
most one edit (two from ``TWO_EDITS_LENGTH`` letters) by rapidfuzz's OSA
distance, where swapping two neighbouring letters is one edit.

"Own words" are an answer's specific words: not stop words, not generic words
("excellent", "help", "hard work"), not stock phrases, and not key ideas.

Every score is in [0, 1] and a decision is yes exactly when its score >= 0.5.

- vision: clarity = specific words (key ideas + own words) / 2; consistency =
  the share of the vision's key ideas named, consistent from
  ``VISION_SHARE_NEEDED``.
- meaning: clarity = own words / (2 x ``MEANING_OWN_WORDS``), so restating the
  vision is not clear. Consistency is the mean of a vision part (key ideas / 2)
  and a team part (words common among teammates / 2), or the vision part alone
  when nobody else answered.
- contribution: clarity = specific words / (2 x ``CONTRIBUTION_WORDS``) when the
  answer is a personal action ("I ...", "we ...", "my ...", "by ...", "calling
  ..."), else 0. Consistency = (key ideas + half of its other words common
  among teammates) / 2.
- A non-answer (see ``text``) scores 0 on everything.
- An answer's score is the mean of clarity and consistency; a respondent is
  engaged when all three answers are clear and consistent.

The team profile counts, for each term, how many respondents use it in their
meaning or contribution answers (key ideas counted under the idea). A term is
common among someone's teammates when at least ``TEAM_COMMON_SHARE`` of the
other respondents use it (at least one), leaving the person out of the count:
building the profile and judging everyone are both linear in the team's size.
Someone the profile counts is judged again later against the profile without
their counted terms (``judge_respondent``'s ``counted_terms``), so nobody's own
earlier words count as their teammates'.
"""

import functools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from rapidfuzz import process
from rapidfuzz.distance import OSA

from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.scoring.ideas import KeyIdea
from assessments.scoring.text import (
    DOMAIN,
    GENERIC,
    SYNONYMS,
    Analysis,
    Word,
    analyse,
    listing,
    normalise,
)

FUZZY_MIN_LENGTH = 5
TWO_EDITS_LENGTH = 9
VISION_SHARE_NEEDED = 0.5
MEANING_OWN_WORDS = 2
CONTRIBUTION_WORDS = 3
TEAM_COMMON_SHARE = 0.15
# Distinct words a matcher remembers before it starts afresh (bounds memory).
MATCHER_MEMORY = 5000
# Respondents read between two calls of a team judging's progress callback.
PROGRESS_EVERY = 500
# A decision this close to its threshold (or an answer the engine cannot read)
# goes to the manager: confidence below this is "needs your review".
REVIEW_BELOW = 0.6


@dataclass(frozen=True)
class Answers:
    """One respondent's answers to the three engagement questions."""

    respondent: str
    vision: str
    meaning: str
    contribution: str


@dataclass(frozen=True)
class AnswerVerdict:
    """The engine's decision on one answer, with scores and readable reasons."""

    clear: bool
    consistent: bool
    clarity: float
    consistency: float
    score: float
    reasons: tuple[str, ...]
    # How sure the engine is of both decisions, from 0.5 (a coin toss) to 1.
    confidence: float = 1.0
    # The language the answer is judged in ("en", "es", "fr"), or another
    # language's code when the engine cannot judge it.
    language: str = "en"

    @property
    def needs_review(self) -> bool:
        """Uncertain enough that the manager should decide."""
        return self.confidence < REVIEW_BELOW


@dataclass(frozen=True)
class RespondentJudgement:
    """One respondent's three judgements, keyed by question key, in catalogue order."""

    respondent: str
    answers: Mapping[str, AnswerVerdict]
    engaged: bool

    @property
    def needs_review(self) -> bool:
        return any(answer.needs_review for answer in self.answers.values())


@functools.lru_cache(maxsize=64)
def key_ideas(vision: str) -> tuple[Word, ...]:
    """The vision's key ideas in order of appearance, one per stem."""
    words = analyse(vision).words
    ideas: dict[str, Word] = {}
    for word in [w for w in words if w.stem not in DOMAIN] or words:
        ideas.setdefault(word.stem, word)
    return tuple(ideas.values())


def _named_by(
    vision: str, ideas: Sequence[KeyIdea] | None
) -> tuple[tuple[Word, tuple[Word, ...]], ...]:
    """Each key idea as a word (its label, and the stem a profile counts it
    under) with the words that name it. Without confirmed ideas, each content
    word of the vision is one."""
    if not ideas:
        return tuple((idea, (idea,)) for idea in key_ideas(vision))
    named = []
    for idea in ideas:
        words = analyse(" ".join((idea.idea, *idea.words))).words
        label = " ".join(idea.idea.split())
        named.append((Word(f"idea:{normalise(label)}", label), words))
    return tuple(named)


def respondent_judgement(
    respondent: str, answers: Mapping[str, AnswerVerdict]
) -> RespondentJudgement:
    """Bundle three judgements; engaged when every one is clear and consistent."""
    ordered = {key: answers[key] for key in ENGAGEMENT_KEYS}
    engaged = all(j.clear and j.consistent for j in ordered.values())
    return RespondentJudgement(respondent, MappingProxyType(ordered), engaged)


def judgement(
    clarity: float, consistency: float, reasons: Iterable[str]
) -> AnswerVerdict:
    """A judgement whose decisions follow its scores (yes from 0.5)."""
    clarity = min(1.0, max(0.0, clarity))
    consistency = min(1.0, max(0.0, consistency))
    return AnswerVerdict(
        clear=clarity >= 0.5,
        consistent=consistency >= 0.5,
        clarity=clarity,
        consistency=consistency,
        score=(clarity + consistency) / 2,
        reasons=tuple(reasons),
        confidence=0.5 + min(abs(clarity - 0.5), abs(consistency - 0.5)),
    )


class _IdeaMatcher:
    """Finds the key idea an answer's word names; remembers each distinct word."""

    def __init__(self, ideas: tuple[tuple[Word, tuple[Word, ...]], ...]) -> None:
        """``ideas``: each idea with the words that name it."""
        self._exact: dict[str, Word] = {}
        self._by_initial: dict[str, list[tuple[str, Word]]] = {}
        for idea, words in ideas:
            for word in words:
                self._exact.setdefault(word.stem, idea)
        for idea, words in ideas:
            for word in words:
                for synonym in SYNONYMS.get(word.stem, ()):
                    self._exact.setdefault(synonym, idea)
                for form in dict.fromkeys((word.stem, word.text)):
                    self._by_initial.setdefault(form[0], []).append((form, idea))
        self._seen: dict[str, Word | None] = {}

    def match(self, word: Word) -> Word | None:
        if word.text not in self._seen:
            if len(self._seen) >= MATCHER_MEMORY:
                self._seen.clear()
            self._seen[word.text] = self._exact.get(word.stem) or self._fuzzy(word)
        return self._seen[word.text]

    def _fuzzy(self, word: Word) -> Word | None:
        candidates = self._by_initial.get(word.text[0], [])
        for form in (word.text, word.stem):
            if len(form) < FUZZY_MIN_LENGTH:
                continue
            edits = 2 if len(form) >= TWO_EDITS_LENGTH else 1
            found = process.extractOne(
                form,
                [c for c, _ in candidates],
                scorer=OSA.distance,
                score_cutoff=edits,
            )
            if found is not None:
                return candidates[found[2]][1]
        return None


@dataclass(frozen=True)
class _Reading:
    """An answer read against the vision."""

    analysis: Analysis
    ideas: tuple[Word, ...]
    own: tuple[Word, ...]
    # The answer's terms for the team profile, in order; none for a non-answer.
    terms: tuple[str, ...]


def _read(text: str, matcher: _IdeaMatcher) -> _Reading:
    analysis = analyse(text)
    ideas: dict[str, Word] = {}
    own: dict[str, Word] = {}
    for word in analysis.words:
        idea = matcher.match(word)
        if idea is not None:
            ideas.setdefault(idea.stem, idea)
        elif word.stem not in GENERIC:
            own.setdefault(word.stem, word)
    terms = () if analysis.non_answer is not None else (*ideas, *own)
    return _Reading(analysis, tuple(ideas.values()), tuple(own.values()), terms)


@dataclass(frozen=True)
class TeamProfile:
    """How many respondents use each term in their meaning or contribution.

    Built once per team. It can be stored and used later to judge one more
    respondent against the team without reading everyone's answers again.
    """

    size: int
    counts: Mapping[str, int]

    @classmethod
    def from_term_sets(cls, term_sets: Iterable[frozenset[str]]) -> "TeamProfile":
        counts: Counter[str] = Counter()
        size = 0
        for terms in term_sets:
            counts.update(terms)
            size += bool(terms)
        return cls(size, MappingProxyType(dict(counts)))

    def as_dict(self) -> dict[str, int | dict[str, int]]:
        return {"size": self.size, "counts": dict(self.counts)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> "TeamProfile":
        """The profile ``as_dict`` gave; anything unreadable is an empty team."""
        size, counts = data.get("size"), data.get("counts")
        if not isinstance(size, int) or not isinstance(counts, Mapping):
            return EMPTY_PROFILE
        return cls(size, MappingProxyType({str(t): int(n) for t, n in counts.items()}))

    def common(self, terms: Iterable[str], own_terms: frozenset[str]) -> list[str]:
        """Terms of ``terms`` common among teammates (the person left out).

        ``own_terms`` are the person's terms when the profile counts them, and
        empty for someone judged against a team they are not part of.
        """
        need = _common_from(self.size - (1 if own_terms else 0))
        return [t for t in terms if self.counts.get(t, 0) - (t in own_terms) >= need]

    def for_newcomers(self) -> "TeamProfile":
        """Only the terms common enough to count for someone judged against the
        team without being part of it (``judge_respondent``): their judgements
        stay the same, and a stored profile stays small however many words a
        large team uses."""
        need = _common_from(self.size)
        return TeamProfile(
            self.size,
            MappingProxyType({t: n for t, n in self.counts.items() if n >= need}),
        )

    def has_teammates(self, own_terms: frozenset[str]) -> bool:
        return self.size - (1 if own_terms else 0) > 0

    def for_respondents(self) -> "TeamProfile":
        """Only the terms common enough to count for anyone judged against the
        stored profile: a newcomer, or a respondent it counts judged again
        without their own terms (``without``), who needs one teammate fewer.
        Judgements are the same as against the whole profile."""
        need = _common_from(self.size - 1)
        return TeamProfile(
            self.size,
            MappingProxyType({t: n for t, n in self.counts.items() if n >= need}),
        )

    def without(self, counted_terms: frozenset[str]) -> "TeamProfile":
        """The profile without one respondent it counts, whose terms in it are
        ``counted_terms`` (any other term of theirs it does not hold)."""
        counts = dict(self.counts)
        for term in counted_terms & counts.keys():
            counts[term] -= 1
        return TeamProfile(max(0, self.size - 1), MappingProxyType(counts))


EMPTY_PROFILE = TeamProfile(0, MappingProxyType({}))


def _common_from(others: int) -> int:
    """How many of ``others`` teammates must use a term for it to be common."""
    return max(1, math.ceil(TEAM_COMMON_SHARE * others))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _words(items: Iterable[Word]) -> str:
    return listing([item.text for item in items])


def _non_answer(reading: _Reading) -> AnswerVerdict | None:
    reason = reading.analysis.non_answer
    if reason is None:
        return None
    return judgement(0.0, 0.0, (f"a non-answer ({reason})",))


def _no_content_reason(reading: _Reading) -> str:
    if reading.analysis.platitudes:
        return f"a platitude: {listing(reading.analysis.platitudes)}"
    return "only general words that any team could say"


def _judge_vision(reading: _Reading, ideas: tuple[Word, ...]) -> AnswerVerdict:
    if (verdict := _non_answer(reading)) is not None:
        return verdict
    specific = len(reading.ideas) + len(reading.own)
    reasons = [
        f"a real answer with {_count(specific, 'specific word')}"
        if specific
        else _no_content_reason(reading)
    ]
    if not ideas:
        return judgement(specific / 2, 0.0, [*reasons, "no vision to compare with"])
    named = {idea.stem for idea in reading.ideas}
    missing = [idea for idea in ideas if idea.stem not in named]
    shown = f": {_words(reading.ideas)}" if reading.ideas else ""
    summary = (
        f"names {len(named)} of {_count(len(ideas), 'key idea')} of the vision{shown}"
    )
    reasons.append(f"{summary}; missing: {_words(missing)}" if missing else summary)
    share = len(named) / len(ideas)
    if share < VISION_SHARE_NEEDED and reading.own:
        reasons.append(f"other ideas: {_words(reading.own)}")
    return judgement(specific / 2, share / (2 * VISION_SHARE_NEEDED), reasons)


def _team_reason(common: list[str], labels: Mapping[str, str]) -> str:
    if not common:
        return "shares no specific words with what teammates say"
    words = listing([labels[t] for t in common])
    return f"uses {_count(len(common), 'word')} common among teammates: {words}"


def _labels(reading: _Reading) -> dict[str, str]:
    return {i.stem: i.text for i in reading.ideas} | {
        w.stem: w.text for w in reading.own
    }


def _judge_meaning(
    reading: _Reading, profile: TeamProfile, own_terms: frozenset[str]
) -> AnswerVerdict:
    if (verdict := _non_answer(reading)) is not None:
        return verdict
    own = len(reading.own)
    if own >= MEANING_OWN_WORDS:
        reasons = [f"explains it in own words: {_words(reading.own)}"]
    elif reading.ideas:
        reasons = [
            f"mostly restates the vision: {_count(own, 'new word')}"
            f"{f' ({_words(reading.own)})' if own else ''}, needs {MEANING_OWN_WORDS}"
        ]
    else:
        reasons = [_no_content_reason(reading) if not own else "too short to explain"]
    vision_part = min(1.0, len(reading.ideas) / 2)
    reasons.append(
        f"shares {_count(len(reading.ideas), 'key idea')} with the vision: "
        f"{_words(reading.ideas)}"
        if reading.ideas
        else "shares no key idea with the vision"
    )
    if profile.has_teammates(own_terms):
        common = profile.common(reading.terms, own_terms)
        reasons.append(_team_reason(common, _labels(reading)))
        consistency = (vision_part + min(1.0, len(common) / 2)) / 2
    else:
        reasons.append("no teammates' answers to compare with")
        consistency = vision_part
    return judgement(own / (2 * MEANING_OWN_WORDS), consistency, reasons)


def _judge_contribution(
    reading: _Reading, profile: TeamProfile, own_terms: frozenset[str]
) -> AnswerVerdict:
    if (verdict := _non_answer(reading)) is not None:
        return verdict
    analysis = reading.analysis
    specific = [*reading.ideas, *reading.own]
    personal = analysis.first_person or analysis.starts_with_action
    if not personal:
        reasons = ["does not say what you do yourself (no 'I', 'we' or action)"]
    elif len(specific) >= CONTRIBUTION_WORDS:
        reasons = [f"names a personal action: {_words(specific)}"]
    elif specific:
        reasons = [f"too vague to picture the action: {_words(specific)}"]
    else:
        reasons = [_no_content_reason(reading)]
    clarity = len(specific) / (2 * CONTRIBUTION_WORDS) if personal else 0.0
    common = [
        t
        for t in profile.common(reading.terms, own_terms)
        if t not in {i.stem for i in reading.ideas}
    ]
    if reading.ideas:
        reasons.append(f"serves the vision's key ideas: {_words(reading.ideas)}")
    if common:
        reasons.append(_team_reason(common, _labels(reading)))
    if not reading.ideas and not common:
        reasons.append(
            "no link to the vision's key ideas or to what teammates describe"
        )
    evidence = len(reading.ideas) + len(common) / 2
    return judgement(clarity, evidence / 2, reasons)


def _readings(
    matcher: _IdeaMatcher, answers: Answers
) -> tuple[dict[str, _Reading], frozenset[str]]:
    readings = {key: _read(getattr(answers, key), matcher) for key in ENGAGEMENT_KEYS}
    terms = frozenset(readings["meaning"].terms + readings["contribution"].terms)
    return readings, terms


def _judge(
    answers: Answers,
    readings: Mapping[str, _Reading],
    ideas: tuple[Word, ...],
    profile: TeamProfile,
    own_terms: frozenset[str],
) -> RespondentJudgement:
    return respondent_judgement(
        answers.respondent,
        {
            "vision": _judge_vision(readings["vision"], ideas),
            "meaning": _judge_meaning(readings["meaning"], profile, own_terms),
            "contribution": _judge_contribution(
                readings["contribution"], profile, own_terms
            ),
        },
    )


def judge_team(
    vision: str,
    answers: Sequence[Answers],
    *,
    ideas: Sequence[KeyIdea] | None = None,
) -> tuple[RespondentJudgement, ...]:
    """Judge every respondent's answers against the vision's key ideas (the
    confirmed ``ideas``, else the vision's own) and the team profile."""
    return judge_team_with_profile(vision, answers, ideas=ideas)[0]


def judge_team_with_profile(
    vision: str,
    answers: Sequence[Answers],
    *,
    ideas: Sequence[KeyIdea] | None = None,
    progress: Callable[[int], None] | None = None,
    every: int = PROGRESS_EVERY,
    _terms: list[frozenset[str]] | None = None,
) -> tuple[tuple[RespondentJudgement, ...], TeamProfile]:
    """``judge_team``, also returning the team profile built on the way, to judge
    later respondents against (``judge_respondent``).

    Reading the answers is most of the work (judging against the profile is
    about a fifth), so ``progress``, when given, is called with how many
    respondents have been read, every ``every`` of them and once at the end.
    """
    named = _named_by(vision, ideas)
    matcher = _IdeaMatcher(named)
    labels = tuple(idea for idea, _ in named)
    read = []
    for answer in answers:
        read.append(_readings(matcher, answer))
        if progress is not None and len(read) % every == 0:
            progress(len(read))
    if progress is not None and len(read) % every:
        progress(len(read))
    profile = TeamProfile.from_term_sets(terms for _, terms in read)
    if _terms is not None:
        _terms.extend(terms for _, terms in read)
    judgements = tuple(
        _judge(a, readings, labels, profile, terms)
        for a, (readings, terms) in zip(answers, read, strict=True)
    )
    return judgements, profile


@functools.lru_cache(maxsize=16)
def _matcher_for(
    vision: str, ideas: tuple[KeyIdea, ...]
) -> tuple[_IdeaMatcher, tuple[Word, ...]]:
    """A vision's matcher and idea labels, kept between respondents judged one
    at a time: the words it has matched before cost nothing the next time."""
    named = _named_by(vision, ideas)
    return _IdeaMatcher(named), tuple(idea for idea, _ in named)


def judge_respondent(
    vision: str,
    answers: Answers,
    profile: TeamProfile,
    *,
    ideas: Sequence[KeyIdea] | None = None,
    counted_terms: frozenset[str] | None = None,
) -> RespondentJudgement:
    """Judge one respondent against the vision and a team they are not counted
    in; or, given ``counted_terms`` (the terms ``profile`` counts for them, maybe
    none), against the team without them, so their own earlier words never count
    as their teammates'."""
    matcher, labels = _matcher_for(vision, tuple(ideas or ()))
    readings, _ = _readings(matcher, answers)
    if counted_terms is not None:
        profile = profile.without(counted_terms)
    return _judge(answers, readings, labels, profile, frozenset())


def respondent_terms(
    vision: str, answers: Answers, *, ideas: Sequence[KeyIdea] | None = None
) -> frozenset[str]:
    """The terms a team profile counts for one respondent (none for someone
    whose meaning and contribution are non-answers: the profile leaves them out)."""
    matcher, _ = _matcher_for(vision, tuple(ideas or ()))
    return _readings(matcher, answers)[1]


def judge_team_with_terms(
    vision: str,
    answers: Sequence[Answers],
    *,
    ideas: Sequence[KeyIdea] | None = None,
    progress: Callable[[int], None] | None = None,
    every: int = PROGRESS_EVERY,
) -> tuple[tuple[RespondentJudgement, ...], TeamProfile, tuple[frozenset[str], ...]]:
    """``judge_team_with_profile``, also returning each respondent's terms in the
    profile (``respondent_terms``), in the order of ``answers``: what to judge
    them again with (``judge_respondent``'s ``counted_terms``)."""
    term_sets: list[frozenset[str]] = []
    judgements, profile = judge_team_with_profile(
        vision, answers, ideas=ideas, progress=progress, every=every, _terms=term_sets
    )
    return judgements, profile, tuple(term_sets)
