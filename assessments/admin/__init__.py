"""The admin: administrators oversee every team's rounds, review the engine's
judgements, move answers in and out as CSV, read the audit trail and watch the
background tasks.

Actions call the services the manager's pages use, so a change made here keeps
the same rules (scores, revisions, overrides) as one made there.

Anonymous rounds stay anonymous here too, for every administrator, superusers
included: what the admin shows of answers is what the round's managers may see
(``privacy``), never an invitation next to an answer, a time finer than a day,
an id or order that follows answering, or who answered or was reminded. Nobody
can sort, filter or search answers by anything that leads back to a person.
"""

# Importing the modules registers their admins on the default site.
from assessments.admin import answers, catalogue, rounds, steps, tasks  # noqa: F401
