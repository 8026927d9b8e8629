"""The framework's steps and questions, as data.

This module is the one definition of the catalogue: a data migration loads it into
the database (``Step`` and ``Question`` rows) and the scoring engine reads its keys.
It imports nothing from Django so the pure scoring package can use it.

Wording may change over time. A change of wording is a new ``CATALOGUE_VERSION``
with a data migration that loads it; rounds keep the version they started with.
"""

from dataclasses import dataclass

CATALOGUE_VERSION = 1


@dataclass(frozen=True)
class StepSpec:
    key: str
    number: int
    name: str
    moment_of_truth: str
    summary: str


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    step: str
    position: int
    text: str
    hint: str
    # The question as team members read it in the survey, where it differs from
    # the manager's wording (the alignment questions).
    team_text: str = ""


STEPS = (
    StepSpec(
        key="vision",
        number=1,
        name="Vision",
        moment_of_truth=(
            "Does your organization or team have a customer service vision?"
        ),
        summary=(
            "A customer service vision is one shared description of outstanding "
            "service. It points everyone the same way, including in situations no "
            "procedure covers."
        ),
    ),
    StepSpec(
        key="engagement",
        number=2,
        name="Engagement",
        moment_of_truth=(
            "Can your employees give clear and consistent answers to the three "
            "engagement assessment questions?"
        ),
        summary=(
            "Engaged people know where the team is heading and choose to help it "
            "get there. Each team member answers three short questions."
        ),
    ),
    StepSpec(
        key="alignment",
        number=3,
        name="Alignment",
        moment_of_truth=(
            "Is your leadership aligned around the customer service vision?"
        ),
        summary=(
            "Leaders make the vision easy to follow: goals, hiring, training, "
            "empowerment and daily habits all point the same way."
        ),
    ),
    StepSpec(
        key="commitment",
        number=4,
        name="Commitment",
        moment_of_truth="Are you merely enthusiastic, or fully committed?",
        summary=(
            "Commitment shows in time, money and attention given over months, "
            "not in how excited the leader sounds."
        ),
    ),
)

ENGAGEMENT_QUESTIONS = (
    QuestionSpec(
        key="vision",
        step="engagement",
        position=1,
        text="What is the customer service vision?",
        hint="Say it as you remember it: your own words are fine.",
    ),
    QuestionSpec(
        key="meaning",
        step="engagement",
        position=2,
        text="What does it mean?",
        hint="Describe what it looks like with a real customer, in everyday terms.",
    ),
    QuestionSpec(
        key="contribution",
        step="engagement",
        position=3,
        text="How do you personally contribute?",
        hint="Name something you actually do, ideally something from this week.",
    ),
)

ALIGNMENT_QUESTIONS = (
    QuestionSpec(
        key="goals",
        step="alignment",
        position=1,
        text=(
            "Do you set business goals that are aligned with the customer service "
            "vision?"
        ),
        hint="Think of the targets people are measured on, not the ones on posters.",
        team_text=(
            "Are the goals your team is measured on in line with the customer "
            "service vision?"
        ),
    ),
    QuestionSpec(
        key="hiring",
        step="alignment",
        position=2,
        text="Do you hire employees who are passionate about the vision?",
        hint="What in your hiring process tests for it?",
        team_text="Does your team take on people who care about the vision?",
    ),
    QuestionSpec(
        key="training",
        step="alignment",
        position=3,
        text="Do you train employees to deliver service that fits the vision?",
        hint="Which sessions, guides or coaching use the vision as their reference?",
        team_text=(
            "Does your training show you how to give service that fits the vision?"
        ),
    ),
    QuestionSpec(
        key="empowerment",
        step="alignment",
        position=4,
        text="Are employees empowered to provide service aligned with the vision?",
        hint="What can a team member decide for a customer without asking?",
        team_text=(
            "Are you free to serve customers the way the vision describes, without "
            "asking permission first?"
        ),
    ),
    QuestionSpec(
        key="reinforcement",
        step="alignment",
        position=5,
        text="Do you reinforce the vision on a daily basis?",
        hint="Huddles, recognition, reviews of real cases: what happens each day?",
        team_text=(
            "Is the vision part of your team's everyday work: huddles, recognition, "
            "reviews of real cases?"
        ),
    ),
)

COMMITMENT_ITEMS = (
    QuestionSpec(
        key="time",
        step="commitment",
        position=1,
        text="Time set aside each week for improving service",
        hint="Hours that are protected in calendars, not left over.",
    ),
    QuestionSpec(
        key="money",
        step="commitment",
        position=2,
        text="Budget committed to the improvement",
        hint="Money that is approved and available, even if small.",
    ),
    QuestionSpec(
        key="attention",
        step="commitment",
        position=3,
        text="Attention: where service shows up in regular leadership routines",
        hint="Agendas, reviews and reports where service is a standing item.",
    ),
    QuestionSpec(
        key="owner",
        step="commitment",
        position=4,
        text="A named owner who pulls the pieces together",
        hint="One person, by name, accountable for the improvement.",
    ),
    QuestionSpec(
        key="sponsor",
        step="commitment",
        position=5,
        text="A senior sponsor",
        hint="A senior leader who backs it when it gets messy or expensive.",
    ),
    QuestionSpec(
        key="actions",
        step="commitment",
        position=6,
        text="Concrete actions with owners and due dates",
        hint="One small improvement at a time, each with a date.",
    ),
    QuestionSpec(
        key="reassessment",
        step="commitment",
        position=7,
        text="A date to assess again",
        hint="Within six months, so progress is checked rather than assumed.",
    ),
)

QUESTIONS = ENGAGEMENT_QUESTIONS + ALIGNMENT_QUESTIONS + COMMITMENT_ITEMS
ENGAGEMENT_KEYS = tuple(q.key for q in ENGAGEMENT_QUESTIONS)
ALIGNMENT_KEYS = tuple(q.key for q in ALIGNMENT_QUESTIONS)
# The alignment questions as team members are asked them, by key.
TEAM_WORDING = {q.key: q.team_text for q in ALIGNMENT_QUESTIONS}
