"""Judging the three engagement answers of step 2: clear and consistent.

Answers are weighed against the vision's **key ideas** (``ideas.KeyIdea``: the
ones the manager confirmed at step 1, else the engine's proposal, one per clause
of the vision). Each idea is named by its own words or the team's words for it
(its *cues*). A cue of one or two content words is named when all of them
appear in the answer; a longer cue when at least ``LONG_CUE_SHARE`` of them do.
A word matches a cue word when their stems are the same, a listed near-synonym,
or within a typo (same first letter, at least ``FUZZY_MIN_LENGTH`` letters, one
edit, two from ``TWO_EDITS_LENGTH`` letters, by rapidfuzz's OSA distance). A word
that appears in the text of more than one idea (the "guest" of a hotel's four
promises) does not name any of them on its own.

Every answer is first read in its language (``languages``): English, Spanish or
French words, stop words, stemmer and negations. An answer in another language
is not judged: both decisions are no, and it needs the manager's review.

Then, per question (every score in [0, 1]; a decision is yes from 0.5):

- *What is the vision?* Clear when it states something specific: a key idea or
  a specific word of its own, not only stock phrases, a non-answer or a pointer
  to another answer. Consistent when it names more than half of the key ideas
  (both of two, two of three, three of four), or, in other words, when the
  sentence model rates it at least ``PARAPHRASE_SIMILARITY`` similar to the
  vision.
- *What does it mean?* Clear when it adds at least ``MEANING_OWN_WORDS`` specific
  words beyond the vision's own; a pasted vision is consistent but not clear.
  Consistent when it names a key idea and works against none.
- *How do you personally contribute?* Clear when it is a personal action ("I",
  "we", "my", "by ...", "calling ...", "je", "yo") with at least
  ``CONTRIBUTION_WORDS`` specific words that are not the bare job or a trait
  ("I answer the phone", "I'm polite"); a pasted vision is neither.
  Consistent when the action serves a key idea and works against none.
- A key idea *negated* ("I don't fix root causes") or a *twist* (``twists``:
  speed and volume targets, sending customers to the website, selling,
  blaming others, dismissing the vision) makes a meaning, a contribution or a
  vision answer inconsistent, whatever words it shares with the vision, and
  the reason says so.

Teammates are not a reference for what the vision means: an off-vision idea the
whole team shares is still off the vision. The team profile (how many
respondents use each term; a respondent never counts towards their own terms)
is reported in the reasons, and an answer that names no key idea but shares
words with teammates is marked for the manager's review rather than decided
with confidence. Someone the profile counts is judged again later against the
profile without their counted terms (``judge_respondent``'s ``counted_terms``),
so nobody's own earlier words count as their teammates'.

Each decision carries a confidence from 0.5 to 1: low when the decision rests
on a near miss (a cue partly named, a similarity near its threshold, words
shared with teammates but no key idea, a language the engine cannot judge).
Below ``REVIEW_BELOW`` the answer "needs your review".
"""

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from rapidfuzz import process
from rapidfuzz.distance import OSA

from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.scoring import languages, twists
from assessments.scoring.embedding import Similarity, bundled
from assessments.scoring.ideas import KeyIdea, propose_key_ideas
from assessments.scoring.text import (
    DOMAIN,
    FIRST_PERSON,
    GENERIC,
    STOP_WORDS,
    SYNONYMS,
    Word,
    analyse,
    is_action_form,
    listing,
    non_answer,
    normalise,
    stem,
    stock_phrases,
    tokenise,
)

FUZZY_MIN_LENGTH = 5
TWO_EDITS_LENGTH = 9
LONG_CUE_WORDS = 3
LONG_CUE_SHARE = 0.6
MEANING_OWN_WORDS = 2
CONTRIBUTION_WORDS = 3
TEAM_COMMON_SHARE = 0.15
# Answers in other words: how much closer to the vision than to ``ANCHORS``
# the sentence model must put an answer for it to carry the vision (a vision
# answer), or a key idea (a meaning or a contribution with at least
# ``SIMILAR_WORDS`` specific words and no key idea in words).
PARAPHRASE_SIMILARITY = 0.035
MEANING_SIMILARITY = 0.0
CONTRIBUTION_SIMILARITY = -0.025
SIMILAR_WORDS = 2
# What any customer service team could say, whatever its vision.
ANCHORS = (
    "We answer customer questions and handle their requests.",
    "I do my job and help customers every day.",
)
# A similarity this far from its threshold is a sure decision.
SURE_MARGIN = 0.03
# A negation at most this many content words before a key idea's word
# (its own included) negates it.
NEGATION_REACH = 2
# Share of the vision's content words an answer repeats, with at most
# ``PASTED_EXTRA_WORDS`` of its own, to count as the vision pasted.
PASTED_SHARE = 0.8
PASTED_EXTRA_WORDS = 2
# An answer of at least this many specific words, all the vision's own, is
# part of the vision copied out.
COPIED_WORDS = 3
# Distinct words a matcher remembers before it starts afresh (bounds memory).
MATCHER_MEMORY = 5000
# Respondents read between two calls of a team judging's progress callback.
PROGRESS_EVERY = 500
# A decision less sure than this goes to the manager: "needs your review".
REVIEW_BELOW = 0.6

