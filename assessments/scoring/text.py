"""Text handling shared by the scoring rules.

Every answer goes through the same pipeline:

1. ``normalise``: Unicode NFKC, control characters (NUL included) become spaces,
   case is folded, accents and other combining marks are dropped, curly quotes
   become straight ones.
2. ``tokenise``: runs of letters and digits; an apostrophe inside a word is
   dropped ("don't" becomes "dont"), any other punctuation splits words.
3. ``analyse``: stop words are removed, the rest is stemmed with the Snowball
   English stemmer, and stock phrases (``PLATITUDES``) are taken out.

Three word lists drive the judgements, all our own:

- ``STOP_WORDS``: small words, fillers and words that only echo the questions.
- ``GENERIC``: words any service team could say ("customer", "excellent",
  "help", "hard work"); they count as specific only where the vision uses them.
- ``SYNONYM_GROUPS``: near-synonyms common in service work ("fix", "solve",
  "resolve"), so a paraphrase can still name a key idea.

A non-answer is one with no words ("", "?", "-", an emoji), only a stock
non-answer ("n/a", "none", "pass"), only stop words ("it is what it is"), or a
hedge ("don't know", "not sure", "I'm new", "idk") with at most
``MAX_HEDGED_WORDS`` content words of its own ("not sure, something about
speed?"). An answer of up to ``SHORT_ANSWER_TOKENS`` words within a typo of one
of those ("dont knwo") counts too (rapidfuzz ratio >= ``NON_ANSWER_SIMILARITY``).
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz, process

MAX_HEDGED_WORDS = 2
NON_ANSWER_SIMILARITY = 85
SHORT_ANSWER_TOKENS = 4

_STEMMER = snowballstemmer.stemmer("english")


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string."""
    return frozenset(words.split())


_INNER_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_WORD = re.compile(r"[^\W_]+")
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
type _PhraseIndex = dict[str, list[tuple[tuple[str, ...], str]]]
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})

STOP_WORDS = word_set(
    """
    a about after again against all almost along also although am among an and any
    anyone anything anyway are around as at away be because been before being
    below between both but by can cannot cant could couldnt did didnt do does
    doesnt doing done dont down during each either else enough etc even ever every
    everybody everything few for from further get gets getting go goes going gone
    got had hadnt has hasnt have havent having he her here hers herself him himself
    his how however i id if ill im in into is isnt it its itself ive just least
    less let lets like made make makes making many may maybe me might mine more
    most much must my myself neither no nobody none nor not nothing now of off
    often ok okay on once one only onto or other others otherwise our ours
    ourselves out over per perhaps put puts putting quite rather really shall she
    should shouldnt since so some somebody someone something sometimes still such
    take takes taking than that thats the their theirs them themselves then there
    theres these they theyd theyll theyre theyve this those though through thus to
    too took toward towards try tries trying tried um umm uh under until up upon us
    very via was wasnt we wed well went were weve what whatever whats when whenever
    where whether which while who whoever whole whom whose why will with within
    without would wouldnt yeah yes yet you youd youll your youre yours yourself
    yourselves youve keep keeps keeping kept want wants need needs needed say says
    said mean means meant meaning vision contribute contributing contribution
    personally basically actually think guess suppose probably lol tbh
    """
)

FIRST_PERSON = word_set(
    "i im ive id ill me my mine myself we weve wed our ours ourselves us"
)

# Words any team could use: never specific, whatever the vision says. The domain
# words are not key ideas of a vision either, since nearly every answer has them.
DOMAIN_WORDS = "customer client service team company staff people user business"
GENERIC_WORDS = f"""
    {DOMAIN_WORDS} everyone world class best better excellent excellence great good
    amazing awesome outstanding exceptional expectation exceed satisfaction
    satisfied happy always top quality value care caring smile help helpful support
    experience deliver provide give priority polite friendly nice hard work job
    effort proud passion passionate committed matter positive patient patients
    organisation organization mission thing stuff way lot time day daily properly
    proper important focus sure possible
"""

SYNONYM_GROUPS = (
    "fix solve resolve sort repair correct mend",
    "mistake error fault wrong",
    "problem issue fault",
    "fast quick quickly prompt promptly rapid speedy swift soon sooner",
    "plain plainly simple simply clear clearly understandable",
    "honest honestly truthful truth transparent straight",
    "answer reply respond response",
    "real actual genuine underlying root",
    "teach show explain educate coach demonstrate",
    "avoid prevent stop",
    "calm calmly composed steady relaxed reassuring",
    "right correct",
    "bill invoice",
    "charge fee price",
    "own ownership",
)

