"""Next actions for each step, chosen from what the step's result shows.

Each function returns two to four actions, most pressing first. The wording is
ours, written from the framework's ideas: a specific vision, engagement checked
by asking people, decisions and habits that follow the vision, and commitment
shown by time, money, attention, names and dates.
"""

from assessments.scoring.alignment import AlignmentResult
from assessments.scoring.commitment import CommitmentResult
from assessments.scoring.summary import (
    EngagementReadiness,
    EngagementSummary,
    EngagementThresholds,
)
from assessments.scoring.vision_check import Finding

MIN_ACTIONS, MAX_ACTIONS = 2, 4
WEAK_QUESTION_SHARE = 0.8
POOR_FOLLOW_THROUGH = 0.5

_VISION_FINDINGS = {
    "generic": "Replace the stock phrases with the one or two things customers "
    "should be able to count on from this team, in words the team uses.",
    "prohibitions": "Turn each 'don't' into the behaviour you want instead, so "
    "the vision still guides people where no rule applies.",
    "too_long": "Cut it to one sentence people can say from memory; keep the words "
    "that change what someone does with a customer.",
    "jargon": "Swap acronyms and internal terms for plain words that a new starter "
    "would understand on their first day.",
}
_VISION_REWRITE = (
    "Rewrite the vision with two or three team members: the one or two things a "
    "customer should be able to count on from this team, in the team's own words."
)
_NO_VISION = (
    "Draft a one-sentence vision with two or three team members: what should a "
    "customer notice about how this team treats them?",
    "Try the draft on three real cases from last week: would it have told someone "
    "what to do?",
    "Show the draft to the whole team and ask each person for one improvement "
    "before you settle it.",
)
_VISION_IN_USE = (
    "Use the vision to settle one real decision this week, and tell the team that "
    "is what you did.",
    "Put the vision where work happens: the ticket or call screen, the onboarding "
    "pack, the start of team meetings.",
)

_ENGAGEMENT_QUESTIONS = {
    "vision": "For the next month, open each huddle with the vision and ask a "
    "different person to put it in their own words.",
    "meaning": "Once a week, take a real customer case and ask the team what the "
    "vision would have us do; agree on the answer together.",
    "contribution": "In one-to-ones, ask each person for one thing they did this week "
    "that served the vision, and name it back when you thank them.",
}
_ENGAGEMENT_READY = (
    "Share a few of the team's best answers (with permission) so newer people hear "
    "the vision in colleagues' words.",
    "Ask the three questions again in three months to check the answers hold.",
)

_ALIGNMENT_QUESTIONS = {
    "goals": "List the targets people are measured on next to the vision; change or "
    "drop one that pulls against it.",
    "hiring": "Add an interview exercise where candidates handle a real customer case "
    "the way the vision describes, and score it.",
    "training": "Build the next training session around real cases judged against the "
    "vision, not only product and process facts.",
    "empowerment": "Write down what team members may decide for a customer without "
    "asking (credits, call-backs, exceptions) and widen it where the vision needs.",
    "reinforcement": "Spend two minutes of each daily huddle on one recent case where "
    "someone lived the vision.",
}
_ALIGNMENT_READY = (
    "Ask the team to rate the same five questions next round, to confirm they see "
    "the alignment you do.",
    "Review targets and the empowerment rules each quarter against the vision.",
)

_COMMITMENT_MISSING = {
    "time": "Block a fixed slot every week for improving service and protect it like "
    "a meeting with your most important customer.",
    "owner": "Name one person who owns the improvement and pulls the pieces together "
    "across teams.",
    "sponsor": "Ask a senior leader to sponsor the work, and agree now how they will "
    "back it when it costs time or money.",
    "actions": "Pick one small improvement, give it an owner and a due date, and "
    "finish it before starting the next one.",
    "reassessment": "Book the next assessment within six months, so progress is "
    "measured rather than assumed.",
}
_NO_BUDGET = (
    "Get a budget approved for the improvement, even a small one, so it does not "
    "depend on goodwill."
)
_NO_ATTENTION = (
    "Make service a standing item in your regular leadership meeting, with the "
    "actions' progress reviewed each time."
)
_COMMITMENT_READY = (
    "Check the actions every two weeks and close or re-date any that slipped.",
    "When one improvement is done, choose the next small one straight away.",
)


