"""The workflows behind the manager's pages, called directly."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from assessments import links, services, tokens
from assessments.models import (
    ActionItem,
    AlignmentRating,
    Assessment,
    Invitation,
    MailKind,
    MailStatus,
    Response,
    StepKey,
    StepResult,
    alignment_questions,
)
from assessments.services import invitations as services_invitations
from tests.factories import (
    AlignmentRatingFactory,
    InvitationFactory,
    ResponseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def refused(call) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.messages


# --- Teams and rounds -------------------------------------------------------------


def test_an_open_rounds_privacy_cannot_change(assessment):
    assert refused(
        lambda: services.assessment_update(assessment=assessment, anonymous=False)
    ) == [services.PRIVACY_FROZEN]
    assessment.refresh_from_db()
    assert assessment.anonymous is True


def test_an_open_rounds_thresholds_can_change(assessment):
    services.assessment_update(assessment=assessment, ready_engaged_share=0.5)

    assessment.refresh_from_db()
    assert assessment.ready_engaged_share == 0.5


def test_closing_twice_keeps_the_first_closing_time(assessment):
    services.assessment_close(assessment=assessment)
    closed_at = assessment.closed_at

    services.assessment_close(assessment=assessment)

    assert Assessment.objects.get(pk=assessment.pk).closed_at == closed_at


# --- Revisions --------------------------------------------------------------------


def test_saving_the_vision_bumps_its_revision_and_records_who(draft_round, manager):
    services.vision_update(
        vision=draft_round.vision,
        revision=1,
        statement="Fix it first time.",
        has_vision=True,
        user=manager,
    )

    draft_round.vision.refresh_from_db()
    assert draft_round.vision.revision == 2
    assert draft_round.vision.updated_by == manager


def test_an_administrators_save_is_a_revision_a_managers_older_form_sees(
    draft_round, manager, superuser
):
    vision = draft_round.vision

    services.step_row_revise(
        row=vision,
        revision=1,
        values={"statement": "Set by an administrator."},
        user=superuser,
    )

    vision.refresh_from_db()
    assert (vision.statement, vision.revision, vision.updated_by) == (
        "Set by an administrator.",
        2,
        superuser,
    )
    assert refused(
        lambda: services.vision_update(
            vision=vision,
            revision=1,
            statement="The manager's older text.",
            has_vision=None,
            user=manager,
        )
    ) == [services.STALE_REVISION]


def stored_readiness(assessment) -> dict[str, tuple[str, int]]:
    return {
        key: (status, score)
        for key, status, score in StepResult.objects.filter(
            assessment=assessment
        ).values_list("step__key", "status", "score")
    }


def test_every_step_write_keeps_the_stored_readiness_current(draft_round, manager):
    services.vision_update(
        vision=draft_round.vision,
        revision=1,
        statement="Every customer leaves with their problem solved at first contact.",
        has_vision=True,
        user=manager,
    )
    assert stored_readiness(draft_round)["vision"][0] == "ready"

    services.vision_update(
        vision=draft_round.vision,
        revision=2,
        statement="",
        has_vision=False,
        user=manager,
    )
    assert stored_readiness(draft_round)["vision"][0] != "ready"

    StepResult.objects.filter(assessment=draft_round).delete()
    action = services.action_create(
        action=ActionItem(assessment=draft_round, title="Weekly huddle")
    )
    assert set(stored_readiness(draft_round)) == set(StepKey.values)

    StepResult.objects.filter(assessment=draft_round).delete()
    services.action_update(
        action=action, revision=1, user=manager, values={"title": "Daily huddle"}
    )
    assert set(stored_readiness(draft_round)) == set(StepKey.values)

    StepResult.objects.filter(assessment=draft_round).delete()
    services.action_delete(action=action, revision=2)
    assert set(stored_readiness(draft_round)) == set(StepKey.values)


def test_the_second_of_two_saves_from_the_same_revision_is_refused(
    draft_round, manager, other_manager
):
    vision = draft_round.vision
    services.vision_update(
        vision=vision, revision=1, statement="First.", has_vision=None, user=manager
    )

    assert refused(
        lambda: services.vision_update(
            vision=vision,
            revision=1,
            statement="Second.",
            has_vision=None,
            user=other_manager,
        )
    ) == [services.STALE_REVISION]
    vision.refresh_from_db()
    assert (vision.statement, vision.revision) == ("First.", 2)


def test_saving_what_is_already_stored_is_not_a_conflict(draft_round, manager):
    vision = draft_round.vision
    services.vision_update(
        vision=vision, revision=1, statement="Same.", has_vision=True, user=manager
    )

    services.vision_update(
        vision=vision, revision=1, statement="Same.", has_vision=True, user=manager
    )

    vision.refresh_from_db()
    assert vision.revision == 2


def test_alignment_ratings_are_saved_all_or_none(draft_round, manager):
    goals, hiring = alignment_questions(1)[:2]
    AlignmentRatingFactory(assessment=draft_round, question=hiring, rating=2)

    assert refused(
        lambda: services.alignment_update(
            assessment=draft_round,
            ratings=[
                services.Rating(question=goals, rating=5, evidence=""),
                services.Rating(question=hiring, rating=4, evidence="", revision=0),
            ],
            user=manager,
        )
    ) == [services.STALE_REVISION]
    assert list(
        AlignmentRating.objects.filter(assessment=draft_round).values_list(
            "question__key", "rating"
        )
    ) == [("hiring", 2)]


def test_a_rating_first_saved_by_someone_else_meanwhile_is_a_conflict(
    draft_round, manager, monkeypatch
):
    goals = alignment_questions(1)[0]
    AlignmentRatingFactory(assessment=draft_round, question=goals, rating=2)
    # The other manager's rating lands between this save's read and its insert.
    monkeypatch.setattr(type(draft_round.alignment_ratings), "all", lambda self: [])

    assert refused(
        lambda: services.alignment_update(
            assessment=draft_round,
            ratings=[services.Rating(question=goals, rating=5, evidence="")],
            user=manager,
        )
    ) == [services.STALE_REVISION]


def test_a_rating_is_updated_over_the_revision_it_was_read_at(draft_round, manager):
    goals = alignment_questions(1)[0]
    rating = AlignmentRatingFactory(assessment=draft_round, question=goals, rating=2)

    services.alignment_update(
        assessment=draft_round,
        ratings=[services.Rating(question=goals, rating=5, evidence="", revision=1)],
        user=manager,
    )

    rating.refresh_from_db()
    assert (rating.rating, rating.revision) == (5, 2)


def test_commitment_is_saved_over_its_revision(draft_round, manager):
    services.commitment_update(
        commitment=draft_round.commitment, revision=1, user=manager, owner="Priya"
    )

    assert refused(
        lambda: services.commitment_update(
            commitment=draft_round.commitment, revision=1, user=manager, owner="Tom"
        )
    ) == [services.STALE_REVISION]


# --- Invitations ------------------------------------------------------------------


@pytest.fixture
def named(team):
    return services.assessment_create(team=team, created_by=None, anonymous=False)


def test_a_named_rounds_invitations_are_emailed_only_when_asked(named, manager):
    [issued] = services.members_invite(
        assessment=named,
        invitees=[services.Invitee(name="Sam", email="sam@example.com")],
        email_links=False,
        sender=manager,
    )

    assert not issued.emailed
    assert not issued.to_hand_out  # has an address: "Send invitations" emails it
    assert issued.invitation.mail_status == MailStatus.NONE


def test_an_anonymous_round_always_emails_the_links(assessment, manager):
    [issued] = services.members_invite(
        assessment=assessment,
        invitees=[services.Invitee(name="Sam", email="sam@example.com")],
        email_links=False,
        sender=manager,
    )

    assert issued.emailed
    assert not issued.to_hand_out
    assert assessment.invitations.mail_pending().count() == 1


def test_an_anonymous_round_refuses_people_without_an_email_address(
    assessment, manager
):
    def invite():
        services.members_invite(
            assessment=assessment,
            invitees=[
                services.Invitee(email="sam@example.com"),
                services.Invitee(name="Jo Park"),
            ],
            email_links=True,
            sender=manager,
        )

    assert refused(invite) == [
        services.EMAIL_NEEDED.format(names="Jo Park", have="has")
    ]
    assert not Invitation.objects.exists()


def test_an_anonymous_round_refuses_its_managers_addresses(assessment, manager):
    co_manager = UserFactory(email="Lead.Person@Gmail.com")
    assessment.team.managers.add(co_manager)

    def invite():
        services.members_invite(
            assessment=assessment,
            invitees=[
                services.Invitee(email="leadperson+team@googlemail.com"),
                services.Invitee(email=manager.email.upper()),
            ],
            email_links=True,
            sender=manager,
        )

    assert refused(invite) == [
        services.MANAGER_CANNOT_ANSWER.format(
            emails=", ".join(sorted([co_manager.email, manager.email])),
            manages="manage",
        )
    ]
    assert not Invitation.objects.exists()


def test_a_named_round_may_invite_its_manager(named, manager):
    services.members_invite(
        assessment=named,
        invitees=[services.Invitee(email=manager.email)],
        email_links=True,
        sender=manager,
    )

    assert named.invitations.get().normalized_email == manager.email


@pytest.mark.parametrize(
    ("invited", "again"),
    [
        ("sam@example.com", "SAM@Example.com"),
        ("sam@example.com", "sam+survey@example.com"),
        ("sam.lee@gmail.com", "SamLee@googlemail.com"),
        ("s.a.m+x@googlemail.com", "sam@gmail.com"),
    ],
)
def test_one_person_cannot_be_invited_twice_under_two_spellings(
    assessment, manager, invited, again
):
    def invite(email):
        return services.members_invite(
            assessment=assessment,
            invitees=[services.Invitee(email=email)],
            email_links=True,
            sender=manager,
        )

    invite(invited)

    assert refused(lambda: invite(again)) == [
        services.ALREADY_INVITED.format(emails=invited)
    ]
    assert assessment.invitations.count() == 1


def test_the_database_refuses_a_second_invitation_for_one_person(assessment):
    InvitationFactory(assessment=assessment, email="sam.lee@gmail.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(assessment=assessment, email="SamLee+2@googlemail.com")
    InvitationFactory(email="samlee@gmail.com")  # another round


def test_a_refused_race_is_reported_as_already_invited(
    assessment, manager, monkeypatch
):
    """The check before inserting misses a row another request has just added:
    the constraint refuses it, and the error names who was already invited."""
    invitations = services_invitations.invitations_create

    def someone_else_first(**kwargs):
        InvitationFactory(assessment=assessment, email="sam@example.com")
        return invitations(**kwargs)

    monkeypatch.setattr(services_invitations, "invitations_create", someone_else_first)

    assert refused(
        lambda: services.members_invite(
            assessment=assessment,
            invitees=[
                services.Invitee(email="jo@example.com"),
                services.Invitee(email="Sam@example.com"),
            ],
            email_links=True,
            sender=manager,
        )
    ) == [services.ALREADY_INVITED.format(emails="sam@example.com")]
    assert not assessment.invitations.filter(email="jo@example.com").exists()


def test_an_emailed_link_starts_with_the_site_address(
    assessment, manager, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://service.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        services.members_invite(
            assessment=assessment,
            invitees=[services.Invitee(name="Sam", email="sam@example.com")],
            email_links=True,
            sender=manager,
        )

    assert re.search(r"https://service\.example\.com/r/[\w-]+/", mailoutbox[0].body)


def test_revoked_invitations_are_not_sent_or_counted_as_taken(
    assessment, manager, mailoutbox
):
    InvitationFactory(
        assessment=assessment,
        email="sam@example.com",
        status=Invitation.Status.REVOKED,
    )

    assert services.invitations_send(assessment=assessment, sender=manager) == 0
    services.members_invite(
        assessment=assessment,
        invitees=[services.Invitee(email="sam@example.com")],
        email_links=False,
        sender=manager,
    )
    assert assessment.invitations.live().count() == 1


def test_reminding_reissues_the_link_and_records_when(
    assessment, manager, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(assessment=assessment, email="sam@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        reminded = services.invitations_remind(assessment=assessment, sender=manager)

    assert reminded == 1

    invitation_after = Invitation.objects.get(pk=invitation.pk)
    assert invitation_after.token_hash != invitation.token_hash
    assert invitation_after.reminded_at is not None
    assert invitation_after.sent_at is None


def test_reminding_skips_those_whose_answers_wait_for_their_release(
    assessment, manager
):
    waiting = InvitationFactory(assessment=assessment, email="sam@example.com")
    answered = InvitationFactory(assessment=assessment, email="kim@example.com")
    services.response_submit(
        link=links.link_lookup(answered.token),
        token=answered.token,
        answers={"vision": "Fix it first time."},
    )

    reminded = services.invitations_remind(assessment=assessment, sender=manager)

    assert reminded == 1
    assert list(
        Invitation.objects.filter(mail_kind=MailKind.REMINDER).values_list(
            "pk", flat=True
        )
    ) == [waiting.pk]


def reissue(invitation, manager):
    return services.invitation_reissue(invitation=invitation, sender=manager)


def test_reissuing_in_an_anonymous_round_emails_the_link_and_keeps_the_counts(
    assessment, manager
):
    answered = InvitationFactory(
        assessment=assessment,
        email="sam@example.com",
        status=Invitation.Status.RESPONDED,
        mail_status=MailStatus.SENT,
    )
    ResponseFactory(assessment=assessment)

    issued = reissue(answered, manager)

    answered.refresh_from_db()
    assert issued.emailed
    assert not issued.to_hand_out
    assert answered.status == Invitation.Status.RESPONDED
    assert answered.token_hash == tokens.invitation_hash(issued.token)
    assert answered.token_hash != tokens.invitation_hash(answered.token)
    assert (answered.mail_status, answered.mail_kind) == (
        MailStatus.QUEUED,
        MailKind.INVITATION,
    )
    assert Response.objects.count() == 1


def test_an_anonymous_round_has_no_link_to_reissue_without_an_address(
    assessment, manager
):
    invitation = InvitationFactory(assessment=assessment, name="Jo Park")

    assert refused(lambda: reissue(invitation, manager)) == [
        services.NO_ADDRESS_TO_SEND.format(person="Jo Park")
    ]
    invitation.refresh_from_db()
    assert invitation.token_hash == tokens.invitation_hash(invitation.token)


def test_reissuing_in_a_named_round_moves_the_answers_to_the_new_link(named, manager):
    invitation = InvitationFactory(assessment=named)
    response = ResponseFactory(
        assessment=named,
        invitation=invitation,
        respondent_key=tokens.respondent_key(invitation.token),
    )

    issued = reissue(invitation, manager)

    assert issued.to_hand_out
    response.refresh_from_db()
    assert response.respondent_key == tokens.respondent_key(issued.token)


def test_a_closed_round_reissues_nothing(assessment, manager):
    invitation = InvitationFactory(assessment=assessment)
    services.assessment_close(assessment=assessment)

    assert refused(lambda: reissue(invitation, manager)) == [services.ROUND_CLOSED]


def test_revoking_stops_the_link_and_frees_the_address(assessment, manager):
    invitation = InvitationFactory(
        assessment=assessment,
        email="sam@example.com",
        status=Invitation.Status.RESPONDED,
    )
    ResponseFactory(assessment=assessment)

    services.invitation_revoke(invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert invitation.normalized_email == ""
    assert Response.objects.count() == 1
    services.members_invite(
        assessment=assessment,
        invitees=[services.Invitee(email="sam@example.com")],
        email_links=True,
        sender=manager,
    )
    assert assessment.invitations.live().count() == 1


def test_printed_codes_are_invitations_without_a_name_or_an_address(assessment):
    codes = services.invitation_codes_create(assessment=assessment, count=3)

    assert len(set(codes)) == 3
    assert all(re.fullmatch(r"[A-HJKMNP-Z2-9]{12}", code) for code in codes)
    assert sorted(
        assessment.invitations.values_list("token_hash", flat=True)
    ) == sorted(tokens.invitation_hash(code) for code in codes)
    assert set(assessment.invitations.values_list("name", "email")) == {("", "")}


@pytest.mark.parametrize("count", [0, services.MAX_CODES + 1])
def test_printed_codes_come_a_few_hundred_at_most(assessment, count):
    assert refused(
        lambda: services.invitation_codes_create(assessment=assessment, count=count)
    ) == [services.CODES_RANGE]
    assert not Invitation.objects.exists()
