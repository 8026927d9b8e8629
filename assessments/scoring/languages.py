"""Which language an answer is written in, and the words the rules need in it.

Detection uses py3langid's bundled model (no download), restricted to the
languages a team is likely to answer in; a short or uncertain answer is taken
to be in the team's language (the vision's). English, Spanish and French answers
are read with their own stop words, stemmer, negations and first-person words;
an answer in another language is not judged as broken English: it goes to the
manager's review.
"""

import functools
import os
from dataclasses import dataclass

import snowballstemmer

SUPPORTED = ("en", "es", "fr")
# Languages told apart; anything else the detector might say is not guessed at.
DETECTED = ("en", "es", "fr", "de", "it", "pt", "nl")
NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}
# Fewer words than this, or a detector less sure than this, and the answer is
# taken to be in the team's language.
MIN_DETECTED_WORDS = 3
MIN_DETECTED_PROBABILITY = 0.9


@functools.cache
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid import langid

    path = os.path.join(os.path.dirname(langid.__file__), langid.MODEL_FILE)
    identifier = langid.LanguageIdentifier.from_modelpath(path, norm_probs=True)
    identifier.set_languages(list(DETECTED))
    return identifier


@functools.lru_cache(maxsize=4096)
def detect(text: str, default: str = "en") -> str:
    """The language code of ``text``, or ``default`` when it is too short or
    the detector is unsure."""
    if len(text.split()) < MIN_DETECTED_WORDS:
        return default
    language, probability = _identifier().classify(text)
    if probability < MIN_DETECTED_PROBABILITY:
        return default
    return str(language)


@dataclass(frozen=True)
class Lexicon:
    """What the rules need to know about one language's words."""

    code: str
    stop_words: frozenset[str]
    first_person: frozenset[str]
    # Words that negate what follows ("not", "never", "no"), normalised.
    negations: frozenset[str]
    stemmer_name: str

    @functools.cached_property
    def _stemmer(self):  # type: ignore[no-untyped-def]
        return snowballstemmer.stemmer(self.stemmer_name)

    def stem(self, word: str) -> str:
        return word if word.isdigit() else self._stemmer.stemWord(word)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SPANISH = Lexicon(
    code="es",
    stop_words=_words(
        """
        a al algo algun alguna alguno algunos ante antes aqui asi aun cada como con
        contra cual cuando de del desde donde dos durante e el ella ellas ellos
        en entre era eran es esa esas ese eso esos esta estaba estan estar este
        esto estos fue fueron ha hace hacemos hacer hacia han hasta hay he la las
        le les lo los mas me mi mis mismo mucho muy nada ni no nos nosotros nuestra
        nuestro nuestros o otra otro para pero poco por porque que quien se sea
        ser si sin sobre solo son su sus tambien tan tanto te tener tengo tiene
        tienen todo todos toda todas tu un una uno unos usted y ya yo significa
        significar vision contribuyo contribuir personalmente creo pues bueno
        siempre dar doy damos hago haces hacen ofrecer ofrezco
        """
    ),
    first_person=_words("yo me mi mis nosotros nosotras nuestro nuestra nos"),
    negations=_words("no nunca jamas tampoco"),
    stemmer_name="spanish",
)
FRENCH = Lexicon(
    code="fr",
    stop_words=_words(
        """
        a afin ai aie aient ainsi alors au aucun aucune aussi autre aux avait avec
        avoir bien c ca ce ceci cela celle celui ces cet cette chaque comme d dans
        de des deux donc dont du elle elles en encore est et etait etre eu fait
        faire il ils j je jusqu l la le les leur leurs lui m ma mais me meme mes
        moi mon n ne ni nos notre nous on ont ou par pas peu peut plus pour
        quand que quel quelle qui s sa sans se ses si son sont sur t ta te tes
        toi ton tous tout toute toutes tres tu un une vos votre vous y veut dire
        signifie vision contribue personnellement toujours offrir donner donne
        fais faisons sais sait savoir
        """
    ),
    first_person=_words("je j moi me m mon ma mes nous notre nos"),
    negations=_words("ne n pas jamais"),
    stemmer_name="french",
)
LEXICONS = {"es": SPANISH, "fr": FRENCH}


def name(code: str) -> str:
    return NAMES.get(code, code)
