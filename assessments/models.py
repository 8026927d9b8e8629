"""The data model of the whole framework: teams, rounds and the four steps.

Invariants the app relies on are database constraints, named after what they
guard, so a bad row is refused even when it does not come through a form.
"""

import functools
import hashlib
import itertools
import operator
import secrets
import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Length, Lower, NullIf, RowNumber
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from assessments import scoring, tokens
from assessments.addresses import normalized_address
from assessments.catalogue import ALIGNMENT_KEYS, CATALOGUE_VERSION, ENGAGEMENT_KEYS
from assessments.currencies import currency_choices
from assessments.limits import MAX_ANSWER_LENGTH, has_control_characters
from assessments.validators import CONTROL_CHARACTERS, validate_no_control_characters

MIN_RATING = 1
MAX_RATING = 5
RATING_RANGE = (MinValueValidator(MIN_RATING), MaxValueValidator(MAX_RATING))
SHARE_RANGE = (MinValueValidator(0), MaxValueValidator(1))
HOURS_IN_A_WEEK = 168
HEX_SHA256 = r"^[0-9a-f]{64}$"

# What a manager reads when a row breaks one of the rules below; forms and
# services show the same words.
VISION_YES_NEEDS_STATEMENT = "To answer yes, write or paste the vision here."
GROUP_SIZES_OUT_OF_ORDER = (
    "Quoting answers needs at least as many people as showing scores."
)
# An anonymous round never shows scores or quotes answers from fewer people than
# these: below them one person's answers could be read off at once.
ANONYMOUS_MIN_GROUP_FOR_SCORES = 3
ANONYMOUS_MIN_GROUP_FOR_VERBATIMS = 5
ANONYMOUS_SCORES_FLOOR = (
    f"An anonymous round shows scores from {ANONYMOUS_MIN_GROUP_FOR_SCORES} answers "
    "at the least: with fewer, people could tell who said what."
)
ANONYMOUS_VERBATIMS_FLOOR = (
    f"An anonymous round quotes answers from {ANONYMOUS_MIN_GROUP_FOR_VERBATIMS} "
    "answers at the least: with fewer, people could tell who said what."
)
ANONYMOUS_GROUP_FLOORS = (
    f"An anonymous round shows scores from {ANONYMOUS_MIN_GROUP_FOR_SCORES} answers "
    f"and quotes answers from {ANONYMOUS_MIN_GROUP_FOR_VERBATIMS} at the least."
)
OVERRIDE_NEEDS_A_REASON = "Say why you are overriding the engine's judgement."
ANSWER_TOO_LONG = f"Keep it to {MAX_ANSWER_LENGTH} characters at most."
RATING_1_TO_5 = "Rate it from 1 (not at all) to 5 (fully)."
RATING_1_TO_5_OR_NOT_SURE = "Rate it from 1 to 5, or leave it blank if not sure."
NOT_A_HASH = "Only a hash of the link is kept, never the link itself."
ADDRESS_TAKEN = "This person is already invited to this round."
MAX_REMINDERS = 3
MAX_REMINDER_DAY = 90
REMINDER_DAYS = (
    f"Give at most {MAX_REMINDERS} days after opening, each a whole number from 1 "
    f"to {MAX_REMINDER_DAY}, in increasing order: for example “3, 7”."
)
CLOSES_AFTER_OPENING = "A round closes on a day after the day it opened."


def random_id() -> int:
    """A random positive 63-bit primary key, for rows whose ids must not tell the
    order they were written in (responses and their judgements)."""
    return secrets.randbelow(2**63 - 1) + 1


def validate_reminder_days(value) -> None:
    """Automatic reminders: a short increasing list of days after opening."""
    ok = (
        isinstance(value, list)
        and len(value) <= MAX_REMINDERS
        and all(type(day) is int and 1 <= day <= MAX_REMINDER_DAY for day in value)
        and all(a < b for a, b in itertools.pairwise(value))
    )
    if not ok:
        raise ValidationError(REMINDER_DAYS, code="reminder_days")


class StepKey(models.TextChoices):
    VISION = "vision", "Vision"
    ENGAGEMENT = "engagement", "Engagement"
    ALIGNMENT = "alignment", "Alignment"
    COMMITMENT = "commitment", "Commitment"


class EngagementQuestionKey(models.TextChoices):
    VISION = "vision", "What is the customer service vision?"
    MEANING = "meaning", "What does it mean?"
    CONTRIBUTION = "contribution", "How do you personally contribute?"


# --- The question catalogue -------------------------------------------------------


class Step(models.Model):
    """One of the framework's four steps, as worded in one catalogue version."""

    key = models.CharField(max_length=20, choices=StepKey.choices)
    version = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    name = models.CharField(max_length=50)
    moment_of_truth = models.CharField(max_length=300)
    summary = models.TextField()

    class Meta:
        ordering = ("version", "number")
        constraints = (
            models.UniqueConstraint(
                fields=("key", "version"),
                name="step_key_unique_per_version",
                violation_error_code="step_key_unique_per_version",
                violation_error_message="This catalogue version already has this step.",
            ),
            models.UniqueConstraint(
                fields=("number", "version"),
                name="step_number_unique_per_version",
                violation_error_code="step_number_unique_per_version",
                violation_error_message=(
                    "This catalogue version already has a step with this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=4),
                name="step_number_1_to_4",
                violation_error_code="step_number_1_to_4",
                violation_error_message="A step is numbered 1, 2, 3 or 4.",
            ),
        )

    def __str__(self) -> str:
        return f"Step {self.number}: {self.name} (v{self.version})"


class QuestionQuerySet(models.QuerySet):
    def for_version(self, version: int):
        return self.filter(step__version=version)

    def of_step(self, key: str):
        return self.filter(step__key=key)


class Question(models.Model):
    """A question or evidence item of a step, as worded in one catalogue version."""

    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="questions")
    key = models.CharField(max_length=30)
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ("step__version", "step__number", "position")
        constraints = (
            models.UniqueConstraint(
                fields=("step", "key"),
                name="question_key_unique_per_step",
                violation_error_code="question_key_unique_per_step",
                violation_error_message=(
                    "This step already has a question with this key."
                ),
            ),
            models.UniqueConstraint(
                fields=("step", "position"),
                name="question_position_unique_per_step",
                violation_error_code="question_position_unique_per_step",
                violation_error_message=(
                    "This step already has a question in this position."
                ),
            ),
        )

    def __str__(self) -> str:
        return self.text


@functools.cache
def alignment_questions(version: int) -> tuple[Question, ...]:
    """The alignment questions of a catalogue version.

    Catalogue rows never change once loaded, so each process reads them once.
    """
    return tuple(
        Question.objects.for_version(version)
        .of_step(StepKey.ALIGNMENT)
        .order_by("position")
    )


@functools.cache
def catalogue_steps(version: int) -> tuple[Step, ...]:
    """The four steps of a catalogue version, read once per process."""
    return tuple(Step.objects.filter(version=version).order_by("number"))


# --- Teams and rounds -------------------------------------------------------------


class TeamQuerySet(models.QuerySet):
    def for_manager(self, user):
        if user.is_superuser:
            return self
        return self.filter(managers=user)

    def for_dashboard(self, user):
        """The teams ``user`` is a manager of, by name, as the dashboard lists
        them: the parent joined for the heading; the latest completed (closed)
        round, as the list ``completed_rounds`` of at most one, and the latest
        round under way (draft or open), as ``rounds_under_way``, each with its
        stored readiness and its commitment joined (``Team.reassess_on``).
        Starting a round so hides no results. The same five queries for any
        number of teams.

        Unlike ``for_manager``, a superuser sees only their own teams here."""
        rounds = Assessment.objects.select_related("commitment").with_step_results()
        completed = rounds.filter(status=Assessment.Status.CLOSED).order_by(
            "-closed_at", "-pk"
        )[:1]
        under_way = rounds.exclude(status=Assessment.Status.CLOSED).order_by(
            "-created_at", "-pk"
        )[:1]
        return (
            self.filter(managers=user)
            .select_related("parent")
            .prefetch_related(
                models.Prefetch(
                    "assessments", queryset=completed, to_attr="completed_rounds"
                ),
                models.Prefetch(
                    "assessments", queryset=under_way, to_attr="rounds_under_way"
                ),
            )
            .order_by("name", "pk")
        )


