"""The survey's write as one statement on PostgreSQL.

A submission upserts the response by respondent key and upserts its three
judgements; in a named round it also marks the invitation answered. New answers
keep the managers' decisions on the old ones (marked where an answer changed,
see ``AnswerJudgement.answer_changed``), and the response's stored outcome
applies them. An anonymous round's statement writes no invitation: rows
one statement writes share a transaction id (``xmin``), which would join the
response to its invitation; the worker marks invitations answered when it
releases their answers (``services/release.py``). One statement is one
transaction, and PostgreSQL plans it once per connection (see
``assessments/statements.py``): measured, it is worth about 2.3 times the ORM's
transaction (docs/performance.md).
"""

from assessments.catalogue import ENGAGEMENT_KEYS
from assessments.models import OUTCOME_FIELDS, TEAM_RATING_FIELDS
from assessments.statements import Statement

ANSWER_FIELDS = tuple(f"{key}_answer" for key in ENGAGEMENT_KEYS)
SUBMITTED_FIELDS = (
    "id",
    "assessment_id",
    "respondent_key",
    "invitation_id",
    "link_key",
    "counts_for_minimum",
    "release",
    *ANSWER_FIELDS,
    *OUTCOME_FIELDS,
    *TEAM_RATING_FIELDS,
)

# A first submission inserts the row; a later one keeps its id, link key,
# release and count, and replaces the rest.
_WRITE_ANSWERS = """
    WITH response AS (
        INSERT INTO assessments_response AS r (
            id, assessment_id, respondent_key, invitation_id, link_key,
            counts_for_minimum, release,
            vision_answer, meaning_answer, contribution_answer,
            vision_clear, vision_consistent, meaning_clear, meaning_consistent,
            contribution_clear, contribution_consistent, engaged,
            rating_goals, rating_hiring, rating_training, rating_empowerment,
            rating_reinforcement, created_at, updated_at, answers_awaiting_review
        ) VALUES (
            $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
            $16, $17, $18, $19, $20, $21, $22, $23, $23,
            -- the judgements' needs review (below): new answers, no override
            $35::int + $46::int + $57::int
        )
        ON CONFLICT (respondent_key) DO UPDATE SET
            vision_answer = excluded.vision_answer,
            meaning_answer = excluded.meaning_answer,
            contribution_answer = excluded.contribution_answer,
            -- The engine's outcome with the decisions managers made on the
            -- stored answers (the judgements before this statement) applied.
            (vision_clear, vision_consistent, meaning_clear, meaning_consistent,
             contribution_clear, contribution_consistent, engaged) = (
                SELECT o.vc, o.vs, o.mc, o.ms, o.cc, o.cs,
                       o.vc AND o.vs AND o.mc AND o.ms AND o.cc AND o.cs
                FROM (
                    SELECT
                        COALESCE(bool_or(j.override_clear) FILTER (
                            WHERE j.question_key = 'vision'), excluded.vision_clear
                        ) AS vc,
                        COALESCE(bool_or(j.override_consistent) FILTER (
                            WHERE j.question_key = 'vision'),
                            excluded.vision_consistent
                        ) AS vs,
                        COALESCE(bool_or(j.override_clear) FILTER (
                            WHERE j.question_key = 'meaning'), excluded.meaning_clear
                        ) AS mc,
                        COALESCE(bool_or(j.override_consistent) FILTER (
                            WHERE j.question_key = 'meaning'),
                            excluded.meaning_consistent
                        ) AS ms,
                        COALESCE(bool_or(j.override_clear) FILTER (
                            WHERE j.question_key = 'contribution'),
                            excluded.contribution_clear
                        ) AS cc,
                        COALESCE(bool_or(j.override_consistent) FILTER (
                            WHERE j.question_key = 'contribution'),
                            excluded.contribution_consistent
                        ) AS cs
                    FROM assessments_answerjudgement j
                    WHERE j.response_id = r.id
                ) AS o
            ),
            -- Answers the engine is unsure of, less those a manager decided.
            answers_awaiting_review = (
                SELECT
                    CASE WHEN bool_or(j.override_clear IS NOT NULL
                        OR j.override_consistent IS NOT NULL)
                        FILTER (WHERE j.question_key = 'vision')
                    THEN 0 ELSE $35::int END
                    + CASE WHEN bool_or(j.override_clear IS NOT NULL
                        OR j.override_consistent IS NOT NULL)
                        FILTER (WHERE j.question_key = 'meaning')
                    THEN 0 ELSE $46::int END
                    + CASE WHEN bool_or(j.override_clear IS NOT NULL
                        OR j.override_consistent IS NOT NULL)
                        FILTER (WHERE j.question_key = 'contribution')
                    THEN 0 ELSE $57::int END
                FROM assessments_answerjudgement j
                WHERE j.response_id = r.id
            ),
            rating_goals = CASE WHEN $24 THEN excluded.rating_goals
                ELSE r.rating_goals END,
            rating_hiring = CASE WHEN $24 THEN excluded.rating_hiring
                ELSE r.rating_hiring END,
            rating_training = CASE WHEN $24 THEN excluded.rating_training
                ELSE r.rating_training END,
            rating_empowerment = CASE WHEN $24 THEN excluded.rating_empowerment
                ELSE r.rating_empowerment END,
            rating_reinforcement = CASE WHEN $24 THEN excluded.rating_reinforcement
                ELSE r.rating_reinforcement END,
            -- Never before the row was made: another submission of the same
            -- person's may have made it a moment after this one began.
            updated_at = GREATEST(excluded.updated_at, r.created_at)
        RETURNING r.id
    ), judged AS (
        INSERT INTO assessments_answerjudgement (
            id, response_id, question_key, clear, consistent, clarity,
            consistency, score, reasons, confidence, language, needs_review,
            engine_version, scored_at, override_clear,
            override_consistent, override_reason, overridden_by_id, overridden_at
        )
        SELECT v.id, response.id, v.question_key, v.clear, v.consistent,
               v.clarity, v.consistency, v.score, v.reasons, v.confidence,
               v.language, v.needs_review, $58, $23,
               NULL, NULL, '', NULL, NULL
        FROM response, (VALUES
            ($25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35),
            ($36, $37, $38, $39, $40, $41, $42, $43, $44, $45, $46),
            ($47, $48, $49, $50, $51, $52, $53, $54, $55, $56, $57)
        ) AS v (
            id, question_key, clear, consistent, clarity, consistency, score,
            reasons, confidence, language, needs_review
        )
        ON CONFLICT (response_id, question_key) DO UPDATE SET
            clear = excluded.clear,
            consistent = excluded.consistent,
            clarity = excluded.clarity,
            consistency = excluded.consistency,
            score = excluded.score,
            reasons = excluded.reasons,
            confidence = excluded.confidence,
            language = excluded.language,
            needs_review = excluded.needs_review,
            engine_version = excluded.engine_version,
            scored_at = excluded.scored_at
    )"""