def _bounded(actions: list[str], fallback: tuple[str, ...]) -> tuple[str, ...]:
    """Keep two to four distinct actions, topping up from ``fallback``."""
    chosen = list(dict.fromkeys(actions))[:MAX_ACTIONS]
    for extra in fallback:
        if len(chosen) >= MIN_ACTIONS:
            break
        if extra not in chosen:
            chosen.append(extra)
    return tuple(chosen)


def vision_actions(
    exists: bool,
    has_statement: bool,
    findings: tuple[Finding, ...],
    *,
    specific: bool = True,
) -> tuple[str, ...]:
    """Write a vision first (or rewrite one that says nothing specific); once
    one exists, fix how it reads, then use it."""
    if exists and not specific:
        return _bounded([_VISION_REWRITE, *_NO_VISION[1:]], ())
    if not exists:
        actions = list(_NO_VISION)
        if has_statement:
            actions.insert(
                0,
                "You answered no although a statement is on file: decide whether it "
                "is the team's real vision, then confirm it or write a new one.",
            )
        return _bounded(actions, ())
    actions = [_VISION_FINDINGS[f.code] for f in findings if f.code in _VISION_FINDINGS]
    return _bounded(actions, _VISION_IN_USE)


def engagement_actions(
    summary: EngagementSummary,
    readiness: EngagementReadiness,
    thresholds: EngagementThresholds,
) -> tuple[str, ...]:
    """Get enough answers first, then work on the weakest questions."""
    actions = []
    if summary.respondents < thresholds.min_respondents:
        actions.append(
            f"Invite more of the team: at least {thresholds.min_respondents} people "
            "need to answer before the result says much."
        )
    participation = summary.participation
    if participation is not None and participation < thresholds.min_participation:
        actions.append(
            "Send a reminder with the personal links, and give people ten minutes in "
            "a team meeting to answer."
        )
    if summary.respondents:
        weakest = sorted(summary.per_question, key=lambda t: t.both)
        actions += [
            _ENGAGEMENT_QUESTIONS[t.key]
            for t in weakest
            if t.both / summary.respondents < WEAK_QUESTION_SHARE
        ]
    fallback = (
        _ENGAGEMENT_READY if readiness.ready else tuple(_ENGAGEMENT_QUESTIONS.values())
    )
    return _bounded(actions, fallback)


def alignment_actions(result: AlignmentResult) -> tuple[str, ...]:
    """Rate and evidence every question, close perception gaps, fix the weakest."""
    actions = []
    if any(row.rating is None for row in result.rows):
        actions.append(
            "Rate all five alignment questions, and note the evidence for each."
        )
    if any(
        row.rating and row.rating >= 4 and not row.has_evidence for row in result.rows
    ):
        actions.append(
            "For each rating of 4 or 5, write down the evidence: a target, an "
            "interview question, a training session, a written rule or a daily habit."
        )
    actions += [
        f"Ask the team why they rate '{row.question}' differently from you; their "
        "examples show where the gap is."
        for row in result.flagged
    ]
    weakest = sorted(
        (row for row in result.rows if not row.ready), key=lambda r: r.score
    )
    actions += [_ALIGNMENT_QUESTIONS[row.key] for row in weakest]
    return _bounded(actions, _ALIGNMENT_READY)


def commitment_actions(
    result: CommitmentResult, budget_set: bool, attention_set: bool
) -> tuple[str, ...]:
    """Fill each missing requirement, then keep the improvements moving."""
    actions = [_COMMITMENT_MISSING[r.key] for r in result.missing]
    if (
        result.follow_through is not None
        and result.follow_through < POOR_FOLLOW_THROUGH
    ):
        actions.append(
            "Go through the overdue actions with their owners: finish, re-date or "
            "drop each one, and take on fewer at a time."
        )
    if not budget_set:
        actions.append(_NO_BUDGET)
    if not attention_set:
        actions.append(_NO_ATTENTION)
    return _bounded(actions, _COMMITMENT_READY)