class Team(models.Model):
    """A team, department or division; the same assessment works for each."""

    class Level(models.TextChoices):
        TEAM = "team", "Team"
        DEPARTMENT = "department", "Department"
        DIVISION = "division", "Division"

    name = models.CharField(max_length=200)
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.TEAM)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="managed_teams", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ("name",)
        constraints = (
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="team_is_not_its_own_parent",
                violation_error_code="team_is_not_its_own_parent",
                violation_error_message="A team cannot be part of itself.",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="team_name_not_blank",
                violation_error_code="team_name_not_blank",
                violation_error_message="Give the team a name.",
            ),
        )

    def __str__(self) -> str:
        return self.name

    def latest_opened_round(self) -> "Assessment | None":
        """The team's latest round that has opened: the one its next round
        starts from."""
        return (
            self.assessments.filter(opened_at__isnull=False)
            .select_related("team")  # named in an untitled round's title
            .order_by("-created_at", "-pk")
            .first()
        )

    @property
    def reassess_on(self) -> date | None:
        """The re-assessment date booked in the commitment of the team's latest
        round, as ``for_dashboard`` reads it (no query): none once a newer round
        has started, which has its own commitment."""
        rounds = [*self.completed_rounds, *self.rounds_under_way]
        if not rounds:
            return None
        latest = max(rounds, key=lambda round_: (round_.created_at, round_.pk))
        return latest.commitment.reassess_on

    @property
    def reassess_overdue(self) -> bool:
        """Whether the re-assessment date has passed (``for_dashboard``)."""
        due = self.reassess_on
        return due is not None and due < timezone.localdate()


class ManagerInvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ManagerInvitation.Status.PENDING)

    def for_team_page(self):
        """A team's pending invitations as its page lists them, oldest first;
        nothing joined (the page shows their addresses)."""
        return self.pending().order_by("created_at", "pk")

    def for_invitee(self, token: str):
        """The pending invitation a link's token opens, with its team and who
        sent it joined for the page that asks to accept it."""
        return (
            self.pending()
            .select_related("team", "invited_by")
            .filter(token_hash=tokens.manager_invitation_hash(token))
        )


