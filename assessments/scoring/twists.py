"""Answers that use the vision's words to say something else.

Each pattern is a regular expression over an answer's normalised words (see
``text.tokenise``: lower case, no accents, "don't" written "dont"), in English,
Spanish or French. A match makes a meaning or a contribution inconsistent
whatever key ideas it names, and the reason quotes the words that matched.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Twist:
    kind: str
    reason: str
    pattern: re.Pattern[str]


def _any(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


_CUSTOMERS = r"(?:them|customers?|clients?|callers?|people|guests?|patients?|residents?|users?|passengers?)"
_SELF_SERVICE = (
    r"(?:app|apps|website|web site|site|faq|faqs|self service|selfservice|help ?centre|"
    r"help ?center|bot|chatbot|portal|online form|knowledge base|web|pagina web|"
    r"la web|l appli|appli|site web|le site)"
)
_FAST = r"(?:fast|faster|quick|quicker|quickly|asap|short|shorter|in minutes|rapido|rapidement|vite)"

TWISTS = (
    Twist(
        "gaming",
        "turns the vision into a speed or volume target",
        _any(
            r"(?:average )?handl\w* times?",
            r"aht",
            r"talk times?",
            r"call times? down",
            r"sla\w*",
            r"kpis?",
            r"my (?:numbers|stats|targets|metrics|figures)",
            r"(?:the|our) (?:numbers|stats|metrics) (?:look|stay)",
            r"(?:close|closing|closed|closes|end|ending|wrap|wrapping|finish|finishing|clear|clearing)"
            r"(?: \w+){0,3} " + _FAST,
            r"(?:keep|keeping) (?:the )?(?:calls?|chats?|conversations?) (?:short|brief|under)",
            r"off the (?:phone|line)",
            r"as many (?:calls|tickets|cases|chats|contacts)(?: \w+){0,2} as",
            r"clear(?:ing)? the queue",
            r"queue (?:down|empty|clear)",
            r"before the clock",
            r"the target is",
            r"(?:close|closing|closed) (?:\w+ ){0,2}(?:inside|within|in) (?:a|one|an) (?:day|hour)",
            r"(?:our|my|the) (?:\w+ ){0,2}(?:figures?|stats?)",
            r"(?:my|our) numbers",
            r"average (?:call|handle|chat|contact)",
            r"under (?:\w+ )?minutes",
            r"measured on",
            r"(?:its|it s) a decline",
            r"tie up the (?:phone )?lines?",
            r"(?:far enough away|longest (?:\w+ )?date|cant miss it|never go overdue|stops? the clock)",
            r"(?:free drinks?|bad reviews?|tripadvisor|good reviews?)",
            r"clock (?:never )?runs? out",
            r"(?:tiempo medio|cerrar rapido|colgar rapido|temps de traitement|raccrocher vite)",
        ),
    ),
    Twist(
        "gaming",
        "sends customers away instead of serving them",
        _any(
            r"(?:push|pushing|point|pointing|send|sending|direct|directing|redirect\w*|refer|"
            r"referring|steer|steering|deflect\w*|move|moving|nudge|nudging|tell|telling)"
            r"(?: "
            + _CUSTOMERS
            + r")?(?: \w+){0,2} (?:to|towards|at|onto|a|vers)(?: the| our| la| le)?(?: \w+)? "
            + _SELF_SERVICE,
            r"deflect\w*",
            r"(?:use|try|check) (?:the )?" + _SELF_SERVICE + r" instead",
            r"call (?:us )?back (?:another|tomorrow|later)",
            r"check (?:the |our )?(?:website|app|faq|site)",
            r"(?:rebook|book|do it|sort it|order|apply|reschedule)(?: \w+)? on the (?:app|website)",
            r"online instead",
            r"(?:send|sending|paste|pasting|give|giving) (?:them |customers )?(?:the )?(?:docs|documentation|release notes link|link to)",
            r"(?:les |los )?(?:renvoie|renvoyer|mando|mandar|envio|enviar)\w* (?:a|vers)(?: la| le)? "
            + _SELF_SERVICE,
        ),
    ),
    Twist(
        "gaming",
        "turns service into selling",
        _any(
            r"upsell\w*",
            r"up sell\w*",
            r"offer\w* (?:them )?(?:the )?(?:\w+ )?(?:card|insurance|upgrades?|products?|package|deal)",
            r"cross sell\w*",
            r"sell(?:ing)? (?:them|more|an?|the|extra|upgrades?)",
            r"(?:vender|vendre|vendo|je vends)\w*",
            r"(?:hit|meet|make) (?:my|the) (?:sales|target|quota)",
            r"sales (?:targets?|figures?|quotas?)",
        ),
    ),
    Twist(
        "blame",
        "puts the vision's work on someone else",
        _any(
            r"not (?:my|our) (?:job|problem|fault|department|responsibility)",
            r"blam\w*",
            r"(?:their|its|it s|managements?|the system s|the other teams?) fault",
            r"(?:customers|clients|they|people|guests|patients|residents|users|passengers) "
            r"(?:dont|never|wont|cant|do not) (?:read|listen|understand|check|bother|pay attention)",
            r"(?:the )?(?:doctors?|nurses?|warehouse|couriers?|drivers?|engineers?|management|head office|"
            r"tech team|it team|other teams?|other departments?|back office|system|field|credit)"
            r"(?: teams?)? (?:never|dont|doesnt|wont|do not|does not) (?:tell|let|give|send|update|answer|"
            r"reply|call|do|fix)",
            r"(?:customers?|clients?|they|people|users?) not reading",
            r"(?:thats|its) on them",
            r"not us",
            r"get their act together",
            r"(?:its|it s) (?:\w+ )?(?:fault|problem) not",
            r"(?:no es|ce n est pas) (?:mi|mon) (?:trabajo|probleme|travail|culpa)",
            r"(?:es|c est) (?:culpa|la faute)",
        ),
    ),
    Twist(
        "cynicism",
        "dismisses the vision",
        _any(
            r"just (?:a|another) (?:slogan|poster|buzzword|phrase|tagline)",
            r"(?:a |another )?(?:slogan|poster) on the wall",
            r"lip service",
            r"buzzwords?",
            r"management speak",
            r"corporate (?:speak|nonsense|fluff)",
            r"nobody (?:really )?(?:cares|believes|reads)",
            r"means nothing",
            r"meaningless",
            r"doesnt mean anything",
            r"(?:whatever|what ever) (?:management|they|the bosses|head office) (?:say|says|want|wants)",
            r"(?:solo|juste) (?:un|une) (?:eslogan|slogan|poster|affiche)",
        ),
    ),
)

POINTERS = _any(
    r"same as (?:above|before|previous|the previous|last|the last|1|one|the first|q1)",
    r"(?:see|as) (?:above|previous|before|my (?:first|previous|last) answer|answer (?:1|one|above))",
    r"ditto",
    r"idem",
    r"lo mismo(?: que (?:arriba|antes))?",
    r"igual que (?:arriba|antes)",
    r"(?:voir|comme) (?:ci dessus|plus haut|au dessus)",
    r"pareil",
    r"meme chose",
)


# A twist said to be rejected ("it's not 'please check the app'") is none.
_REJECTED = re.compile(
    r"\b(?:not|never|dont|doesnt|instead of|rather than|no more)(?: \w+){0,2} $"
)


def twist(joined: str) -> tuple[Twist, str] | None:
    """The first twist in ``joined`` (an answer's normalised words) and the words
    that matched, or None."""
    for candidate in TWISTS:
        for found in candidate.pattern.finditer(joined):
            if _REJECTED.search(joined[: found.start()]) is None:
                return candidate, found.group(0).strip()
    return None


def pointer(joined: str) -> str | None:
    """A pointer to another answer ("same as above"), when that is all it says."""
    found = POINTERS.search(joined)
    if found is None:
        return None
    rest = (joined[: found.start()] + joined[found.end() :]).split()
    return found.group(0) if len(rest) <= 3 else None