# Negations of a verb. "No" and "nobody" negate who, not what: "no guest
# should leave annoyed" and "nobody stuck" are on the vision.
_ENGLISH_NEGATIONS = frozenset(
    [
        "not",
        "never",
        "dont",
        "doesnt",
        "didnt",
        "cant",
        "cannot",
        "wont",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "shouldnt",
        "wouldnt",
        "couldnt",
        "stopped",
        "refuse",
    ]
)
_VISION_NEGATIONS = frozenset(
    ["no", "nobody", "noone", "none", "without", "ningun", "nadie", "aucun", "personne"]
)
# Between two clauses of an answer's words: a negation does not reach past it.
_BREAK = "|"
# "not just X, but ...": the opposite of a negation.
_NOT_NEGATING = frozenset(["just", "only", "simply", "merely"])
# The bare job, traits and effort: never a specific contribution.
_BARE_JOB = frozenset(
    stem(word)
    for word in [
        "answer",
        "answering",
        "phone",
        "phones",
        "call",
        "calls",
        "calling",
        "email",
        "emails",
        "chat",
        "chats",
        "close",
        "closing",
        "case",
        "cases",
        "ticket",
        "tickets",
        "take",
        "taking",
        "job",
        "work",
        "working",
        "shift",
        "shifts",
        "desk",
        "polite",
        "patient",
        "friendly",
        "kind",
        "calm",
        "nice",
        "best",
        "hard",
        "try",
        "trying",
        "professional",
        "smile",
        "smiling",
        "courteous",
        "respectful",
        "listen",
        "listening",
        "role",
        "duties",
        "duty",
        "task",
        "tasks",
        "role",
        "hello",
        "greet",
        "greeting",
        "welcoming",
        "welcome",
    ]
)
# "I'm patient", "I am always polite": a trait, not an action.
_TRAIT = re.compile(
    r"\b(?:i am|im|i m|je suis|soy) (?:\w+ )?(?:polite|patient|friendly|kind|calm|nice|"
    r"courteous|respectful|helpful|positive|professional|cheerful|amable|paciente|"
    r"aimable|patient|poli|polie|souriant|souriante)\b"
)
_GENERIC_EXTRA = frozenset(
    stem(word)
    for word in [
        "hospitality",
        "truc",
        "chose",
        "cosa",
        "cosas",
        "algo",
        "quelque",
        "ones",
        "even",
        "rude",
    ]
)


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
    """The vision's content words in order of appearance, one per stem: the
    ideas of a vision no clause of which says anything specific."""
    words = analyse(vision).words
    ideas: dict[str, Word] = {}
    for word in [w for w in words if w.stem not in DOMAIN] or words:
        ideas.setdefault(word.stem, word)
    return tuple(ideas.values())


def default_ideas(vision: str) -> tuple[KeyIdea, ...]:
    """The ideas answers are weighed against when the manager confirmed none."""
    return propose_key_ideas(vision) or tuple(
        KeyIdea(word.text, (word.text,)) for word in key_ideas(vision)
    )


def respondent_judgement(
    respondent: str, answers: Mapping[str, AnswerVerdict]
) -> RespondentJudgement:
    """Bundle three judgements; engaged when every one is clear and consistent."""
    ordered = {key: answers[key] for key in ENGAGEMENT_KEYS}
    engaged = all(j.clear and j.consistent for j in ordered.values())
    return RespondentJudgement(respondent, MappingProxyType(ordered), engaged)


def judgement(
    clarity: float,
    consistency: float,
    reasons: Iterable[str],
    *,
    confidence: float = 1.0,
    language: str = "en",
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
        confidence=round(min(1.0, max(0.5, confidence)), 3),
        language=language,
    )


@dataclass(frozen=True)
class _Cue:
    """Words that name a key idea, as stems, and how many must appear."""

    stems: tuple[str, ...]
    # Stems the cue itself negates ("not the symptom", "no passenger left").
    negated: frozenset[str]
    need: int


@dataclass(frozen=True)
class _Idea:
    label: str
    # The term a team profile counts the idea under.
    term: str
    text: str
    cues: tuple[_Cue, ...]


# Cached: they are asked for at every word an answer has, and a union is a copy.
@functools.cache
def _negations(language: str, *, in_vision: bool = False) -> frozenset[str]:
    lexicon = languages.LEXICONS.get(language)
    words = lexicon.negations | _ENGLISH_NEGATIONS if lexicon else _ENGLISH_NEGATIONS
    return words | _VISION_NEGATIONS if in_vision else words