class ManagerInvitation(models.Model):
    """An invitation to manage a team, emailed to an address. It is accepted by
    whoever has proved they own that address (a confirmed address of their
    account), however many accounts exist. Only a keyed hash of its link's token
    is stored, made when the worker sends the email: empty until then."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="manager_invitations"
    )
    email = models.EmailField()
    token_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        validators=[RegexValidator(HEX_SHA256)],
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was accepted, declined or withdrawn."
    )

    objects = ManagerInvitationQuerySet.as_manager()

    class Meta:
        ordering = ("team", "created_at", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("team", "email"),
                condition=Q(status="pending"),
                name="manager_invitation_one_pending_per_address",
                violation_error_code="manager_invitation_one_pending_per_address",
                violation_error_message="This address already has an invitation.",
            ),
            models.UniqueConstraint(
                fields=("token_hash",),
                condition=~Q(token_hash=""),
                name="manager_invitation_token_hash_unique",
                violation_error_code="manager_invitation_token_hash_unique",
                violation_error_message="Another invitation already has this link.",
            ),
            models.CheckConstraint(
                condition=Q(token_hash="") | Q(token_hash__regex=HEX_SHA256),
                name="manager_invitation_token_hash_is_hex_sha256",
                violation_error_code="manager_invitation_token_hash_is_hex_sha256",
                violation_error_message=NOT_A_HASH,
            ),
            models.CheckConstraint(
                condition=Q(status="pending", closed_at__isnull=True)
                | (~Q(status="pending") & Q(closed_at__isnull=False)),
                name="manager_invitation_closed_when_answered",
                violation_error_code="manager_invitation_closed_when_answered",
                violation_error_message=(
                    "An invitation has the time it was answered or withdrawn once it "
                    "no longer waits, and only then."
                ),
            ),
        )

    def __str__(self) -> str:
        return f"{self.email} to manage {self.team}"

    def is_for(self, user) -> bool:
        """Whether ``user`` has proved the invited address is theirs: one of
        their account's addresses, confirmed (allauth's ``EmailAddress``)."""
        return EmailAddress.objects.filter(
            user=user, email__iexact=self.email, verified=True
        ).exists()


class AssessmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Assessment.Status.OPEN)

    def with_step_results(self):
        """Rounds with their stored readiness prefetched, each result with its step
        (the readiness lists show its number and name)."""
        return self.prefetch_related(
            models.Prefetch(
                "step_results", queryset=StepResult.objects.select_related("step")
            )
        )

    def with_progress(self):
        """Rounds annotated with ``invited`` (live invitations) and ``answered``
        (responses, as the report counts them: revoking an invitation, answered
        or not, leaves the count of answers as it was)."""
        responses = (
            Response.objects.filter(assessment=models.OuterRef("pk"))
            .order_by()
            .values("assessment")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(
            invited=models.Count(
                "invitations", filter=InvitationQuerySet.live_condition("invitations")
            ),
            answered=Coalesce(models.Subquery(responses), 0),
        )

    def for_team_page(self):
        """Rounds as a team's page lists them, newest first: their participation
        (``with_progress``) and their stored readiness (``with_step_results``)."""
        return self.with_progress().with_step_results().order_by("-created_at", "-pk")

    def for_steps(self):
        """Rounds as the step pages read them: the team (named in an untitled
        round's title), the vision and commitment joined, and the stored
        readiness of each step for the step navigation."""
        return self.select_related("team", "vision", "commitment").with_step_results()

    def for_report(self):
        """Rounds with what their readiness report reads of every step: the
        vision, commitment, the manager's prediction (and who made it) and the
        state of a full scoring joined, actions and
        rated questions prefetched."""
        return self.select_related(
            "team",
            "vision",
            "commitment",
            "scoring",
            "prediction",
            "prediction__updated_by",
        ).prefetch_related(
            "actions",
            models.Prefetch(
                "alignment_ratings",
                queryset=AlignmentRating.objects.select_related("question"),
            ),
        )

    def for_manager(self, user):
        if user.is_superuser:
            return self
        return self.filter(team__managers=user)

    def last_two_completed(self, team_ids, respondents=None):
        """The two latest closed rounds of each of these teams, latest first
        within a team, with their stored readiness; annotated with
        ``respondents`` where an expression is given (``privacy`` counts them).
        Two queries for any number of teams."""
        rounds = self.filter(team_id__in=team_ids, status=Assessment.Status.CLOSED)
        if respondents is not None:
            rounds = rounds.annotate(respondents=respondents)
        latest_first = (models.F("closed_at").desc(), models.F("pk").desc())
        return (
            rounds.annotate(
                recency=models.Window(
                    RowNumber(), partition_by="team_id", order_by=latest_first
                )
            )
            .filter(recency__lte=2)
            .with_step_results()
            .order_by("team_id", "recency")
        )

    def for_trends(self):
        """Rounds as a team's trend page reads them, oldest first: opened ones
        only, with their live invitations (``invited``), what the engine reads
        of every step joined or prefetched (as ``for_report``) and their stored
        readiness and prediction. The same five queries for any number of
        rounds."""
        return (
            self.exclude(status=Assessment.Status.DRAFT)
            .annotate(
                invited=models.Count(
                    "invitations",
                    filter=InvitationQuerySet.live_condition("invitations"),
                )
            )
            .select_related("team", "vision", "commitment", "prediction")
            .prefetch_related(
                "actions",
                models.Prefetch(
                    "alignment_ratings",
                    queryset=AlignmentRating.objects.select_related("question"),
                ),
            )
            .with_step_results()
            .order_by("opened_at", "created_at", "pk")
        )


class Assessment(models.Model):
    """One assessment round of a team, walking the four steps."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="assessments")
    title = models.CharField(max_length=200, blank=True)
    catalogue_version = models.PositiveSmallIntegerField(default=CATALOGUE_VERSION)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The last time a manager opened the round again after it closed, and why;
    # every reopening is kept in ``RoundReopening``. A reopened anonymous round
    # releases no group smaller than its minimum, even when it closes again.
    reopened_at = models.DateTimeField(null=True, blank=True, editable=False)
    reopen_reason = models.TextField(blank=True, editable=False)

    # Privacy, frozen when the round opens.
    anonymous = models.BooleanField(
        default=True,
        help_text="Answers cannot be linked to people, even by reading the database.",
    )
    min_group_for_scores = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1)],
        help_text="Scores appear only from this many respondents.",
    )
    min_group_for_verbatims = models.PositiveSmallIntegerField(
        default=5, help_text="Answers are quoted only from this many respondents."
    )
    # Whether an anonymous round's results stay hidden because another round
    # over almost the same people shows its own (privacy.differencing_risk):
    # decided when the round opens and when it closes, never when a page is read.
    withheld_reason = models.TextField(blank=True, editable=False)
    withheld_decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Engagement readiness thresholds.
    ready_engaged_share = models.FloatField(
        default=0.8,
        validators=SHARE_RANGE,
        help_text="Share of respondents who must be engaged (0 to 1).",
    )
    ready_min_respondents = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1)]
    )
    ready_min_participation = models.FloatField(
        default=0.6,
        validators=SHARE_RANGE,
        help_text="Share of invited people who must answer (0 to 1).",
    )
    team_rates_alignment = models.BooleanField(
        default=False,
        help_text="Team members also rate the five alignment questions.",
    )
    # The scoring engine's team profile as of the last full scoring, so each new
    # submission is judged against the team without rereading every answer.
    team_profile = models.JSONField(default=dict, blank=True, editable=False)
    team_profile_size = models.PositiveIntegerField(default=0, editable=False)

    # --- Emails and the round's own timetable (services/mail.py, schedule.py) ---
    # Reminders go out on their own this many days after opening, to people
    # emailed an invitation who have not answered; the round closes itself as
    # ``closes_on`` begins. ``reminders_sent`` counts the automatic reminders
    # already queued, so each goes out once however often its task runs.
    remind_after_days = models.JSONField(
        default=list, blank=True, validators=[validate_reminder_days]
    )
    closes_on = models.DateField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    # What the worker needs to send this round's emails without a request: the
    # address of the manager who last queued email (replies go to it). Links
    # start with the configured site address (settings.SITE_URL).
    mail_reply_to = models.EmailField(blank=True, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = (
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(status="open", opened_at__isnull=False)
                | Q(status="closed", opened_at__isnull=False, closed_at__isnull=False),
                name="assessment_status_has_its_dates",
                violation_error_code="assessment_status_has_its_dates",
                violation_error_message=(
                    "An open round needs the time it opened, a closed round also the "
                    "time it closed."
                ),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | Q(opened_at__isnull=False, closed_at__gte=F("opened_at")),
                name="assessment_closes_after_it_opens",
                violation_error_code="assessment_closes_after_it_opens",
                violation_error_message="A round closes after it opens.",
            ),
            models.CheckConstraint(
                condition=Q(ready_engaged_share__gte=0, ready_engaged_share__lte=1),
                name="assessment_engaged_share_0_to_1",
                violation_error_code="assessment_engaged_share_0_to_1",
                violation_error_message=(
                    "The share of respondents who must be engaged is from 0 to 1."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    ready_min_participation__gte=0, ready_min_participation__lte=1
                ),
                name="assessment_participation_0_to_1",
                violation_error_code="assessment_participation_0_to_1",
                violation_error_message=(
                    "The share of invited people who must answer is from 0 to 1."
                ),
            ),
            models.CheckConstraint(
                condition=Q(min_group_for_scores__gte=1)
                & Q(min_group_for_verbatims__gte=F("min_group_for_scores")),
                name="assessment_group_sizes_ordered",
                violation_error_code="assessment_group_sizes_ordered",
                violation_error_message=GROUP_SIZES_OUT_OF_ORDER,
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False)
                | Q(
                    min_group_for_scores__gte=ANONYMOUS_MIN_GROUP_FOR_SCORES,
                    min_group_for_verbatims__gte=ANONYMOUS_MIN_GROUP_FOR_VERBATIMS,
                ),
                name="assessment_anonymous_group_floors",
                violation_error_code="assessment_anonymous_group_floors",
                violation_error_message=ANONYMOUS_GROUP_FLOORS,
            ),
            models.CheckConstraint(
                condition=Q(ready_min_respondents__gte=1),
                name="assessment_min_respondents_positive",
                violation_error_code="assessment_min_respondents_positive",
                violation_error_message="A verdict needs at least one respondent.",
            ),
        )

    def __str__(self) -> str:
        return self.title or f"{self.team} round {self.pk}"

    def save(self, *args, **kwargs):
        """A new round starts with its empty vision and commitment, whichever way it
        is created (a page, the admin, a script), so every step has its row."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            Vision.objects.create(assessment=self, updated_by=self.created_by)
            Commitment.objects.create(assessment=self, updated_by=self.created_by)

    def get_absolute_url(self) -> str:
        return reverse("assessments:report", args=(self.pk,))

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def next_round(self) -> "Assessment | None":
        """The team's first round started after this one that has opened: once
        there is one, this round can no longer be opened again."""
        return (
            Assessment.objects.filter(
                team_id=self.team_id,
                opened_at__isnull=False,
                created_at__gt=self.created_at,
            )
            .exclude(pk=self.pk)
            .order_by("created_at", "pk")
            .first()
        )

    # --- Emails and the round's own timetable ---

    def clean(self):
        super().clean()
        errors = {}
        if self.closes_on and self.opened_at:
            opened_on = timezone.localdate(self.opened_at)
            if self.closes_on <= opened_on:
                errors["closes_on"] = ValidationError(
                    CLOSES_AFTER_OPENING, code="closes_before_opening"
                )
        # Beside each field; the constraint says the same for rows written
        # another way.
        if self.anonymous:
            scores, verbatims = self.min_group_for_scores, self.min_group_for_verbatims
            if scores is not None and scores < ANONYMOUS_MIN_GROUP_FOR_SCORES:
                errors["min_group_for_scores"] = ValidationError(
                    ANONYMOUS_SCORES_FLOOR, code="anonymous_scores_floor"
                )
            if verbatims is not None and verbatims < ANONYMOUS_MIN_GROUP_FOR_VERBATIMS:
                errors["min_group_for_verbatims"] = ValidationError(
                    ANONYMOUS_VERBATIMS_FLOOR, code="anonymous_verbatims_floor"
                )
        if errors:
            raise ValidationError(errors)

    @property
    def closes_at(self) -> datetime | None:
        """When the round closes itself: as ``closes_on`` begins, local time."""
        if self.closes_on is None:
            return None
        midnight = datetime.combine(self.closes_on, time.min)
        return timezone.make_aware(midnight)

    def reminder_due_at(self, number: int) -> datetime | None:
        """When automatic reminder ``number`` (from 1) is due, if the round has
        one by that number and has opened."""
        if self.opened_at is None or not 1 <= number <= len(self.remind_after_days):
            return None
        return self.opened_at + timedelta(days=self.remind_after_days[number - 1])


MAX_REOPEN_REASON_LENGTH = 1000


class RoundReopening(models.Model):
    """A closed round opened again by one of its managers: when it had closed,
    who opened it again, when and why."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="reopenings"
    )
    reason = models.TextField(
        max_length=MAX_REOPEN_REASON_LENGTH,
        validators=[validate_no_control_characters],
    )
    closed_at = models.DateTimeField()
    reopened_at = models.DateTimeField()
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("-reopened_at", "-pk")
        constraints = (
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="round_reopening_has_a_reason",
                violation_error_code="round_reopening_has_a_reason",
                violation_error_message="Say why the round opens again.",
            ),
        )

    def __str__(self) -> str:
        return f"{self.assessment} reopened {self.reopened_at:%Y-%m-%d}"