# Each answer's judgement, a row of the VALUES list above.
_JUDGEMENT_TYPES = (
    "bigint",  # id, if the row is new
    "varchar",  # question key
    "boolean",  # clear
    "boolean",  # consistent
    "float8",  # clarity
    "float8",  # consistency
    "float8",  # score
    "jsonb",  # reasons
    "float8",  # confidence
    "varchar",  # language
    "boolean",  # needs review
)
_ANSWERS_TYPES = (
    "bigint",  # id, if the row is new
    "bigint",  # assessment
    "varchar",  # respondent key
    "bigint",  # invitation, named rounds only
    "varchar",  # link key, anonymous rounds only
    "boolean",  # counts for the minimum groups
    "integer",  # release, named rounds only
    *["text"] * len(ANSWER_FIELDS),
    *["boolean"] * len(OUTCOME_FIELDS),
    *["smallint"] * len(TEAM_RATING_FIELDS),
    "timestamptz",  # created, updated and scored
    "boolean",  # whether the round asks the team to rate alignment
    *_JUDGEMENT_TYPES * len(ENGAGEMENT_KEYS),
    "varchar",  # engine version
)

# What a named round's statement adds: its invitation marked answered.
_MARK_ANSWERED = """, answered AS (
        UPDATE assessments_invitation SET status = $59
        WHERE id = $60 AND status = $61
    )"""
_RETURN_ID = """
    SELECT id FROM response"""

SUBMIT_ANONYMOUS = Statement(
    "servicecult_response_submit_anonymous",
    _WRITE_ANSWERS + _RETURN_ID,
    _ANSWERS_TYPES,
)

SUBMIT_NAMED = Statement(
    "servicecult_response_submit_named",
    _WRITE_ANSWERS + _MARK_ANSWERED + _RETURN_ID,
    (
        *_ANSWERS_TYPES,
        "varchar",  # answered
        "bigint",  # invitation
        "varchar",  # pending
    ),
)