@functools.cache
def _stop_words(language: str) -> frozenset[str]:
    lexicon = languages.LEXICONS.get(language)
    return lexicon.stop_words | STOP_WORDS if lexicon else STOP_WORDS


def _stem(word: str, language: str) -> str:
    lexicon = languages.LEXICONS.get(language)
    return lexicon.stem(word) if lexicon else stem(word)


def _negated_at(
    tokens: Sequence[str], index: int, language: str, *, in_vision: bool = False
) -> bool:
    """Whether a negation in the ``NEGATION_REACH`` words before ``index``, in
    the same clause, negates the word there. In the vision's own words "no" and
    "nobody" count too, and reach further: "no passenger left stranded"."""
    negations = _negations(language, in_vision=in_vision)
    stop = _stop_words(language)
    reach = NEGATION_REACH + (2 if in_vision else 0)
    for back in range(index - 1, -1, -1):
        token = tokens[back]
        if token == _BREAK:
            return False
        if token in negations:
            return tokens[back + 1] not in _NOT_NEGATING
        if token not in stop:
            reach -= 1
            if reach == 0:
                return False
    return False


def _clause_tokens(text: str) -> tuple[str, ...]:
    """The answer's words with "|" between clauses (punctuation), so a negation
    does not reach past a comma."""
    parts = re.split(r"[.,;:!?()\u2013\u2014]+|\s-\s|\bbut\b|\bpero\b|\bmais\b", text)
    tokens: list[str] = []
    for part in parts:
        words = tokenise(part)
        if words:
            tokens.extend((*words, _BREAK))
    return tuple(tokens)


def _cue(text: str, language: str, frame: frozenset[str]) -> _Cue | None:
    tokens = _clause_tokens(text)
    stop = _stop_words(language)
    stems: dict[str, bool] = {}
    for index, token in enumerate(tokens):
        if (
            token == _BREAK
            or token in stop
            or token in _negations(language, in_vision=True)
        ):
            continue
        stems.setdefault(
            _stem(token, language),
            _negated_at(tokens, index, language, in_vision=True),
        )
    plain = GENERIC | DOMAIN
    specific = (
        [s for s in stems if s not in frame and s not in plain]
        or [s for s in stems if s not in plain]
        or [s for s in stems if s not in DOMAIN]
    )
    if not specific:
        return None
    need = (
        len(specific)
        if len(specific) < LONG_CUE_WORDS
        else math.ceil(LONG_CUE_SHARE * len(specific))
    )
    return _Cue(
        tuple(specific), frozenset(s for s in specific if stems[s]), max(1, need)
    )


def _index(ideas: tuple[KeyIdea, ...], language: str) -> tuple[_Idea, ...]:
    stop = _stop_words(language)
    seen: Counter[str] = Counter()
    for idea in ideas:
        seen.update({_stem(t, language) for t in tokenise(idea.idea) if t not in stop})
    frame = (
        frozenset(s for s, n in seen.items() if n > 1)
        if len(ideas) > 1
        else frozenset()
    )
    built = []
    for idea in ideas:
        cues = [_cue(text, language, frame) for text in (idea.idea, *idea.words)]
        label = " ".join(idea.idea.split())
        built.append(
            _Idea(
                label,
                f"idea:{normalise(label)}",
                idea.idea,
                tuple(c for c in cues if c is not None),
            )
        )
    return tuple(built)


class _Matcher:
    """Reads answers in one language against a vision's key ideas; remembers
    the cue word each distinct answer word matches."""

    def __init__(self, vision: str, ideas: tuple[KeyIdea, ...], language: str) -> None:
        self.language = language
        self.ideas = _index(ideas, language)
        self.stop = _stop_words(language)
        # In the ideas' order, never a set's: ties (a synonym of two cue words,
        # a typo one edit from two) go the same way in every process.
        vocabulary = tuple(
            dict.fromkeys(
                s for idea in self.ideas for cue in idea.cues for s in cue.stems
            )
        )
        self._exact: dict[str, str] = {s: s for s in vocabulary}
        if language == "en":
            for s in vocabulary:
                for synonym in SYNONYMS.get(s, ()):
                    self._exact.setdefault(synonym, s)
        self._by_initial: dict[str, list[str]] = {}
        for s in vocabulary:
            self._by_initial.setdefault(s[0], []).append(s)
        self.vision_stems = frozenset(
            _stem(t, language) for t in tokenise(vision) if t not in self.stop
        ) - (GENERIC | DOMAIN)
        self._seen: dict[str, str | None] = {}

    def stem(self, token: str) -> str:
        return _stem(token, self.language)

    def match(self, token: str, stemmed: str) -> str | None:
        if token not in self._seen:
            if len(self._seen) >= MATCHER_MEMORY:
                self._seen.clear()
            self._seen[token] = self._exact.get(stemmed) or self._fuzzy(token, stemmed)
        return self._seen[token]

    def _fuzzy(self, token: str, stemmed: str) -> str | None:
        candidates = self._by_initial.get(token[0], [])
        for form in (token, stemmed):
            if len(form) < FUZZY_MIN_LENGTH:
                continue
            edits = 2 if len(form) >= TWO_EDITS_LENGTH else 1
            found = process.extractOne(
                form, candidates, scorer=OSA.distance, score_cutoff=edits
            )
            if found is not None:
                return candidates[found[2]]
        return None