# --- Rows several people edit -----------------------------------------------------

STALE_REVISION = (
    "This was changed by someone else since you opened it; your text is kept below, "
    "reload to see theirs."
)


class Revised(models.Model):
    """A row that managers and administrators edit, saved only over the revision
    it was read at.

    Two people who open the same form read the same revision; the save goes
    through a conditional UPDATE that only the first of them matches, so the
    second is refused with ``STALE_REVISION`` (code "stale") instead of
    overwriting a change unseen. Saving what is already stored changes nothing.
    """

    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    def check_revision(self, *, revision: int, values: dict) -> bool:
        """Whether saving ``values`` (by field attribute name) over ``revision``
        would change the row; raises the stale error if the row has changed since.

        The row stays locked until the transaction ends, where the database can
        lock rows, so the save that follows cannot lose a race this check won.
        """
        stored = (
            type(self)
            ._base_manager.select_for_update()
            .values("revision", *values)
            .get(pk=self.pk)
        )
        if all(stored[name] == value for name, value in values.items()):
            return False
        if stored["revision"] != revision:
            raise ValidationError(STALE_REVISION, code="stale")
        return True

    def save_revision(self, *, revision: int, user, values: dict) -> None:
        """Write ``values`` as ``user``'s revision after ``revision``, with its
        history row; raises the stale error if the row has changed since."""
        if not self.check_revision(revision=revision, values=values):
            return
        model = type(self)
        updated = model._base_manager.filter(pk=self.pk, revision=revision).update(
            **values,
            revision=F("revision") + 1,
            updated_by=user,
            updated_at=timezone.now(),
        )
        if not updated:  # saved meanwhile, where the check could not lock the row
            raise ValidationError(STALE_REVISION, code="stale")
        self.refresh_from_db()
        # A conditional UPDATE sends no signal, so the audit trail is written here.
        model.history.bulk_history_create([self], update=True, default_user=user)


# --- Step 1: vision ---------------------------------------------------------------

# A word or phrase of the team's for a key idea: a few words, not a sentence.
MAX_TEAM_WORD_LENGTH = 80
KEY_IDEA_NEEDS_TEXT = "Every key idea needs its text."
KEY_IDEA_TOO_LONG = (
    f"Keep an idea to {scoring.ideas.MAX_IDEA_LENGTH} characters at most."
)
TOO_MANY_KEY_IDEAS = f"Keep to {scoring.ideas.MAX_IDEAS} key ideas at most."
TOO_MANY_TEAM_WORDS = (
    f"Give at most {scoring.ideas.MAX_WORDS_PER_IDEA} words or phrases for one idea."
)
TEAM_WORD_TOO_LONG = (
    f"“{{word}}” is longer than {MAX_TEAM_WORD_LENGTH} characters: give the "
    "team's words or short phrases, separated by commas."
)
KEY_IDEAS_UNREADABLE = "Key ideas are stored as a list of ideas, each with its words."


def _key_idea_problems(idea: str, words: Sequence[str]) -> list[ValidationError]:
    """What is wrong with one key idea and its team words, as the form shows it
    beside them and the service refuses it."""
    problems = []
    if not idea.strip():
        problems.append(ValidationError(KEY_IDEA_NEEDS_TEXT, code="idea_needed"))
    if len(idea) > scoring.ideas.MAX_IDEA_LENGTH:
        problems.append(ValidationError(KEY_IDEA_TOO_LONG, code="idea_too_long"))
    if len(words) > scoring.ideas.MAX_WORDS_PER_IDEA:
        problems.append(ValidationError(TOO_MANY_TEAM_WORDS, code="too_many_words"))
    problems.extend(
        ValidationError(
            TEAM_WORD_TOO_LONG.format(word=word[:20] + "…"), code="word_too_long"
        )
        for word in words
        if len(word) > MAX_TEAM_WORD_LENGTH
    )
    if has_control_characters(idea) or any(map(has_control_characters, words)):
        problems.append(ValidationError(CONTROL_CHARACTERS, code="control_characters"))
    return problems


def validate_key_ideas(value) -> None:
    """Key ideas as ``scoring.ideas_as_data`` stores them, within the limits."""
    ideas = scoring.ideas_from_data(value)
    if scoring.ideas_as_data(ideas) != value:  # something in it did not read
        raise ValidationError(KEY_IDEAS_UNREADABLE, code="key_ideas_unreadable")
    if len(ideas) > scoring.ideas.MAX_IDEAS:
        raise ValidationError(TOO_MANY_KEY_IDEAS, code="too_many_ideas")
    problems = [
        problem
        for idea in ideas
        for problem in _key_idea_problems(idea.idea, idea.words)
    ]
    if problems:
        raise ValidationError(problems)


class Vision(Revised):
    """The team's customer service vision and the manager's moment-of-truth answer."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="vision"
    )
    statement = models.TextField(
        blank=True, validators=[MaxLengthValidator(MAX_ANSWER_LENGTH)]
    )
    has_vision = models.BooleanField(
        null=True,
        blank=True,
        help_text="The manager's answer: does the team have a customer service vision?",
    )
    # Written only by services.key_ideas_confirm, hence not editable in forms.
    key_ideas = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        validators=[validate_key_ideas],
        help_text="The key ideas the manager confirmed, each with the team's words "
        "for it; empty until then, and answers are judged against every specific "
        "word of the statement.",
    )
    key_ideas_vision = models.TextField(
        blank=True,
        editable=False,
        validators=[MaxLengthValidator(MAX_ANSWER_LENGTH)],
        help_text="The statement as it was when the key ideas were confirmed.",
    )
    history = HistoricalRecords()

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=~Q(has_vision=True) | ~Q(statement=""),
                name="vision_yes_needs_a_statement",
                violation_error_code="vision_yes_needs_a_statement",
                violation_error_message=VISION_YES_NEEDS_STATEMENT,
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("statement"), MAX_ANSWER_LENGTH),
                name="vision_statement_max_length",
                violation_error_code="vision_statement_max_length",
                violation_error_message=ANSWER_TOO_LONG,
            ),
        )

    def __str__(self) -> str:
        return self.statement[:80] or "(no vision yet)"

    @property
    def confirmed_ideas(self) -> tuple[scoring.KeyIdea, ...]:
        """The key ideas answers are judged against; none means the engine's
        own reading of the statement."""
        return scoring.ideas_from_data(self.key_ideas)

    @property
    def ideas_to_check(self) -> bool:
        """Whether the statement changed since its key ideas were confirmed."""
        return bool(self.key_ideas) and self.key_ideas_vision != self.statement


# --- Step 2: engagement -----------------------------------------------------------


class InvitationQuerySet(models.QuerySet):
    @staticmethod
    def live_condition(relation: str = "") -> Q:
        """The one definition of a live invitation: not revoked. ``relation``
        names the way to invitations from another model (``"invitations"``), for
        annotations counting them."""
        status = f"{relation}__status" if relation else "status"
        return ~Q(**{status: Invitation.Status.REVOKED})

    def live(self):
        return self.filter(self.live_condition())

    def for_engagement(self):
        """Live invitations as the engagement page lists them, in the order they
        were added. Nothing is joined: the page reads the invitations' own fields
        and already has their round."""
        return self.live().order_by("pk")

    # --- Email on its way ---

    def mail_pending(self):
        """Live invitations whose email is queued or being sent: a revoked
        one's is never sent."""
        return self.live().filter(
            mail_status__in=(MailStatus.QUEUED, MailStatus.SENDING)
        )

    def mail_due(self, now):
        """Invitations whose email a worker may take up at ``now``: queued and
        not waiting to retry, or left "sending" by a worker whose claim ran out."""
        return self.mail_pending().filter(
            Q(mail_retry_at__isnull=True) | Q(mail_retry_at__lte=now)
        )