# Stock phrases that sound like a vision but say nothing about this team.
PLATITUDES = (
    "world class",
    "best in class",
    "exceed expectations",
    "exceed customer expectations",
    "excellent customer service",
    "excellent service",
    "great service",
    "service excellence",
    "customer centric",
    "customer focused",
    "customer obsessed",
    "customer satisfaction",
    "customer is always right",
    "customers come first",
    "customer first",
    "come first",
    "number one priority",
    "top priority",
    "above and beyond",
    "extra mile",
    "service with a smile",
    "delight customers",
    "team player",
    "do my best",
    "give 100",
    "give 110",
    "110",
)

HEDGES = (
    "don't know",
    "do not know",
    "didn't know",
    "not sure",
    "unsure",
    "no idea",
    "no clue",
    "not a clue",
    "dunno",
    "idk",
    "can't remember",
    "cannot remember",
    "can not remember",
    "don't remember",
    "do not remember",
    "forgot",
    "I'm new",
    "I am new",
    "new here",
    "new starter",
    "haven't been told",
    "not been told",
    "never been told",
    "nobody told me",
    "nobody has told me",
    "no one has told me",
    "never heard",
    "no comment",
    "not applicable",
)
BARE_NON_ANSWERS = ("n/a", "na", "no", "none", "nothing", "pass", "dk", "tbc", "tbd")
# Words that may surround a hedge without making it an answer.
_HEDGE_FILLER = word_set("sorry honestly exactly")
_NOT_ACTIONS = word_set(
    "thing things something nothing everything anything morning evening during"
)


def normalise(text: str) -> str:
    """Fold case, accents, compatibility forms and control characters away."""
    if text.isascii():  # the common case, and much faster
        return " ".join(_ASCII_CONTROL.sub(" ", text).replace("`", "'").lower().split())
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category == "Mn":
            continue
        kept.append(" " if category in {"Cc", "Cf", "Zl", "Zp"} else char)
    return " ".join("".join(kept).split())