@dataclass(frozen=True)
class _Reading:
    """An answer read against the vision's key ideas."""

    text: str
    language: str
    judged: bool
    non_answer: str | None
    pointer: str | None
    platitudes: tuple[str, ...]
    ideas: tuple[_Idea, ...]
    negated: tuple[_Idea, ...]
    # Ideas some, but not enough, of whose words appear: a near miss.
    partly: tuple[_Idea, ...]
    own: tuple[Word, ...]
    # Own words that are not the vision's own words either.
    new: tuple[Word, ...]
    twist: tuple[twists.Twist, str] | None
    personal: bool
    pasted: bool
    trait: bool
    # The answer's terms for the team profile, in order; none for a non-answer.
    terms: tuple[str, ...] = field(default=())


_ES_HEDGES = re.compile(
    r"\b(?:no (?:lo )?se|ni idea|no me acuerdo|no recuerdo|soy nuevo|soy nueva|"
    r"je (?:ne )?sais (?:pas|plus)|aucune idee|je ne me souviens|je suis nouveau|"
    r"je suis nouvelle|pas sur|pas sure|j ai oublie)\b"
)


def _hedged(joined: str, specific: int) -> str | None:
    found = _ES_HEDGES.search(joined)
    if found is not None and specific <= 1:
        return found.group(0)
    return None


def _personal(tokens: Sequence[str], language: str) -> bool:
    lexicon = languages.LEXICONS.get(language)
    words = [t for t in tokens if t != _BREAK]
    if lexicon is None:
        return any(t in FIRST_PERSON for t in words) or (
            words[:1] == ["by"] or any(is_action_form(t) for t in words[:3])
        )
    if any(t in lexicon.first_person for t in words):
        return True
    if language == "es":
        # Spanish leaves the subject out: "llamo", "reviso", "explico".
        return any(
            len(t) >= 4 and t.endswith("o") and t not in lexicon.stop_words
            for t in words[:3]
        )
    return False


def _read(text: str, matcher: _Matcher) -> _Reading:
    language = matcher.language
    tokens = _clause_tokens(text)
    joined = " ".join(t for t in tokens if t != _BREAK)
    plain = tuple(t for t in tokens if t != _BREAK)
    stock, stock_span = stock_phrases(joined)
    content: list[tuple[int, str, str]] = []
    for index, token in enumerate(tokens):
        if token == _BREAK or token in matcher.stop or token in _negations(language):
            continue
        content.append((index, token, matcher.stem(token)))
    # Words inside a stock phrase say nothing specific.
    if stock_span:
        covered = set(stock_span.split())
        content = [c for c in content if c[1] not in covered]
    matched: dict[str, list[int]] = {}
    for index, token, stemmed in content:
        cue_word = matcher.match(token, stemmed)
        if cue_word is not None:
            matched.setdefault(cue_word, []).append(index)
    named: list[_Idea] = []
    negated: list[_Idea] = []
    partly: list[_Idea] = []
    used: set[int] = set()
    for idea in matcher.ideas:
        best: _Cue | None = None
        for cue in idea.cues:
            found = [s for s in cue.stems if s in matched]
            if len(found) >= cue.need:
                best = cue
                break
            if found:
                partly.append(idea)
        if best is None:
            continue
        positions = [i for s in best.stems for i in matched.get(s, ())]
        used.update(positions)
        negated_by_vision = frozenset().union(*(cue.negated for cue in idea.cues))
        flipped = any(
            _negated_at(tokens, i, language) and s not in negated_by_vision
            for s in best.stems
            for i in matched.get(s, ())
        )
        (negated if flipped else named).append(idea)
    partly = [i for i in dict.fromkeys(partly) if i not in named and i not in negated]
    generic = GENERIC | DOMAIN | _GENERIC_EXTRA
    own: dict[str, Word] = {}
    for index, token, stemmed in content:
        if index in used or stemmed in generic or token.isdigit():
            continue
        own.setdefault(stemmed, Word(stemmed, token))
    new = tuple(w for w in own.values() if w.stem not in matcher.vision_stems)
    base_non_answer = non_answer(plain) if language == "en" else None
    if base_non_answer is None and not plain:
        base_non_answer = "no words"
    if base_non_answer is None:
        base_non_answer = _hedged(joined, len(own) + len(named))
    if base_non_answer is None and not content and not stock:
        base_non_answer = "no content words"
    stems_in_answer = {c[2] for c in content} | set(matched)
    covered_vision = len(stems_in_answer & matcher.vision_stems)
    answer_stems = {c[2] for c in content if c[2] not in generic}
    pasted = len(matcher.vision_stems) >= 2 and (
        (
            covered_vision >= PASTED_SHARE * len(matcher.vision_stems)
            and len(new) <= PASTED_EXTRA_WORDS
        )
        or (len(answer_stems) >= COPIED_WORDS and answer_stems <= matcher.vision_stems)
    )
    terms = () if base_non_answer is not None else (*(i.term for i in named), *own)
    return _Reading(
        text=text,
        language=language,
        judged=True,
        non_answer=base_non_answer,
        pointer=twists.pointer(joined),
        platitudes=stock,
        ideas=tuple(named),
        negated=tuple(negated),
        partly=tuple(partly),
        own=tuple(own.values()),
        new=new,
        twist=twists.twist(joined),
        personal=_personal(tokens, language),
        pasted=pasted,
        trait=_TRAIT.search(joined) is not None,
        terms=tuple(terms),
    )