class MailStatus(models.TextChoices):
    NONE = "none", "Not emailed"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class MailKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    REMINDER = "reminder", "Reminder"


class Invitation(models.Model):
    """A team member's personal link; only a keyed hash of its token is stored."""

    class Status(models.TextChoices):
        PENDING = "pending", "Not answered"
        RESPONDED = "responded", "Answered"
        REVOKED = "revoked", "Revoked"

    # Every answered invitation has its status updated once. No index covers the
    # status, so on PostgreSQL that update is a heap-only (HOT) one: the new row
    # version stays on its page (kept 10% free, see migration 0007) and no index
    # is written. Counting a round's invitations by status reads its rows through
    # the assessment index instead, a fraction of a millisecond at 10,000.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(
        max_length=64, editable=False, validators=[RegexValidator(HEX_SHA256)]
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    # The mailbox ``email`` reaches (see assessments/addresses.py), held once per
    # round by a live invitation; empty without an address or once revoked, so
    # the same person can be invited again. Not derived from the status in the
    # index, which would cost every answer its heap-only update (see above).
    normalized_email = models.CharField(max_length=254, blank=True, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # Whether answers released from an anonymous round came through this
    # invitation's current link: set with the status at the release, and cleared
    # whenever the invitation gets a new link, which starts unused (a new link
    # must not tell whether an earlier one answered).
    link_used = models.BooleanField(default=False, editable=False)

    # --- Its email, sent by the worker (services/mail.py) ---
    # The state of the latest email to this person, an invitation or a reminder.
    # While "sending", ``mail_retry_at`` is when the worker's claim on it runs
    # out: a worker that died mid-send leaves it to be sent again from then on.
    # Not indexed, as the status is not: the worker reads a round's through the
    # assessment index, and only a worker starting up reads them all.
    mail_status = models.CharField(
        max_length=10, choices=MailStatus.choices, default=MailStatus.NONE
    )
    mail_kind = models.CharField(
        max_length=10, choices=MailKind.choices, default=MailKind.INVITATION
    )
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_error = models.TextField(blank=True)
    mail_retry_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ("assessment", "pk")
        constraints = (
            models.UniqueConstraint(
                fields=("token_hash",),
                name="invitation_token_hash_unique",
                violation_error_code="invitation_token_hash_unique",
                violation_error_message="Another invitation already has this link.",
            ),
            models.CheckConstraint(
                condition=Q(token_hash__regex=HEX_SHA256),
                name="invitation_token_hash_is_hex_sha256",
                violation_error_code="invitation_token_hash_is_hex_sha256",
                violation_error_message=NOT_A_HASH,
            ),
            models.UniqueConstraint(
                fields=("assessment", "normalized_email"),
                condition=~Q(normalized_email=""),
                name="invitation_address_once_per_round",
                violation_error_code="invitation_address_once_per_round",
                violation_error_message=ADDRESS_TAKEN,
            ),
        )

    def __str__(self) -> str:
        return self.name or self.email or f"Invitation {self.pk}"

    def save(self, *args, **kwargs):
        self.set_normalized_email()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self.set_normalized_email()

    @property
    def invitation_mail_status(self) -> str:
        """The state of this person's invitation email alone, as an anonymous
        round shows it. Reminders go only to those who have not answered, so a
        reminder's state is never shown: the invitation reads as emailed, or
        not, as it did before."""
        if self.mail_kind == MailKind.REMINDER:
            return MailStatus.SENT if self.sent_at else MailStatus.NONE
        return self.mail_status

    def set_normalized_email(self) -> None:
        """Hold the round's place for this address, or give it up once revoked."""
        live = self.status != self.Status.REVOKED
        self.normalized_email = normalized_address(self.email) if live else ""


def pseudonym(respondent_key: str) -> str:
    """A respondent's name outside a named round: stable, and leading back to no
    invitation."""
    return f"r-{respondent_key[:12]}"


def team_rating_field(key: str) -> str:
    return f"rating_{key}"


TEAM_RATING_FIELDS = tuple(team_rating_field(key) for key in ALIGNMENT_KEYS)
# The stored outcome of judging a response: per answer, clear and consistent
# (overrides applied), and whether the respondent is engaged.
OUTCOME_FIELDS = (
    *(f"{key}_{kind}" for key in ENGAGEMENT_KEYS for kind in ("clear", "consistent")),
    "engaged",
)


def _answer_length_constraint(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), MAX_ANSWER_LENGTH),
        name=f"response_{field}_max_length",
        violation_error_code=f"response_{field}_max_length",
        violation_error_message=ANSWER_TOO_LONG,
    )


# The per-person table's columns a named round's report can sort by, and the
# fields each sorts on: a question by its clear decision, then its consistent one.
PEOPLE_SORTS = {
    "name": ("sort_name",),
    "engaged": ("engaged",),
    **{key: (f"{key}_clear", f"{key}_consistent") for key in ENGAGEMENT_KEYS},
}
PEOPLE_SORT_DEFAULT = "name"


class ResponseQuerySet(models.QuerySet):
    def engaged(self):
        return self.filter(engaged=True)

    def released(self):
        """Responses whose answers pages may show: an anonymous round's once the
        worker has released them in a batch, a named round's at once."""
        return self.filter(release__isnull=False)

    def waiting(self):
        """An anonymous round's responses not released yet."""
        return self.filter(release__isnull=True)

    def for_respondent(self, *, assessment_id: int, edit_code: str):
        """The anonymous response whose edit code is ``edit_code``, if any."""
        return self.filter(
            assessment_id=assessment_id, respondent_key=tokens.edit_key(edit_code)
        )

    def for_review(self, assessment):
        """A round's released responses as the answer list shows them, with their
        judgements prefetched in the order of the questions.

        Responses with answers awaiting the manager's review come first, most
        first (``answers_awaiting_review``). Then an anonymous round's are
        ordered by their random primary key: shuffled, the same on every visit,
        and telling neither who answered nor when. A named round's are ordered
        by the invitee's name, with the invitation joined for the heading.
        """
        responses = (
            self.filter(assessment=assessment)
            .released()
            .prefetch_related(
                models.Prefetch(
                    "judgements",
                    queryset=AnswerJudgement.objects.order_by(
                        models.Case(
                            *(
                                models.When(question_key=key, then=position)
                                for position, key in enumerate(ENGAGEMENT_KEYS)
                            )
                        )
                    ),
                )
            )
        )
        first = F("answers_awaiting_review").desc()
        if assessment.anonymous:
            return responses.order_by(first, "pk")
        return responses.select_related("invitation").order_by(
            first, "invitation__name", "pk"
        )

    def for_people(self, assessment, sort: str = PEOPLE_SORT_DEFAULT):
        """A named round's released responses as its per-person table shows them,
        as plain dicts: ``name`` (the invitee's name, else their email),
        ``engaged`` and each question's ``<key>_clear`` and ``<key>_consistent``
        (overrides applied), sorted by ``sort`` (a key of ``PEOPLE_SORTS``,
        "-" first for descending; unknown ones sort by name), then by name.
        Only for named rounds: the caller asks ``privacy.shows_people`` first."""
        descending = sort.startswith("-")
        fields = PEOPLE_SORTS.get(sort.removeprefix("-"), PEOPLE_SORTS["name"])
        name = Coalesce(
            NullIf(F("invitation__name"), models.Value("")),
            F("invitation__email"),
            models.Value(""),
            output_field=models.CharField(),
        )
        order = [
            F(field).desc(nulls_last=True)
            if descending
            else F(field).asc(nulls_last=True)
            for field in fields
        ]
        return (
            self.filter(assessment=assessment)
            .released()
            .annotate(name=name, sort_name=Lower(name))
            .order_by(*order, "sort_name", "pk")
            .values(
                "name",
                "engaged",
                *(
                    f"{key}_{verdict}"
                    for key in ENGAGEMENT_KEYS
                    for verdict in ("clear", "consistent")
                ),
            )
        )

    def for_export(self, assessment):
        """A round's released responses as rows of the answers' export, in random
        primary-key order: ``(pk, respondent_key, invitee's name or None, the
        three answers, engaged, then the team's alignment ratings)``. Plain
        values, so a long export holds no model instances.

        The ratings are each person's in a named round; an anonymous round's are
        never read one by one (``privacy.shows_people``): None in every row."""
        ratings = (
            [models.Value(None, output_field=models.IntegerField())]
            * len(TEAM_RATING_FIELDS)
            if assessment.anonymous
            else [F(field) for field in TEAM_RATING_FIELDS]
        )
        return (
            self.filter(assessment=assessment)
            .released()
            .order_by("pk")
            .values_list(
                "pk",
                "respondent_key",
                "invitation__name",
                "vision_answer",
                "meaning_answer",
                "contribution_answer",
                "engaged",
                *ratings,
            )
        )


