"""A factory-boy factory per model."""

from datetime import timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments import models, tokens
from assessments.catalogue import CATALOGUE_VERSION


class UserFactory(factory.django.DjangoModelFactory):
    """An account whose address is confirmed, as every account that has logged
    in is; ``verified=False`` for one that never proved it."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"manager{n}@example.com")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.update_or_create(
                user=self,
                email=self.email,
                defaults={"primary": True, "verified": extracted is not False},
            )


class TokenKeepingFactory(factory.django.DjangoModelFactory):
    """A factory of rows that store only a hash of a link's token: the token
    itself, never saved, is kept on the instance as ``token``."""

    class Meta:
        abstract = True

    token = factory.LazyFunction(tokens.new_token)

    @classmethod
    def _build(cls, model_class, *args, token, **kwargs):
        row = super()._build(model_class, *args, **kwargs)
        row.token = token
        return row

    @classmethod
    def _create(cls, model_class, *args, token, **kwargs):
        row = super()._create(model_class, *args, **kwargs)
        row.token = token
        return row


class ManagerInvitationFactory(TokenKeepingFactory):
    """A pending invitation to manage a team; its link's token is
    ``invitation.token``."""

    class Meta:
        model = models.ManagerInvitation

    team = factory.SubFactory("tests.factories.TeamFactory")
    email = factory.Sequence(lambda n: f"colleague{n}@example.com")
    token_hash = factory.LazyAttribute(
        lambda o: tokens.manager_invitation_hash(o.token)
    )


class StepFactory(factory.django.DjangoModelFactory):
    """The catalogue's own step rows, loaded by the data migration."""

    class Meta:
        model = models.Step
        django_get_or_create = ("key", "version")

    key = "vision"
    version = CATALOGUE_VERSION


class QuestionFactory(factory.django.DjangoModelFactory):
    """The catalogue's own question rows, loaded by the data migration."""

    class Meta:
        model = models.Question
        django_get_or_create = ("step", "key")

    step = factory.SubFactory(StepFactory, key="alignment")
    key = "goals"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Support team {n}")

    @factory.post_generation
    def managers(self, create, extracted, **kwargs):
        if create and extracted:
            self.managers.add(*extracted)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Assessment

    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Round {n}")
    status = models.Assessment.Status.OPEN
    opened_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=models.Assessment.Status.DRAFT, opened_at=None)
        closed = factory.Trait(
            status=models.Assessment.Status.CLOSED,
            closed_at=factory.LazyAttribute(lambda o: o.opened_at + timedelta(days=7)),
        )


class VisionFactory(factory.django.DjangoModelFactory):
    """Fills in the row every round is created with."""

    class Meta:
        model = models.Vision

    assessment = factory.SubFactory(AssessmentFactory)
    statement = (
        "We fix each customer's problem on the first contact, explain it in plain "
        "words, and leave them confident."
    )
    has_vision = True

    class Params:
        # Key ideas the manager confirmed for the statement, with team words.
        confirmed = factory.Trait(
            key_ideas=[
                {"idea": "One conversation", "words": ["un appel", "first time"]},
                {"idea": "Plain words", "words": ["no jargon"]},
            ],
            key_ideas_vision=factory.SelfAttribute("statement"),
        )

    @classmethod
    def _create(cls, model_class, *args, assessment, **kwargs):
        row, _ = model_class.objects.update_or_create(
            assessment=assessment, defaults=kwargs
        )
        return row


class InvitationFactory(TokenKeepingFactory):
    """An invitation; its token is available as ``invitation.token``."""

    class Meta:
        model = models.Invitation

    assessment = factory.SubFactory(AssessmentFactory)
    token_hash = factory.LazyAttribute(lambda o: tokens.invitation_hash(o.token))
    name = factory.Sequence(lambda n: f"Team member {n}")


class ResponseFactory(factory.django.DjangoModelFactory):
    """A response already released, from someone who counts for the minimum."""

    class Meta:
        model = models.Response

    assessment = factory.SubFactory(AssessmentFactory)
    respondent_key = factory.LazyFunction(
        lambda: tokens.edit_key(tokens.new_edit_code())
    )
    release = 1
    counts_for_minimum = True
    vision_answer = "Fix problems on the first contact and explain them plainly."
    meaning_answer = "I sort out a billing error on the call instead of passing it on."
    contribution_answer = "I call customers back the next day to check the fix held."
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.SelfAttribute("created_at")


class AnswerJudgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AnswerJudgement

    response = factory.SubFactory(ResponseFactory)
    question_key = models.EngagementQuestionKey.VISION
    clear = True
    consistent = True
    clarity = 0.9
    consistency = 0.8
    score = 0.85
    reasons = factory.LazyFunction(lambda: ["names 4 of 5 key ideas of the vision"])
    engine_version = "1"
    scored_at = factory.LazyFunction(timezone.now)


class AlignmentRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AlignmentRating

    assessment = factory.SubFactory(AssessmentFactory)
    question = factory.SubFactory(QuestionFactory)
    rating = 4
    evidence = "Goals are reviewed against the vision each quarter."


class CommitmentFactory(factory.django.DjangoModelFactory):
    """Fills in the row every round is created with."""

    class Meta:
        model = models.Commitment

    assessment = factory.SubFactory(AssessmentFactory)
    hours_per_week = Decimal("2.5")
    budget = Decimal("1000.00")
    budget_currency = "EUR"
    attention = "Service is a standing item of the weekly leadership meeting."
    owner = "Priya Shah"
    sponsor = "Alex Morgan"
    reassess_on = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=90)).date()
    )

    @classmethod
    def _create(cls, model_class, *args, assessment, **kwargs):
        row, _ = model_class.objects.update_or_create(
            assessment=assessment, defaults=kwargs
        )
        return row


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ActionItem

    assessment = factory.SubFactory(AssessmentFactory)
    title = factory.Sequence(lambda n: f"Improvement {n}")
    owner = "Tom Reed"
    due_on = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=30)).date())


class StepResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StepResult

    assessment = factory.SubFactory(AssessmentFactory)
    step = factory.SubFactory(StepFactory)
    status = models.StepResult.Status.READY
    score = 80
    computed_at = factory.LazyFunction(timezone.now)


class RoundPredictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RoundPrediction

    assessment = factory.SubFactory(AssessmentFactory)
    engaged_share = 70