def _unjudged(text: str, language: str) -> _Reading:
    return _Reading(
        text=text,
        language=language,
        judged=False,
        non_answer=None,
        pointer=None,
        platitudes=(),
        ideas=(),
        negated=(),
        partly=(),
        own=(),
        new=(),
        twist=None,
        personal=False,
        pasted=False,
        trait=False,
    )


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


def _labels(ideas: Iterable[_Idea]) -> str:
    return listing([f"“{idea.label}”" for idea in ideas])


@dataclass
class _Decision:
    """Scores, reasons and the confidence of each decision, built up in turn."""

    clarity: float = 0.0
    consistency: float = 0.0
    reasons: list[str] = field(default_factory=list)
    clarity_sure: float = 0.95
    consistency_sure: float = 0.95

    def verdict(self, language: str) -> AnswerVerdict:
        return judgement(
            self.clarity,
            self.consistency,
            self.reasons,
            confidence=min(self.clarity_sure, self.consistency_sure),
            language=language,
        )


def _not_judged(reading: _Reading) -> AnswerVerdict | None:
    if not reading.judged:
        return judgement(
            0.0,
            0.0,
            (
                f"written in {languages.name(reading.language)}, which the engine "
                "cannot judge: needs your review",
            ),
            confidence=0.5,
            language=reading.language,
        )
    if reading.non_answer is not None:
        return judgement(
            0.0,
            0.0,
            (f"a non-answer ({reading.non_answer})",),
            confidence=0.95,
            language=reading.language,
        )
    if reading.pointer is not None:
        return judgement(
            0.0,
            0.0,
            (f"points to another answer (“{reading.pointer}”) instead of answering",),
            confidence=0.9,
            language=reading.language,
        )
    return None


def _nothing_specific(reading: _Reading) -> str:
    if reading.platitudes:
        return f"a platitude: {listing(reading.platitudes)}"
    return "only general words that any team could say"


def _against(reading: _Reading, decision: _Decision) -> bool:
    """Add the reason an answer works against the vision; true when it does."""
    if reading.twist is not None:
        found, words = reading.twist
        decision.reasons.append(f"{found.reason} (“{words}”)")
    if reading.negated:
        decision.reasons.append(f"says the opposite of {_labels(reading.negated)}")
    return reading.twist is not None or bool(reading.negated)


def _team_reason(reading: _Reading, common: list[str]) -> str:
    if not common:
        return "shares no specific words with what teammates say"
    labels = {i.term: i.label for i in reading.ideas} | {
        w.stem: w.text for w in reading.own
    }
    words = listing([labels.get(t, t) for t in common])
    return f"uses {_count(len(common), 'word')} common among teammates: {words}"


def _model_match(reading: _Reading, similarity: Similarity, vision: str) -> float:
    """How much closer the model puts the answer to the vision than to what
    any customer service team could say (``ANCHORS``): the model rates every
    service sentence about 0.8 similar to every other, so the difference is
    what tells a paraphrase from an answer about something else."""
    to_vision, *to_anchors = similarity(reading.text, (vision, *ANCHORS))
    return round(to_vision - max(to_anchors), 3)