class Response(models.Model):
    """A team member's three answers.

    In a named round the respondent reaches it again through ``respondent_key``,
    a keyed hash of their token, and ``invitation`` names them. In an anonymous
    round ``respondent_key`` is a keyed hash of an edit code only the respondent
    was given, and nothing stored joins the response to an invitation once it is
    released: until then ``link_key`` (see ``assessments/tokens.py``) stops the
    same link answering twice. Its primary key is random, so neither ids nor
    their order tell when anyone answered; the release rewrites the rows, so
    neither do their place on disk nor their transaction ids.
    """

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    # Indexed with engaged (counts) and with the answers awaiting review and the
    # id (the answer list, page by page in that order) below, and the key by its
    # unique constraint: no index of its own for every submission to write.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    respondent_key = models.CharField(
        max_length=64, editable=False, validators=[RegexValidator(HEX_SHA256)]
    )
    # NULL rather than "" once released: a lookup by key (``link_key = $1``)
    # implies IS NOT NULL, so a prepared statement can use the partial index.
    link_key = models.CharField(  # noqa: DJ001
        max_length=64,
        null=True,
        blank=True,
        editable=False,
        validators=[RegexValidator(HEX_SHA256)],
        help_text="Set only until an anonymous round's answers are released.",
    )
    # Which release made the answers visible: an anonymous round's are released
    # in batches by the worker (services/release.py), a named round's at once (0).
    release = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Whether the respondent counts towards the round's minimum groups: in an
    # anonymous round, only those who answered through a link that had an email
    # address (a person the app emailed, not a link the manager handed out).
    counts_for_minimum = models.BooleanField(default=False, editable=False)
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
        help_text="Set only in named rounds.",
    )
    vision_answer = models.TextField(
        blank=True, validators=[MaxLengthValidator(MAX_ANSWER_LENGTH)]
    )
    meaning_answer = models.TextField(
        blank=True, validators=[MaxLengthValidator(MAX_ANSWER_LENGTH)]
    )
    contribution_answer = models.TextField(
        blank=True, validators=[MaxLengthValidator(MAX_ANSWER_LENGTH)]
    )
    engaged = models.BooleanField(
        null=True,
        blank=True,
        help_text="All three answers judged clear and consistent (overrides applied). "
        "Stored so reports can count in the database.",
    )
    # Each answer's decisions, overrides applied, kept beside ``engaged`` for the
    # same reason: a report counts them in one aggregate over responses instead
    # of joining every judgement.
    vision_clear = models.BooleanField(null=True, blank=True, editable=False)
    vision_consistent = models.BooleanField(null=True, blank=True, editable=False)
    meaning_clear = models.BooleanField(null=True, blank=True, editable=False)
    meaning_consistent = models.BooleanField(null=True, blank=True, editable=False)
    contribution_clear = models.BooleanField(null=True, blank=True, editable=False)
    contribution_consistent = models.BooleanField(null=True, blank=True, editable=False)
    # How many of its answers await the manager's review (``AWAITING_REVIEW``),
    # kept for the same reason, and so the answer list can put them first
    # without reading every judgement.
    answers_awaiting_review = models.PositiveSmallIntegerField(
        default=0, editable=False
    )
    # The team's own view of the five alignment questions, asked when the round
    # says so; blank means "not sure". One row per respondent keeps a submission
    # to a single write and the perception gap to a single aggregate.
    rating_goals = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=RATING_RANGE
    )
    rating_hiring = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=RATING_RANGE
    )
    rating_training = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=RATING_RANGE
    )
    rating_empowerment = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=RATING_RANGE
    )
    rating_reinforcement = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=RATING_RANGE
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The terms the round's stored team profile counts for these answers (those
    # of its last full scoring, when it counted them; see docs/scoring.md), so
    # that judging them again leaves them out: nobody agrees with themselves.
    # NULL when the profile does not count the response. Only a full scoring
    # writes it, from the answers' text.
    profile_terms = models.JSONField(null=True, blank=True, editable=False)

    # The audit trail keeps who changed the answers, never who gave them: no link
    # to the invitation, no respondent or link key, no submission times (see
    # _response_history_by_the_day for the time of each change), and no
    # sequential ids of its own.
    history = HistoricalRecords(
        excluded_fields=(
            "invitation",
            "respondent_key",
            "link_key",
            "created_at",
            "updated_at",
            "profile_terms",
        ),
        history_id_field=models.UUIDField(default=uuid.uuid4),
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ("assessment", "pk")
        indexes = (
            models.Index(fields=("assessment", "engaged")),
            # The answer list's order: those awaiting review first, then by id.
            models.Index(fields=("assessment", "-answers_awaiting_review", "id")),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("respondent_key",),
                name="response_respondent_key_unique",
                violation_error_code="response_respondent_key_unique",
                violation_error_message="This person has already answered.",
            ),
            models.UniqueConstraint(
                fields=("link_key",),
                condition=Q(link_key__isnull=False),
                name="response_link_key_unique",
                violation_error_code="response_link_key_unique",
                violation_error_message="This link has already been used.",
            ),
            models.CheckConstraint(
                condition=Q(link_key__isnull=True) | Q(link_key__regex=HEX_SHA256),
                name="response_link_key_is_hex_sha256",
                violation_error_code="response_link_key_is_hex_sha256",
                violation_error_message=NOT_A_HASH,
            ),
            models.CheckConstraint(
                condition=Q(respondent_key__regex=HEX_SHA256),
                name="response_respondent_key_is_hex_sha256",
                violation_error_code="response_respondent_key_is_hex_sha256",
                violation_error_message=NOT_A_HASH,
            ),
            models.CheckConstraint(
                condition=Q(updated_at__gte=F("created_at")),
                name="response_updated_after_created",
                violation_error_code="response_updated_after_created",
                violation_error_message="An answer cannot change before it was given.",
            ),
            *(
                _answer_length_constraint(f"{key}_answer")
                for key in EngagementQuestionKey.values
            ),
            models.CheckConstraint(
                condition=Q(answers_awaiting_review__lte=len(ENGAGEMENT_KEYS)),
                name="response_answers_awaiting_review_at_most_three",
                violation_error_code="response_answers_awaiting_review_at_most_three",
                violation_error_message=(
                    "A response has three answers to review at most."
                ),
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True})
                    | Q(**{f"{field}__gte": MIN_RATING, f"{field}__lte": MAX_RATING}),
                    name=f"response_{field}_1_to_5",
                    violation_error_code=f"response_{field}_1_to_5",
                    violation_error_message=RATING_1_TO_5_OR_NOT_SURE,
                )
                for field in TEAM_RATING_FIELDS
            ),
        )

    def __str__(self) -> str:
        # Never the primary key: it numbers answers in the order they came.
        if not self.respondent_key:  # a version in the history keeps no key
            return "Answers"
        return f"Answers of {pseudonym(self.respondent_key)}"

    def answer_for(self, key: str) -> str:
        return getattr(self, f"{key}_answer")

    def team_rating_for(self, key: str) -> int | None:
        return getattr(self, team_rating_field(key))