def tokenise(text: str) -> tuple[str, ...]:
    """Split normalised text into words, joining contractions ("don't" -> "dont")."""
    return tuple(_WORD.findall(_INNER_APOSTROPHE.sub("", normalise(text))))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball English stem of a normalised word (numbers stay as they are)."""
    return word if word.isdigit() else _STEMMER.stemWord(word)


def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in tokenise(text) if word not in STOP_WORDS)


GENERIC = frozenset(stem(word) for word in GENERIC_WORDS.split())
DOMAIN = frozenset(stem(word) for word in DOMAIN_WORDS.split())
SYNONYMS: dict[str, frozenset[str]] = {}
for _group in SYNONYM_GROUPS:
    _members = frozenset(stem(word) for word in _group.split())
    for _member in _members:
        SYNONYMS[_member] = SYNONYMS.get(_member, frozenset()) | _members


def _index_phrases(phrases: dict[tuple[str, ...], str]) -> _PhraseIndex:
    """Phrases by their first word, longest first."""
    index: _PhraseIndex = {}
    for key, phrase in sorted(phrases.items(), key=lambda item: -len(item[0])):
        index.setdefault(key[0], []).append((key, phrase))
    return index


def _phrase_at(
    items: Sequence[str], start: int, index: _PhraseIndex
) -> tuple[int, str]:
    """The longest indexed phrase at ``items[start]``: (length, phrase), or (0, "")."""
    for key, phrase in index.get(items[start], ()):
        if tuple(items[start : start + len(key)]) == key:
            return len(key), phrase
    return 0, ""


_PLATITUDE_INDEX = _index_phrases({_stems(phrase): phrase for phrase in PLATITUDES})
_HEDGE_TOKENS = {tokenise(phrase): phrase for phrase in HEDGES}
_HEDGE_INDEX = _index_phrases(_HEDGE_TOKENS)
_BARE_TOKENS = {" ".join(tokenise(phrase)): phrase for phrase in BARE_NON_ANSWERS}
_SHORT_FORMS = {
    " ".join(tokens): phrase
    for tokens, phrase in (*_HEDGE_TOKENS.items(), *_BARE_TOKENS.items())
    if tokens
}


@dataclass(frozen=True)
class Word:
    """A content word of an answer: its stem and the word as written."""

    stem: str
    text: str


@dataclass(frozen=True)
class Analysis:
    """What the scoring rules need to know about one answer."""

    words: tuple[Word, ...]
    platitudes: tuple[str, ...]
    non_answer: str | None
    first_person: bool
    starts_with_action: bool


def _find_hedge(tokens: tuple[str, ...]) -> tuple[str | None, range]:
    for start, token in enumerate(tokens):
        if token in _HEDGE_INDEX:  # most words start no hedge: skip the call
            size, phrase = _phrase_at(tokens, start, _HEDGE_INDEX)
            if size:
                return phrase, range(start, start + size)
    return None, range(0)


def non_answer(tokens: tuple[str, ...]) -> str | None:
    """The non-answer an answer amounts to, or None when it is a real answer."""
    if not tokens:
        return "no words"
    joined = " ".join(tokens)
    if joined in _BARE_TOKENS:
        return _BARE_TOKENS[joined]
    if all(token in STOP_WORDS for token in tokens):
        return "no content words"
    hedge, used = _find_hedge(tokens)
    if hedge is not None:
        own = [
            token
            for index, token in enumerate(tokens)
            if index not in used
            and token not in STOP_WORDS
            and token not in _HEDGE_FILLER
        ]
        if len(own) <= MAX_HEDGED_WORDS:
            return hedge
    if len(tokens) <= SHORT_ANSWER_TOKENS:
        match = process.extractOne(
            joined,
            _SHORT_FORMS.keys(),
            scorer=fuzz.ratio,
            score_cutoff=NON_ANSWER_SIMILARITY,
        )
        if match is not None:
            return _SHORT_FORMS[match[0]]
    return None


def _remove_platitudes(words: list[Word]) -> tuple[list[Word], list[str]]:
    stems = [word.stem for word in words]
    kept: list[Word] = []
    found: list[str] = []
    index = 0
    while index < len(words):
        size, phrase = 0, ""
        if stems[index] in _PLATITUDE_INDEX:  # most words start no stock phrase
            size, phrase = _phrase_at(stems, index, _PLATITUDE_INDEX)
        if size:
            found.append(phrase)
            index += size
        else:
            kept.append(words[index])
            index += 1
    return kept, found


def is_action_form(token: str) -> bool:
    """A verb in -ing ("calling", "checking"), as in "calling customers back"."""
    return len(token) >= 5 and token.endswith("ing") and token not in _NOT_ACTIONS


def analyse(text: str) -> Analysis:
    """Tokenise, detect non-answers and platitudes, and stem the content words."""
    tokens = tokenise(text)
    words = [Word(stem(token), token) for token in tokens if token not in STOP_WORDS]
    content, platitudes = _remove_platitudes(words)
    return Analysis(
        words=tuple(content),
        platitudes=tuple(dict.fromkeys(platitudes)),
        non_answer=non_answer(tokens),
        first_person=any(token in FIRST_PERSON for token in tokens),
        starts_with_action=tokens[:1] == ("by",)
        or any(is_action_form(token) for token in tokens[:3]),
    )


# Stock phrases with words between them, and in Spanish and French.
_STOCK_PATTERNS = (
    r"exceed\w*(?: \w+){0,3} expectations?",
    r"(?:at )?the heart of (?:everything|all) (?:we do|that we do)",
    r"everything we do",
    r"(?:make|making|makes|made) (?:\w+ ){0,2}"
    r"feel (?:special|valued|welcome|at home|important)",
    r"feel (?:special|valued|welcome|at home|important)",
    r"(?:go|going|goes|went) (?:the )?extra mile",
    r"(?:servicio|atencion) (?:de )?(?:excelencia|calidad|excelente)",
    r"(?:la )?satisfaccion del cliente",
    r"el cliente (?:es )?(?:primero|lo primero)",
    r"(?:je fais|faire) de mon mieux",
    r"(?:service|accueil) (?:de qualite|d excellence|excellent)",
    r"(?:la )?satisfaction (?:du |des )?clients?",
    r"(?:le )?client (?:d abord|avant tout|est roi)",
    r"hago lo (?:mejor|que puedo)",
    r"doy lo mejor",
)
_STOCK = re.compile(
    r"\b(?:"
    + "|".join(
        [*_STOCK_PATTERNS, *(" ".join(tokenise(phrase)) for phrase in PLATITUDES)]
    )
    + r")\b"
)


def stock_phrases(joined: str) -> tuple[tuple[str, ...], str]:
    """The stock phrases in ``joined`` (an answer's words, space-separated) and
    the words they cover."""
    found = [match.group(0) for match in _STOCK.finditer(joined)]
    return tuple(dict.fromkeys(found)), " ".join(found)


def listing(words: list[str] | tuple[str, ...], limit: int = 6) -> str:
    """Words joined for a reason a manager reads: "a, b, c and 2 more"."""
    shown = ", ".join(words[:limit])
    extra = len(words) - limit
    return f"{shown} and {extra} more" if extra > 0 else shown