def _judge_vision(
    reading: _Reading, ideas: tuple[_Idea, ...], vision: str, similarity: Similarity
) -> AnswerVerdict:
    if (verdict := _not_judged(reading)) is not None:
        return verdict
    decision = _Decision()
    specific = len(reading.ideas) + len(reading.own)
    if reading.platitudes and not reading.ideas and len(reading.own) < 2:
        specific = 0
    if specific:
        decision.reasons.append(
            f"a real answer with {_count(specific, 'specific word')}"
            if not reading.ideas
            else "states the vision"
        )
        decision.clarity = min(1.0, specific / 2)
        decision.clarity_sure = 0.95 if specific > 1 else 0.7
    else:
        decision.reasons.append(_nothing_specific(reading))
    if not ideas:
        decision.reasons.append("no vision to compare with")
        return decision.verdict(reading.language)
    need = len(ideas) // 2 + 1
    named = len(reading.ideas)
    missing = [i for i in ideas if i not in reading.ideas]
    summary = f"names {named} of {_count(len(ideas), 'key idea')}"
    if reading.ideas:
        summary += f": {_labels(reading.ideas)}"
    decision.reasons.append(
        f"{summary}; missing: {_labels(missing)}" if missing else summary
    )
    decision.consistency = min(1.0, named / need / 2 + (0.25 if named >= need else 0))
    if _against(reading, decision):
        decision.consistency = min(decision.consistency, 0.2)
        decision.consistency_sure = 0.8
        return decision.verdict(reading.language)
    if named >= need:
        decision.consistency_sure = 0.95 if named > need or not reading.partly else 0.85
        return decision.verdict(reading.language)
    if len(reading.own) < SIMILAR_WORDS:
        decision.reasons.append(
            "recalls part of the vision"
            if named
            else "a different idea from the vision"
        )
        return decision.verdict(reading.language)
    closeness = _model_match(reading, similarity, vision)
    # A partial recall repeats some of the vision's own words and nothing else;
    # a paraphrase carries the rest in words of its own.
    if closeness >= PARAPHRASE_SIMILARITY and reading.new:
        decision.consistency = 0.5 + (closeness - PARAPHRASE_SIMILARITY)
        decision.reasons.append("says the vision in other words")
        decision.consistency_sure = _sureness(closeness, PARAPHRASE_SIMILARITY)
        decision.clarity = max(decision.clarity, 0.5)
    else:
        decision.reasons.append(
            "recalls part of the vision"
            if named
            else "a different idea from the vision"
        )
        decision.consistency_sure = (
            _sureness(closeness, PARAPHRASE_SIMILARITY) if reading.new else 0.85
        )
    return decision.verdict(reading.language)


def _sureness(closeness: float, threshold: float) -> float:
    """How sure a decision resting on a similarity is: a coin toss at the
    threshold, sure from ``SURE_MARGIN`` away from it."""
    return min(0.95, 0.5 + 0.45 * abs(closeness - threshold) / SURE_MARGIN)


def _idea_part(
    reading: _Reading,
    decision: _Decision,
    vision: str,
    threshold: float,
    similarity: Similarity,
    profile: TeamProfile,
    own_terms: frozenset[str],
) -> None:
    """The consistency shared by meanings and contributions: a key idea named
    and none worked against. What teammates say is reported, not counted."""
    if _against(reading, decision):
        decision.consistency = 0.2
        decision.consistency_sure = 0.8
        return
    teammates = profile.has_teammates(own_terms)
    common = profile.common(reading.terms, own_terms) if teammates else []
    _idea_decision(reading, decision, vision, threshold, similarity, common)
    decision.reasons.append(
        _team_reason(reading, common)
        if teammates
        else "no teammates' answers to compare with"
    )


def _idea_decision(
    reading: _Reading,
    decision: _Decision,
    vision: str,
    threshold: float,
    similarity: Similarity,
    common: list[str],
) -> None:
    if reading.ideas:
        decision.reasons.append(
            f"serves the vision's key ideas: {_labels(reading.ideas)}"
        )
        decision.consistency = min(1.0, 0.5 + 0.25 * len(reading.ideas))
        decision.consistency_sure = 0.9
        return
    if len(reading.own) < SIMILAR_WORDS:
        decision.reasons.append("names none of the vision's key ideas")
        decision.consistency = min(0.4, 0.1 * len(common))
        decision.consistency_sure = 0.55 if common else 0.85
        return
    closeness = _model_match(reading, similarity, vision)
    decision.consistency_sure = _sureness(closeness, threshold)
    if closeness >= threshold:
        decision.consistency = 0.5 + (closeness - threshold)
        decision.reasons.append("carries the vision's ideas in other words")
        return
    decision.consistency = min(0.45, 0.1 * len(common))
    decision.reasons.append(
        "names none of the vision's key ideas, in its words or in other words"
    )
    if common:
        # Teammates say it too: perhaps the team's own words for an idea.
        decision.consistency_sure = min(decision.consistency_sure, 0.55)