def _response_history_by_the_day(sender, instance, history_instance, **kwargs):
    """An anonymous round's history of a response is dated to the day, like the
    response itself, so an exact time cannot pair it with an invitation."""
    if instance.assessment.anonymous:
        history_instance.history_date = history_instance.history_date.replace(
            hour=0, minute=0, second=0, microsecond=0
        )


pre_create_historical_record.connect(
    _response_history_by_the_day,
    sender=Response.history.model,
    dispatch_uid="response_history_by_the_day",
)

# The engine decides which judgements need a person (``needs_review``, stored);
# a manager's override of either decision settles it.
AWAITING_REVIEW = Q(
    needs_review=True, override_clear__isnull=True, override_consistent__isnull=True
)


def answer_digest(text: str) -> str:
    """The SHA-256 of an answer's text, kept with a manager's decision on it."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class AnswerJudgementQuerySet(models.QuerySet):
    def for_export(self, response_ids):
        """The judgements of these responses as the answers' export writes them:
        plain dicts of the engine's decisions, score, reasons, any override and
        whether it awaits review, so a long export holds no model instances.
        Unordered: the default ordering would join the response and its round
        for each chunk."""
        return (
            self.filter(response_id__in=response_ids)
            .order_by()
            .annotate(
                awaits_review=models.ExpressionWrapper(
                    AWAITING_REVIEW, output_field=models.BooleanField()
                )
            )
            .values(
                "response_id",
                "question_key",
                "clear",
                "consistent",
                "score",
                "reasons",
                "awaits_review",
                "override_clear",
                "override_consistent",
                "override_reason",
            )
        )

    def awaiting_review(self):
        """Judgements the engine was unsure of and no manager has decided."""
        return self.filter(AWAITING_REVIEW)


class AnswerJudgement(models.Model):
    """The scoring engine's judgement of one answer, with any manager override.

    Its primary key is random, like its response's: the page's anchors and the
    override's address carry it."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    # Indexed by the unique (response, question_key) constraint.
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="judgements", db_index=False
    )
    question_key = models.CharField(
        max_length=20, choices=EngagementQuestionKey.choices
    )
    clear = models.BooleanField()
    consistent = models.BooleanField()
    clarity = models.FloatField(validators=SHARE_RANGE)
    consistency = models.FloatField(validators=SHARE_RANGE)
    score = models.FloatField(validators=SHARE_RANGE)
    reasons = models.JSONField(default=list)
    # How sure the engine is of both decisions (0.5 a coin toss, 1 sure), the
    # language it judged the answer in, and whether it asks a person to decide.
    confidence = models.FloatField(default=1.0, validators=SHARE_RANGE)
    language = models.CharField(max_length=16, default="en")
    needs_review = models.BooleanField(default=False)
    engine_version = models.CharField(max_length=20)
    scored_at = models.DateTimeField()
    override_clear = models.BooleanField(null=True, blank=True)
    override_consistent = models.BooleanField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    # Indexed only where set (below): most judgements are never overridden, and
    # each submission writes three.
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    overridden_at = models.DateTimeField(null=True, blank=True)
    # The digest (``answer_digest``) of the answer the override was decided on,
    # "" without one: the decision outlives new answers, and says when the
    # answer has changed since (``answer_changed``).
    override_answer_digest = models.CharField(
        max_length=64, blank=True, default="", db_default="", editable=False
    )

    history = HistoricalRecords(history_id_field=models.UUIDField(default=uuid.uuid4))

    objects = AnswerJudgementQuerySet.as_manager()

    class Meta:
        ordering = ("response", "question_key")
        indexes = (
            models.Index(
                fields=("overridden_by",),
                condition=Q(overridden_by__isnull=False),
                name="judgement_overridden_by",
            ),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("response", "question_key"),
                name="judgement_unique_per_answer",
                violation_error_code="judgement_unique_per_answer",
                violation_error_message="This answer is already judged.",
            ),
            models.CheckConstraint(
                condition=Q(clarity__gte=0, clarity__lte=1)
                & Q(consistency__gte=0, consistency__lte=1)
                & Q(score__gte=0, score__lte=1),
                name="judgement_scores_0_to_1",
                violation_error_code="judgement_scores_0_to_1",
                violation_error_message="The engine's scores are from 0 to 1.",
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1),
                name="judgement_confidence_0_to_1",
                violation_error_code="judgement_confidence_0_to_1",
                violation_error_message="The engine's confidence is from 0 to 1.",
            ),
            models.CheckConstraint(
                condition=Q(
                    override_clear__isnull=True, override_consistent__isnull=True
                )
                | ~Q(override_reason=""),
                name="judgement_override_needs_a_reason",
                violation_error_code="judgement_override_needs_a_reason",
                violation_error_message=OVERRIDE_NEEDS_A_REASON,
            ),
        )

    def __str__(self) -> str:
        return f"Judgement of “{self.get_question_key_display()}”"

    @property
    def is_overridden(self) -> bool:
        return self.override_clear is not None or self.override_consistent is not None

    @property
    def answer_changed(self) -> bool:
        """Whether the answer has changed since the manager's decision on it:
        the decision stands until they keep, change or remove it. Reads the
        response (prefetched with its judgements on the pages that show it)."""
        return self.is_overridden and self.override_answer_digest != answer_digest(
            self.response.answer_for(self.question_key)
        )

    @property
    def awaits_review(self) -> bool:
        """``AWAITING_REVIEW`` for one judgement."""
        return self.needs_review and not self.is_overridden

    @property
    def effective_clear(self) -> bool:
        return self.clear if self.override_clear is None else self.override_clear

    @property
    def effective_consistent(self) -> bool:
        if self.override_consistent is None:
            return self.consistent
        return self.override_consistent


# --- Step 3: alignment ------------------------------------------------------------


