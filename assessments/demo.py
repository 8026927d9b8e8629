"""Realistic demo content: one team's vision, the key ideas its manager
confirmed with the team's own words for them, and a varied pool of answers."""

from assessments.scoring import KeyIdea

DEMO_VISION = (
    "We fix each customer's problem on the first contact, explain what happened "
    "in plain words, and leave them confident to carry on."
)

DEMO_KEY_IDEAS = (
    KeyIdea(
        "Fix the problem on the first contact",
        ("first time", "on that call", "ring twice", "sort it out"),
    ),
    KeyIdea(
        "Explain what happened in plain words",
        ("plain language", "plainly", "no jargon", "without bank jargon"),
    ),
    KeyIdea(
        "Leave them confident to carry on",
        ("confident", "not left wondering", "reassured"),
    ),
)

ENGAGED_ANSWERS = (
    (
        "Fix the customer's problem on the first contact, explain it in plain words "
        "and leave them confident.",
        "When someone calls about a failed payment I sort it out on that call instead "
        "of passing them on, and I tell them why it failed without bank jargon.",
        "I stay on the line until the refund shows as processed and then I read the "
        "reference number back to the customer.",
    ),
    (
        "Solving problems first time, explaining plainly, customers leave confident.",
        "A customer should not need to ring twice. If the router keeps dropping, I "
        "walk them through the reset and check the line while they wait.",
        "I keep notes on tricky billing cases so the next person can fix the same "
        "problem on the first contact.",
    ),
    (
        "we fix problems on first contact and explane in plain words so customers "
        "feel confident",
        "It means owning the whole problem: finding the cause, fixing it there and "
        "then, and making sure the customer understands what we changed.",
        "I rewrote our outage email template in plain language so customers know what "
        "happened and when it will be fixed.",
    ),
    (
        "Fix it on the first contact, explain in plain words, leave the customer "
        "confident.",
        "Last week a pensioner was worried about an estimated bill; I took a meter "
        "reading with her over the phone and corrected it before we hung up.",
        "I check back the next day with customers whose fix needed an engineer, so "
        "they are not left wondering.",
    ),
)

NOT_ENGAGED_ANSWERS = (
    ("I don't know", "not sure", "I do my job"),
    (
        "World-class customer service.",
        "The customer is always right.",
        "I work hard and I'm friendly.",
    ),
    (
        "Sell more upgrades to every caller.",
        "Hit our call targets every month.",
        "I keep my calls under six minutes.",
    ),
    (
        "Fix problems on first contact.",
        "It means fixing problems on the first contact.",
        "n/a",
    ),
)

ALIGNMENT_RATINGS = {
    "goals": (
        4,
        "First-contact resolution replaced average handle time on the "
        "team dashboard in March.",
    ),
    "hiring": (3, "Interviews include one customer role-play, scored informally."),
    "training": (
        4,
        "New starters spend two days on real cases marked against the vision.",
    ),
    "empowerment": (2, ""),
    "reinforcement": (5, ""),
}

ACTIONS = (
    ("Give every agent a refund limit of 50 without approval", "Priya Shah", 30),
    (
        "Review three real calls against the vision in each Monday huddle",
        "Tom Reed",
        14,
    ),
)