def _judge_meaning(
    reading: _Reading,
    vision: str,
    similarity: Similarity,
    profile: TeamProfile,
    own_terms: frozenset[str],
) -> AnswerVerdict:
    if (verdict := _not_judged(reading)) is not None:
        return verdict
    decision = _Decision()
    new = len(reading.own)
    if reading.pasted:
        decision.reasons.append("the vision repeated, not explained")
        decision.clarity = 0.25
        decision.consistency = 0.75
        decision.reasons.append("agrees with the vision, since it is the vision")
        return decision.verdict(reading.language)
    if new >= MEANING_OWN_WORDS:
        decision.reasons.append(f"explains it in own words: {_words(reading.own)}")
    elif reading.ideas:
        decision.reasons.append(
            f"mostly restates the vision: {_count(new, 'new word')}, "
            f"needs {MEANING_OWN_WORDS}"
        )
    elif new:
        decision.reasons.append("too short to explain")
    else:
        decision.reasons.append(_nothing_specific(reading))
    decision.clarity = new / (2 * MEANING_OWN_WORDS)
    decision.clarity_sure = (
        0.7 if new == MEANING_OWN_WORDS or new == MEANING_OWN_WORDS - 1 else 0.9
    )
    _idea_part(
        reading, decision, vision, MEANING_SIMILARITY, similarity, profile, own_terms
    )
    return decision.verdict(reading.language)


def _judge_contribution(
    reading: _Reading,
    vision: str,
    similarity: Similarity,
    profile: TeamProfile,
    own_terms: frozenset[str],
) -> AnswerVerdict:
    if (verdict := _not_judged(reading)) is not None:
        return verdict
    decision = _Decision()
    if reading.pasted:
        decision.reasons.append("the vision pasted: not something you do")
        return decision.verdict(reading.language)
    specific = [w for w in (*reading.own,) if w.stem not in _BARE_JOB]
    count = len(specific) + len(reading.ideas)
    if not reading.personal:
        decision.reasons.append(
            "does not say what you do yourself (no 'I', 'we' or action)"
        )
    elif count >= CONTRIBUTION_WORDS:
        shown = [*(i.label for i in reading.ideas), *(w.text for w in specific)]
        decision.reasons.append(f"names a personal action: {listing(shown)}")
    elif reading.own and not specific:
        decision.reasons.append(
            "names the bare job or a trait, not an action for the vision"
        )
    elif count:
        decision.reasons.append(f"too vague to picture the action: {_words(specific)}")
    else:
        decision.reasons.append(_nothing_specific(reading))
    decision.clarity = count / (2 * CONTRIBUTION_WORDS) if reading.personal else 0.0
    decision.clarity_sure = (
        0.7 if count == CONTRIBUTION_WORDS or count == CONTRIBUTION_WORDS - 1 else 0.9
    )
    if reading.trait and not reading.ideas:
        decision.clarity = min(decision.clarity, 0.25)
        decision.reasons.append("a trait, not something you do for the vision")
        decision.consistency_sure = 0.85
        return decision.verdict(reading.language)
    if reading.own and not specific and not reading.ideas:
        decision.reasons.append("no link to the vision's key ideas")
        decision.consistency_sure = 0.85
        return decision.verdict(reading.language)
    _idea_part(
        reading,
        decision,
        vision,
        CONTRIBUTION_SIMILARITY,
        similarity,
        profile,
        own_terms,
    )
    return decision.verdict(reading.language)


class _Readers:
    """A vision's matchers, one per language its answers are written in."""

    def __init__(self, vision: str, ideas: tuple[KeyIdea, ...]) -> None:
        self.vision = vision
        self.ideas = ideas or default_ideas(vision)
        self.language = languages.detect(vision) if vision.strip() else "en"
        if self.language not in languages.SUPPORTED:
            self.language = "en"
        self._matchers: dict[str, _Matcher] = {}

    def matcher(self, language: str) -> _Matcher:
        if language not in self._matchers:
            self._matchers[language] = _Matcher(self.vision, self.ideas, language)
        return self._matchers[language]

    def read(self, text: str) -> _Reading:
        language = languages.detect(text, self.language)
        if language not in languages.SUPPORTED:
            return _unjudged(text, language)
        return _read(text, self.matcher(language))

    def indexed(self) -> tuple[_Idea, ...]:
        return self.matcher(self.language).ideas


def _readings(
    readers: _Readers, answers: Answers
) -> tuple[dict[str, _Reading], frozenset[str]]:
    readings = {key: readers.read(getattr(answers, key)) for key in ENGAGEMENT_KEYS}
    terms = frozenset(readings["meaning"].terms + readings["contribution"].terms)
    return readings, terms