class AlignmentRating(Revised):
    """The manager's 1-5 rating of one alignment question, with evidence."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="alignment_ratings"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(validators=RATING_RANGE)
    evidence = models.TextField(
        blank=True, validators=[MaxLengthValidator(MAX_ANSWER_LENGTH)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ("assessment", "question__position")
        constraints = (
            models.UniqueConstraint(
                fields=("assessment", "question"),
                name="alignment_rating_unique_per_question",
                violation_error_code="alignment_rating_unique_per_question",
                violation_error_message="This question is already rated in this round.",
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=MIN_RATING, rating__lte=MAX_RATING),
                name="alignment_rating_1_to_5",
                violation_error_code="alignment_rating_1_to_5",
                violation_error_message=RATING_1_TO_5,
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("evidence"), MAX_ANSWER_LENGTH),
                name="alignment_evidence_max_length",
                violation_error_code="alignment_evidence_max_length",
                violation_error_message=ANSWER_TOO_LONG,
            ),
        )

    def __str__(self) -> str:
        return f"{self.question.key}: {self.rating}"


# --- Final step: commitment -------------------------------------------------------

BUDGET_NEEDS_A_CURRENCY = "Choose the currency of the budget."


class Commitment(Revised):
    """Evidence that the leader gives time, money and attention, with names."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="commitment"
    )
    hours_per_week = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(HOURS_IN_A_WEEK)],
    )
    budget = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_currency = models.CharField(
        "Currency",
        max_length=3,
        blank=True,
        choices=currency_choices,
        help_text="The currency of the budget, by its ISO 4217 code.",
    )
    attention = models.TextField(
        blank=True, help_text="Where service is a standing item in leadership routines."
    )
    owner = models.CharField(max_length=200, blank=True)
    sponsor = models.CharField(max_length=200, blank=True)
    reassess_on = models.DateField(null=True, blank=True)
    # When the team's managers were emailed that ``reassess_on`` had come, so the
    # reminder goes out once however often its task runs; cleared when the date
    # changes (services.reassessment_schedule).
    reassess_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True)
                | Q(hours_per_week__gte=0, hours_per_week__lte=HOURS_IN_A_WEEK),
                name="commitment_hours_within_a_week",
                violation_error_code="commitment_hours_within_a_week",
                violation_error_message="A week has from 0 to 168 hours to give.",
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="commitment_budget_not_negative",
                violation_error_code="commitment_budget_not_negative",
                violation_error_message="The budget cannot be negative.",
            ),
        )

    def __str__(self) -> str:
        return f"Commitment for {self.assessment}"

    def clean(self):
        # Not a database constraint: budgets saved before currencies were asked
        # for have none, and nobody can say now which one they were in.
        if self.budget is not None and not self.budget_currency:
            raise ValidationError(
                {"budget_currency": BUDGET_NEEDS_A_CURRENCY}, code="currency_needed"
            )

    @property
    def budget_display(self) -> str:
        """The budget with its currency, as every page shows it."""
        return scoring.budget_text(self.budget, self.budget_currency)


class ActionItem(Revised):
    """One concrete improvement with an owner and dates."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(max_length=200)
    owner = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The action of an earlier round this one carries over, not done when the
    # round started (services.assessment_create).
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="carried_to",
    )

    history = HistoricalRecords()

    class Meta:
        # Due-date order, undated actions last on every database.
        ordering = ("assessment", F("due_on").asc(nulls_last=True), "pk")
        constraints = (
            models.CheckConstraint(
                condition=~Q(title=""),
                name="action_title_not_blank",
                violation_error_code="action_title_not_blank",
                violation_error_message="Say what the action is.",
            ),
        )

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    @property
    def is_overdue(self) -> bool:
        """Not done, and due before today."""
        return scoring.ActionInput(
            self.title, self.owner, self.due_on, self.done_on
        ).is_overdue(timezone.localdate())


# --- Stored readiness -------------------------------------------------------------


# --- The manager's prediction -----------------------------------------------------

PREDICTION_NEEDS_ONE = (
    "Predict at least one thing: the share engaged or a rating of the team's."
)
PREDICTED_SHARE_0_TO_100 = "Predict a share from 0 to 100 percent."


def _predicted_rating() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=True, blank=True, validators=RATING_RANGE
    )


class RoundPrediction(Revised):
    """What the manager expects of the team before its first answers show: the
    share of respondents engaged and the team's mean rating of each alignment
    question. Written only through ``services.prediction_save``, refused once
    the round's answers have shown (``privacy.answers_shown``)."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="prediction"
    )
    engaged_share = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="The share of respondents you expect to be engaged, in percent.",
    )
    rating_goals = _predicted_rating()
    rating_hiring = _predicted_rating()
    rating_training = _predicted_rating()
    rating_empowerment = _predicted_rating()
    rating_reinforcement = _predicted_rating()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=Q(engaged_share__isnull=True) | Q(engaged_share__lte=100),
                name="prediction_share_0_to_100",
                violation_error_code="prediction_share_0_to_100",
                violation_error_message=PREDICTED_SHARE_0_TO_100,
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True})
                    | Q(**{f"{field}__gte": MIN_RATING, f"{field}__lte": MAX_RATING}),
                    name=f"prediction_{field}_1_to_5",
                    violation_error_code=f"prediction_{field}_1_to_5",
                    violation_error_message=RATING_1_TO_5,
                )
                for field in TEAM_RATING_FIELDS
            ),
            models.CheckConstraint(
                condition=functools.reduce(
                    operator.or_,
                    (
                        Q(**{f"{field}__isnull": False})
                        for field in ("engaged_share", *TEAM_RATING_FIELDS)
                    ),
                ),
                name="prediction_needs_one_item",
                violation_error_code="prediction_needs_one_item",
                violation_error_message=PREDICTION_NEEDS_ONE,
            ),
        )

    def __str__(self) -> str:
        return f"Prediction for {self.assessment}"

    def rating_for(self, key: str) -> int | None:
        return getattr(self, team_rating_field(key))

    def as_scoring(self) -> scoring.Prediction:
        return scoring.Prediction(
            engaged_share=self.engaged_share,
            ratings={key: self.rating_for(key) for key in ALIGNMENT_KEYS},
        )


class StepResult(models.Model):
    """The readiness of one step of a round, as last computed by the engine."""

    class Status(models.TextChoices):
        READY = "ready", "Ready"
        NOT_YET = "not_yet", "Not yet"
        BLOCKED = "blocked", "Blocked"
        WITHHELD = "withheld", "Withheld"  # step 2 of a round hidden for privacy

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="step_results"
    )
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ("assessment", "step__number")
        constraints = (
            models.UniqueConstraint(
                fields=("assessment", "step"),
                name="step_result_unique_per_step",
                violation_error_code="step_result_unique_per_step",
                violation_error_message="This step of the round already has a result.",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="step_result_score_0_to_100",
                violation_error_code="step_result_score_0_to_100",
                violation_error_message="A step's score is from 0 to 100.",
            ),
        )

    def __str__(self) -> str:
        return f"{self.step.name}: {self.get_status_display()}"


# --- Imports waiting for confirmation ---------------------------------------------


class AnswersUpload(models.Model):
    """A file of answers an administrator uploaded and previewed, kept until they
    confirm or cancel the import, so the file is sent once whatever its size and
    whichever app server answers the confirmation. A confirmed one (or one from
    ``manage.py import_answers``, which has no uploader) waits, queued, for the
    worker that imports it."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(max_length=255)
    content = models.TextField()
    rows = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.file_name} for {self.assessment}"


# --- Full scorings in the background ----------------------------------------------

# A running scoring that has shown no progress for this long is taken as dead (its
# worker was killed): another may start, and pages stop reporting it.
SCORING_STALE = timedelta(minutes=10)


class RoundScoring(models.Model):
    """Where a round's full scoring stands: asked for, running and how far, last
    finished and by which engine; and when the round's next upkeep is due.

    One row per round, made when first needed; the worker writes it, pages read
    it. Survey submissions never touch it.
    """

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, primary_key=True, related_name="scoring"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    engine_version = models.CharField(max_length=20, blank=True)
    upkeep_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=Q(done__lte=F("total")),
                name="round_scoring_done_within_total",
                violation_error_code="round_scoring_done_within_total",
                violation_error_message=(
                    "A scoring cannot have judged more respondents than it set out to."
                ),
            ),
        )

    def __str__(self) -> str:
        return f"Scoring of {self.assessment}"

    def is_running(self, now) -> bool:
        """Whether a scoring is under way and still showing signs of life."""
        return (
            self.started_at is not None
            and self.progress_at is not None
            and self.progress_at >= now - SCORING_STALE
        )
