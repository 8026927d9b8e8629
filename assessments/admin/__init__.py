"""The admin: administrators oversee every team's rounds, review the engine's
judgements, move answers in and out as CSV, read the audit trail and watch the
background tasks.

Actions call the services the manager's pages use, so a change made here keeps
the same rules (scores, revisions, overrides) as one made there.

Anonymous rounds stay anonymous here too. Staff who are not superusers never see
an invitation next to an answer, a time finer than a day, or the answers of an
anonymous round with fewer respondents than it quotes answers from (one answer
and one invitation marked "Answered" would name its author). They cannot sort,
filter or search responses by anything that leads back to an invitation.
"""

# Importing the modules registers their admins on the default site.
from assessments.admin import answers, catalogue, rounds, steps, tasks  # noqa: F401