def _judge(
    answers: Answers,
    readings: Mapping[str, _Reading],
    readers: _Readers,
    profile: TeamProfile,
    own_terms: frozenset[str],
    similarity: Similarity,
) -> RespondentJudgement:
    def ideas_of(reading: _Reading) -> tuple[_Idea, ...]:
        return readers.matcher(reading.language).ideas if reading.judged else ()

    vision, meaning, contribution = (readings[key] for key in ENGAGEMENT_KEYS)
    return respondent_judgement(
        answers.respondent,
        {
            "vision": _judge_vision(
                vision, ideas_of(vision), readers.vision, similarity
            ),
            "meaning": _judge_meaning(
                meaning, readers.vision, similarity, profile, own_terms
            ),
            "contribution": _judge_contribution(
                contribution, readers.vision, similarity, profile, own_terms
            ),
        },
    )


def judge_team(
    vision: str,
    answers: Sequence[Answers],
    *,
    ideas: Sequence[KeyIdea] | None = None,
    similarity: Similarity | None = None,
) -> tuple[RespondentJudgement, ...]:
    """Judge every respondent's answers against the vision's key ideas (the
    confirmed ``ideas``, else the engine's proposal) and the team profile."""
    return judge_team_with_profile(vision, answers, ideas=ideas, similarity=similarity)[
        0
    ]


def judge_team_with_profile(
    vision: str,
    answers: Sequence[Answers],
    *,
    ideas: Sequence[KeyIdea] | None = None,
    similarity: Similarity | None = None,
    progress: Callable[[int], None] | None = None,
    every: int = PROGRESS_EVERY,
    _terms: list[frozenset[str]] | None = None,
) -> tuple[tuple[RespondentJudgement, ...], TeamProfile]:
    """``judge_team``, also returning the team profile built on the way, to judge
    later respondents against (``judge_respondent``).

    ``similarity`` is the sentence model (``embedding``); the bundled one when
    not given. ``progress``, when given, is called with how many respondents
    have been read, every ``every`` of them and once at the end.
    """
    readers = _Readers(vision, tuple(ideas or ()))
    model = similarity or bundled()
    read = []
    for answer in answers:
        read.append(_readings(readers, answer))
        if progress is not None and len(read) % every == 0:
            progress(len(read))
    if progress is not None and len(read) % every:
        progress(len(read))
    profile = TeamProfile.from_term_sets(terms for _, terms in read)
    if _terms is not None:
        _terms.extend(terms for _, terms in read)
    judgements = tuple(
        _judge(a, readings, readers, profile, terms, model)
        for a, (readings, terms) in zip(answers, read, strict=True)
    )
    return judgements, profile


@functools.lru_cache(maxsize=16)
def _readers_for(vision: str, ideas: tuple[KeyIdea, ...]) -> _Readers:
    """A vision's readers, kept between respondents judged one at a time: the
    words they have matched before cost nothing the next time."""
    return _Readers(vision, ideas)


def respondent_terms(
    vision: str, answers: Answers, *, ideas: Sequence[KeyIdea] | None = None
) -> frozenset[str]:
    """The terms a team profile counts for one respondent (none for someone
    whose meaning and contribution are non-answers: the profile leaves them out)."""
    return _readings(_readers_for(vision, tuple(ideas or ())), answers)[1]


def judge_respondent(
    vision: str,
    answers: Answers,
    profile: TeamProfile,
    *,
    ideas: Sequence[KeyIdea] | None = None,
    similarity: Similarity | None = None,
    counted_terms: frozenset[str] | None = None,
) -> RespondentJudgement:
    """Judge one respondent against the vision and a team they are not counted
    in; or, given ``counted_terms`` (the terms ``profile`` counts for them, maybe
    none), against the team without them, so their own earlier words never count
    as their teammates'."""
    readers = _readers_for(vision, tuple(ideas or ()))
    readings, _ = _readings(readers, answers)
    if counted_terms is not None:
        profile = profile.without(counted_terms)
    return _judge(
        answers, readings, readers, profile, frozenset(), similarity or bundled()
    )


def judge_team_with_terms(
    vision: str,
    answers: Sequence[Answers],
    *,
    ideas: Sequence[KeyIdea] | None = None,
    similarity: Similarity | None = None,
    progress: Callable[[int], None] | None = None,
    every: int = PROGRESS_EVERY,
) -> tuple[tuple[RespondentJudgement, ...], TeamProfile, tuple[frozenset[str], ...]]:
    """``judge_team_with_profile``, also returning each respondent's terms in the
    profile (``respondent_terms``), in the order of ``answers``: what to judge
    them again with (``judge_respondent``'s ``counted_terms``)."""
    term_sets: list[frozenset[str]] = []
    judgements, profile = judge_team_with_profile(
        vision,
        answers,
        ideas=ideas,
        similarity=similarity,
        progress=progress,
        every=every,
        _terms=term_sets,
    )
    return judgements, profile, tuple(term_sets)
