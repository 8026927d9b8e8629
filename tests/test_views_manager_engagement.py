"""Step 2: inviting the team, links shown once, emails, reminders, printed codes,
participation."""

import re
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from assessments import services, throttle, tokens
from assessments.forms import (
    BAD_EMAIL_LINE,
    MAX_MEMBERS_PER_PASTE,
    NAME_OR_EMAIL,
    REPEATED_EMAIL_LINE,
    TOO_MANY_MEMBERS,
)
from assessments.models import Assessment, Invitation, MailKind, MailStatus
from assessments.views.codes import NO_SUCH_CODE
from assessments.views.manager import (
    CODES_SHOWN_ONCE,
    EMAIL_RETRYING,
    INVITATION_REVOKED,
    LINK_REISSUED,
    LINK_REISSUED_BY_EMAIL,
)
from tests.factories import InvitationFactory, ResponseFactory
from tests.queries import writes

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver/r/([\w-]+)/")


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def url(name: str, round_: Assessment, *args) -> str:
    return reverse(f"assessments:{name}", args=(round_.pk, *args))


def links_on(page: str) -> list[str]:
    return LINK.findall(page)


def people_list(page: str) -> str:
    start = page.index('aria-label="People invited"')
    return page[start : page.index("</ul>", start)]


@pytest.fixture
def named_round(team, manager):
    return services.assessment_create(
        team=team, created_by=manager, title="Named check-in", anonymous=False
    )


def test_a_named_rounds_member_without_email_has_their_link_shown_once(
    manager_client, named_round
):
    response = manager_client.post(
        url("invitation_add", named_round), {"name": "Sam Lee"}, follow=True
    )

    page = response.content.decode()
    assert messages_of(response) == ["Added 1 person."]
    [token] = links_on(page)
    invitation = Invitation.objects.get(assessment=named_round)
    assert invitation.token_hash == tokens.invitation_hash(token)
    assert 'data-copy-target="link-' in page
    assert "cannot be shown again" in page
    assert "each person's name is shown beside their answers" in page
    assert (
        links_on(manager_client.get(url("engagement", named_round)).content.decode())
        == []
    )


def test_a_named_rounds_member_with_an_email_is_never_shown_their_link(
    manager_client, named_round
):
    response = manager_client.post(
        url("invitation_add", named_round),
        {"name": "Sam Lee", "email": "sam@example.com"},
        follow=True,
    )

    assert messages_of(response) == [
        "Added 1 person. 1 of them has an email address: “Send invitations” emails "
        "their link."
    ]
    assert links_on(response.content.decode()) == []


def test_a_member_with_an_email_is_sent_their_link_once_the_request_is_done(
    manager_client, assessment, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        response = manager_client.post(
            url("invitation_add", assessment),
            {"name": "Sam Lee", "email": "Sam@Example.com", "email_link": "on"},
        )
        assert mailoutbox == []

    assert len(enqueued) == 1
    response = manager_client.get(response.url)
    assert messages_of(response) == [
        "Added 1 person. Emailing 1 of them their link: the list below shows how it "
        "goes."
    ]
    assert links_on(response.content.decode()) == []
    assert "1 of 1 email sent." in response.content.decode()
    [email] = mailoutbox
    assert email.to == ["sam@example.com"]
    assert email.reply_to == [manager.email]
    assert (
        email.subject
        == f"{assessment.team.name}: three questions about customer service"
    )
    [token] = links_on(email.body)
    assert "This round is anonymous" in email.body
    invitation = Invitation.objects.get(assessment=assessment)
    assert invitation.token_hash == tokens.invitation_hash(token)
    assert invitation.sent_at is not None
    assert invitation.mail_status == MailStatus.SENT
    assert manager_client.get(f"/r/{token}/").status_code == HTTPStatus.OK


def test_a_draft_rounds_invitations_wait_for_it_to_open(
    manager_client, named_round, mailoutbox, django_capture_on_commit_callbacks
):
    draft_round = named_round
    pasted = "Sam Lee <sam@example.com>\nJo Park"
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            url("invitation_paste", draft_round),
            {"members": pasted, "email_link": "on"},
        )
    page = manager_client.get(response.url)

    assert messages_of(page) == [
        "Added 2 people. 1 of them will be emailed their link when you open the round."
    ]
    html = page.content.decode()
    assert len(links_on(html)) == 1  # Jo's, who has no address
    assert "1 email waits for the round to open: it goes out when you open it." in html
    assert "Email waits for the round to open" in people_list(html)
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        opened = manager_client.post(url("assessment_open", draft_round), follow=True)

    assert messages_of(opened) == [
        "The round is open: team members' links work from now on. The 1 emails that "
        "were waiting are on their way."
    ]
    [email] = mailoutbox
    assert email.to == ["sam@example.com"]


def test_a_member_needs_a_name_or_an_email(manager_client, draft_round):
    response = manager_client.post(url("invitation_add", draft_round), {"name": ""})

    assert response.status_code == HTTPStatus.OK
    assert response.context["member_form"].non_field_errors() == [NAME_OR_EMAIL]


def test_a_pasted_list_reads_every_usual_format(manager_client, named_round):
    draft_round = named_round
    pasted = "\n".join(
        [
            "Sam Lee <sam@example.com>",
            '"Kim, Alex" <alex@example.com>',
            "Jo Park, JO@example.com",
            "Rui Costa\trui@example.com",
            "",
            "Mia Chen",
            "Chen, Wei",
            "lee@example.com",
        ]
    )

    response = manager_client.post(
        url("invitation_paste", draft_round), {"members": pasted}, follow=True
    )

    assert messages_of(response) == [
        "Added 7 people. 5 of them have an email address: “Send invitations” emails "
        "their links."
    ]
    assert list(
        Invitation.objects.filter(assessment=draft_round).values_list("name", "email")
    ) == [
        ("Sam Lee", "sam@example.com"),
        ("Kim, Alex", "alex@example.com"),
        ("Jo Park", "jo@example.com"),
        ("Rui Costa", "rui@example.com"),
        ("Mia Chen", ""),
        ("Chen, Wei", ""),
        ("", "lee@example.com"),
    ]
    assert len(links_on(response.content.decode())) == 2  # those without an email


def test_a_pasted_list_with_bad_lines_adds_nobody_and_names_each_line(
    manager_client, draft_round
):
    pasted = "Sam Lee <sam@example>\nJo Park, jo@example.com\nMia, jo@example.com"

    response = manager_client.post(
        url("invitation_paste", draft_round), {"members": pasted}
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["list_form"].errors["members"] == [
        BAD_EMAIL_LINE.format(number=1, email="sam@example"),
        REPEATED_EMAIL_LINE.format(number=3, email="jo@example.com", first=2),
    ]
    assert not Invitation.objects.exists()
    assert "Jo Park, jo@example.com" in response.content.decode()


def test_a_pasted_list_refuses_control_characters(manager_client, draft_round):
    response = manager_client.post(
        url("invitation_paste", draft_round), {"members": "Sam\x00 Lee"}
    )

    assert (
        "Null characters are not allowed."
        in (response.context["list_form"].errors["members"])
    )


def test_someone_already_invited_is_not_invited_twice(manager_client, draft_round):
    InvitationFactory(assessment=draft_round, email="sam@example.com")

    response = manager_client.post(
        url("invitation_add", draft_round), {"email": "SAM@example.com"}
    )

    assert response.context["member_form"].non_field_errors() == [
        services.ALREADY_INVITED.format(emails="sam@example.com")
    ]
    assert Invitation.objects.count() == 1


def test_an_anonymous_round_shows_counts_and_never_who_answered(
    manager_client, assessment
):
    InvitationFactory(assessment=assessment, name="Sam Lee")
    InvitationFactory(
        assessment=assessment, name="Jo Park", status=Invitation.Status.RESPONDED
    )
    ResponseFactory(assessment=assessment)

    response = manager_client.get(url("engagement", assessment))

    page = response.content.decode()
    assert (response.context["invited"], response.context["answered"]) == (2, 1)
    assert "50%" in page
    people = people_list(page)
    assert "Sam Lee" in people
    assert Invitation.Status.RESPONDED.label not in people
    assert Invitation.Status.PENDING.label not in people


def test_a_named_round_shows_who_has_answered(manager_client, team):
    named = services.assessment_create(team=team, created_by=None, anonymous=False)
    InvitationFactory(assessment=named, name="Sam Lee")
    InvitationFactory(
        assessment=named, name="Jo Park", status=Invitation.Status.RESPONDED
    )

    page = manager_client.get(url("engagement", named)).content.decode()

    people = people_list(page)
    assert Invitation.Status.RESPONDED.label in people
    assert Invitation.Status.PENDING.label in people


def test_reissuing_a_link_replaces_the_old_one(manager_client, named_round):
    services.assessment_open(assessment=named_round)
    assessment = named_round
    invitation = InvitationFactory(assessment=assessment, name="Sam Lee")

    response = manager_client.post(
        url("invitation_reissue", assessment, invitation.pk), follow=True
    )

    assert messages_of(response) == [LINK_REISSUED.format(person="Sam Lee")]
    [token] = links_on(response.content.decode())
    assert token != invitation.token
    assert manager_client.get(f"/r/{invitation.token}/").status_code == (
        HTTPStatus.NOT_FOUND
    )
    assert manager_client.get(f"/r/{token}/").status_code == HTTPStatus.OK
    assert (response.context["invited"], response.context["answered"]) == (1, 0)


def test_sending_invitations_emails_fresh_links_to_those_not_sent_one(
    manager_client, assessment, mailoutbox, django_capture_on_commit_callbacks
):
    copied = InvitationFactory(assessment=assessment, email="sam@example.com")
    InvitationFactory(assessment=assessment, email="")

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url("invitations_send", assessment))

    assert messages_of(response) == ["Emailing a link to 1 person."]
    [email] = mailoutbox
    [token] = links_on(email.body)
    copied.refresh_from_db()
    assert copied.token_hash == tokens.invitation_hash(token)
    assert copied.sent_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        again = manager_client.post(url("invitations_send", assessment))
    assert messages_of(again)[-1] == "Emailing links to 0 people."
    assert len(mailoutbox) == 1


def test_sending_invitations_in_a_draft_says_they_wait(
    manager_client, draft_round, mailoutbox, django_capture_on_commit_callbacks
):
    InvitationFactory(assessment=draft_round, email="sam@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url("invitations_send", draft_round))

    assert messages_of(response) == [
        "A link will be emailed to 1 person when you open the round."
    ]
    assert mailoutbox == []


def test_reminders_go_to_those_who_have_not_answered(
    manager_client, assessment, mailoutbox, django_capture_on_commit_callbacks
):
    InvitationFactory(assessment=assessment, email="waiting@example.com")
    InvitationFactory(
        assessment=assessment,
        email="done@example.com",
        status=Invitation.Status.RESPONDED,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url("invitations_remind", assessment))

    assert messages_of(response) == ["Reminding 1 person who has not answered yet."]
    [email] = mailoutbox
    assert email.to == ["waiting@example.com"]
    assert email.subject.startswith("Reminder: ")
    assert "It replaces any link you were sent before" in email.body


def test_a_draft_round_sends_no_reminders(manager_client, draft_round, mailoutbox):
    InvitationFactory(assessment=draft_round, email="waiting@example.com")

    response = manager_client.post(url("invitations_remind", draft_round))

    assert messages_of(response) == [services.ROUND_NOT_OPEN]
    assert mailoutbox == []


def test_a_closed_round_invites_nobody(manager_client, team):
    closed = services.assessment_create(team=team, created_by=None)
    services.assessment_open(assessment=closed)
    services.assessment_close(assessment=closed)

    response = manager_client.post(url("invitation_add", closed), {"name": "Sam"})

    assert response.context["member_form"].non_field_errors() == [services.ROUND_CLOSED]
    page = manager_client.get(url("engagement", closed)).content.decode()
    assert "Add team members" not in page
    assert "Re-issue link" not in page


def test_a_named_rounds_answers_stay_editable_with_a_reissued_link(
    manager_client, team
):
    named = services.assessment_create(team=team, created_by=None, anonymous=False)
    services.assessment_open(assessment=named)
    invitation = InvitationFactory(assessment=named, status=Invitation.Status.RESPONDED)
    ResponseFactory(
        assessment=named,
        invitation=invitation,
        respondent_key=tokens.respondent_key(invitation.token),
        vision_answer="Fix it first time.",
    )

    response = manager_client.post(
        url("invitation_reissue", named, invitation.pk), follow=True
    )
    [token] = links_on(response.content.decode())

    survey = manager_client.get(f"/r/{token}/")
    assert "Fix it first time." in survey.content.decode()


@pytest.mark.parametrize("members", [2, 30])
def test_step_two_runs_a_fixed_number_of_queries(
    manager_client, assessment, django_assert_num_queries, members
):
    """Session, user, round, invitations, answers counted, step results."""
    InvitationFactory.create_batch(members, assessment=assessment)

    with django_assert_num_queries(6) as captured:
        response = manager_client.get(url("engagement", assessment))

    assert response.context["invited"] == members
    assert writes(captured) == []


# --- Where email stands ---------------------------------------------------------------


def mail_state(assessment, email, status, **fields):
    return InvitationFactory(
        assessment=assessment,
        email=email,
        **{"mail_status": status, "mail_kind": MailKind.INVITATION, **fields},
    )


def test_the_page_says_where_sending_stands_in_counts(manager_client, assessment):
    for n in range(3):
        mail_state(assessment, f"sent{n}@example.com", MailStatus.SENT)
    mail_state(assessment, "queued@example.com", MailStatus.QUEUED)
    mail_state(
        assessment,
        "greylisted@example.com",
        MailStatus.QUEUED,
        mail_attempts=1,
        mail_error="451 4.7.1 Greylisted",
        mail_retry_at=timezone.now(),
    )
    mail_state(
        assessment, "gone@example.com", MailStatus.FAILED, mail_error="550 No such user"
    )
    InvitationFactory(assessment=assessment, email="")

    page = manager_client.get(url("engagement", assessment)).content.decode()

    assert "3 of 6 emails sent; 1 on their way; 1 failed, retrying; 1 failed." in page
    people = people_list(page)
    assert "Invitation not delivered yet (451 4.7.1 Greylisted): trying again" in people
    assert "Invitation failed: 550 No such user" in people
    assert "Retry the email" in people
    assert "Retry the failed emails" in page


def test_a_failed_email_is_retried_from_the_page(
    manager_client, assessment, mailoutbox, django_capture_on_commit_callbacks
):
    failed = mail_state(assessment, "sam@example.com", MailStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            url("invitation_email_retry", assessment, failed.pk), follow=True
        )

    assert messages_of(response) == [EMAIL_RETRYING.format(person=failed)]
    assert "0 of 1 email sent; 1 on their way." in response.content.decode()
    assert len(mailoutbox) == 1
    page = manager_client.get(url("engagement", assessment)).content.decode()
    assert "1 of 1 email sent." in page


def test_every_failed_email_is_retried_at_once(
    manager_client, assessment, mailoutbox, django_capture_on_commit_callbacks
):
    mail_state(assessment, "a@example.com", MailStatus.FAILED)
    mail_state(assessment, "b@example.com", MailStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            url("invitations_email_retry", assessment), follow=True
        )

    assert messages_of(response) == ["Trying 2 failed emails again."]
    assert len(mailoutbox) == 2


def test_an_anonymous_round_never_shows_who_is_being_reminded(
    manager_client, assessment
):
    reminded = mail_state(
        assessment,
        "waiting@example.com",
        MailStatus.FAILED,
        mail_kind=MailKind.REMINDER,
        sent_at=timezone.now(),
    )

    page = manager_client.get(url("engagement", assessment)).content.decode()

    people = people_list(page)
    assert "Reminder" not in people
    assert "Retry the email" not in people
    assert "Link emailed" in people
    assert "Retry the failed emails" in page  # counts only
    response = manager_client.post(
        url("invitation_email_retry", assessment, reminded.pk)
    )
    assert messages_of(response) == [services.NOTHING_TO_RETRY]


def test_a_named_round_shows_each_reminder(manager_client, team):
    named = services.assessment_create(team=team, created_by=None, anonymous=False)
    services.assessment_open(assessment=named)
    mail_state(
        named,
        "waiting@example.com",
        MailStatus.FAILED,
        mail_kind=MailKind.REMINDER,
        mail_error="550 No such user",
    )

    page = manager_client.get(url("engagement", named)).content.decode()

    assert "Reminder failed: 550 No such user" in people_list(page)


@pytest.mark.parametrize("members", [2, 30])
def test_step_two_with_email_in_every_state_runs_the_same_queries(
    manager_client, assessment, django_assert_num_queries, members
):
    """Where email stands is counted from the invitations the page lists."""
    for n in range(members):
        mail_state(assessment, f"p{n}@example.com", MailStatus.values[n % 5])

    with django_assert_num_queries(6):
        response = manager_client.get(url("engagement", assessment))

    assert response.context["mail"].total == members - -(-members // 5)


def test_a_thousand_people_can_be_pasted_at_once_and_no_more(
    manager_client, assessment
):
    lines = [f"Person {n} <p{n}@example.com>" for n in range(MAX_MEMBERS_PER_PASTE)]

    too_many = manager_client.post(
        url("invitation_paste", assessment),
        {"members": "\n".join([*lines, "One more"]), "email_link": "on"},
    )
    assert too_many.context["list_form"].errors["members"] == [
        TOO_MANY_MEMBERS.format(limit=MAX_MEMBERS_PER_PASTE)
    ]

    manager_client.post(
        url("invitation_paste", assessment),
        {"members": "\n".join(lines), "email_link": "on"},
    )
    assert assessment.invitations.mail_pending().count() == MAX_MEMBERS_PER_PASTE


# --- Anonymous rounds: links by email only ----------------------------------------


def test_an_anonymous_round_offers_no_choice_about_emailing_links(
    manager_client, draft_round
):
    response = manager_client.get(url("engagement", draft_round))

    assert "email_link" not in response.context["member_form"].fields
    assert "email_link" not in response.context["list_form"].fields
    assert "Email them their link now" not in response.content.decode()
    assert "Email address (optional)" not in response.content.decode()


def test_an_anonymous_round_asks_for_an_email_beside_the_field(
    manager_client, draft_round
):
    one = manager_client.post(url("invitation_add", draft_round), {"name": "Jo Park"})
    pasted = manager_client.post(
        url("invitation_paste", draft_round),
        {"members": "Sam Lee <sam@example.com>\nJo Park\nMia Chen"},
    )

    assert one.status_code == pasted.status_code == HTTPStatus.OK
    assert one.context["member_form"].errors["email"] == [
        services.EMAIL_NEEDED.format(names="Jo Park", have="has")
    ]
    assert pasted.context["list_form"].errors["members"] == [
        services.EMAIL_NEEDED.format(names="Jo Park, Mia Chen", have="have")
    ]
    assert "print codes instead" in pasted.content.decode()
    assert not Invitation.objects.exists()


def test_an_anonymous_round_refuses_a_managers_address_beside_the_field(
    manager_client, draft_round, manager
):
    local, domain = manager.email.split("@")

    response = manager_client.post(
        url("invitation_add", draft_round), {"email": f"{local}+me@{domain}"}
    )

    assert response.context["member_form"].errors["email"] == [
        services.MANAGER_CANNOT_ANSWER.format(emails=manager.email, manages="manages")
    ]
    assert not Invitation.objects.exists()


def test_two_spellings_of_one_address_in_a_paste_are_named_by_line(
    manager_client, draft_round
):
    response = manager_client.post(
        url("invitation_paste", draft_round),
        {"members": "Sam Lee <sam.lee@gmail.com>\nSam <SamLee+work@googlemail.com>"},
    )

    assert response.context["list_form"].errors["members"] == [
        REPEATED_EMAIL_LINE.format(
            number=2, email="samlee+work@googlemail.com", first=1
        )
    ]
    assert not Invitation.objects.exists()


def test_reissuing_in_an_anonymous_round_emails_the_new_link(
    manager_client, assessment, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(
        assessment=assessment, name="Sam Lee", email="sam@example.com"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            url("invitation_reissue", assessment, invitation.pk), follow=True
        )

    assert messages_of(response) == [LINK_REISSUED_BY_EMAIL.format(person="Sam Lee")]
    assert links_on(response.content.decode()) == []
    [email] = mailoutbox
    [token] = links_on(email.body)
    assert manager_client.get(f"/r/{invitation.token}/").status_code == (
        HTTPStatus.NOT_FOUND
    )
    assert manager_client.get(f"/r/{token}/").status_code == HTTPStatus.OK


def test_removing_someone_stops_their_link_and_leaves_the_answers_counted(
    manager_client, assessment
):
    InvitationFactory(assessment=assessment, email="jo@example.com")
    sam = InvitationFactory(
        assessment=assessment, name="Sam Lee", email="sam@example.com"
    )
    ResponseFactory(assessment=assessment)

    response = manager_client.post(
        url("invitation_revoke", assessment, sam.pk), follow=True
    )

    assert messages_of(response) == [INVITATION_REVOKED.format(person="Sam Lee")]
    assert (response.context["invited"], response.context["answered"]) == (1, 1)
    assert "Sam Lee" not in people_list(response.content.decode())
    assert manager_client.get(f"/r/{sam.token}/").status_code == HTTPStatus.NOT_FOUND
    again = manager_client.post(
        url("invitation_add", assessment), {"email": "sam@example.com"}
    )
    assert again.status_code == HTTPStatus.FOUND


def test_a_closed_round_removes_nobody(manager_client, assessment):
    invitation = InvitationFactory(assessment=assessment, email="sam@example.com")
    services.assessment_close(assessment=assessment)

    response = manager_client.post(url("invitation_revoke", assessment, invitation.pk))

    assert messages_of(response) == [services.ROUND_CLOSED]
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


# --- Printed codes --------------------------------------------------------------------

CODE_ON_SHEET = re.compile(r">([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})<")


def print_codes(client, assessment, count):
    response = client.post(url("invitation_codes_create", assessment), {"count": count})
    assert response.url == url("invitation_codes", assessment)
    return client.get(response.url)


def test_printed_codes_are_shown_once_on_a_sheet_that_names_nobody(
    manager_client, assessment, django_assert_num_queries
):
    InvitationFactory(assessment=assessment, name="Sam Lee", email="sam@example.com")
    response = manager_client.post(
        url("invitation_codes_create", assessment), {"count": 20}
    )

    # Session, user, round; the codes leave the session (its update, in a
    # savepoint).
    with django_assert_num_queries(6) as captured:
        sheet = manager_client.get(response.url)

    page = sheet.content.decode()
    codes = CODE_ON_SHEET.findall(page)
    assert len(set(codes)) == 20
    assert len(links_on(page)) == 20
    assert "Sam Lee" not in page
    assert "sam@example.com" not in page
    assert "css/print.css" in page
    assert "http://testserver/s/" in page
    printed = [tokens.invitation_hash(code.replace("-", "")) for code in codes]
    made = list(
        assessment.invitations.filter(email="")
        .order_by("pk")
        .values_list("token_hash", flat=True)
    )
    assert sorted(printed) == sorted(made)
    assert printed != made  # shuffled
    assert [sql.split()[0] for sql in writes(captured)] == ["UPDATE"]  # the session

    again = manager_client.get(response.url, follow=True)
    assert CODE_ON_SHEET.findall(again.content.decode()) == []
    assert messages_of(again) == [CODES_SHOWN_ONCE]


def test_the_engagement_page_counts_printed_codes_without_listing_them(
    manager_client, assessment
):
    print_codes(manager_client, assessment, 3)
    InvitationFactory(assessment=assessment, name="Sam Lee", email="sam@example.com")

    response = manager_client.get(url("engagement", assessment))

    page = response.content.decode()
    assert (response.context["invited"], response.context["codes"]) == (4, 3)
    assert people_list(page).count("list-group-item") == 1
    assert "never count toward the group sizes" in page


def test_asking_for_too_many_codes_says_so_beside_the_field(manager_client, assessment):
    response = manager_client.post(
        url("invitation_codes_create", assessment), {"count": services.MAX_CODES + 1}
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["codes_form"].errors["count"] == [
        f"Ensure this value is less than or equal to {services.MAX_CODES}."
    ]
    assert not Invitation.objects.exists()


def test_someone_types_their_code_to_reach_their_survey(
    client, manager_client, assessment, django_assert_num_queries
):
    sheet = print_codes(manager_client, assessment, 1)
    [code] = CODE_ON_SHEET.findall(sheet.content.decode())
    entry = reverse("assessments:code_entry")

    with django_assert_num_queries(0):
        page = client.get(entry)
    with django_assert_num_queries(1):  # the link, as the survey reads it
        response = client.post(entry, {"code": f" {code.lower().replace('-', ' ')} "})

    assert page.status_code == HTTPStatus.OK
    assert response.status_code == HTTPStatus.FOUND
    survey = client.get(response.url)
    assert survey.status_code == HTTPStatus.OK
    assert "What is the customer service vision?" in survey.content.decode()


def test_a_wrong_code_is_told_beside_the_field_and_guessing_is_throttled(
    client, assessment
):
    InvitationFactory(assessment=assessment)
    entry = reverse("assessments:code_entry")

    wrong = client.post(entry, {"code": "ABCD-EFGH-JKMN"})
    assert wrong.status_code == HTTPStatus.OK
    assert wrong.context["form"].errors["code"] == [NO_SUCH_CODE]

    for _ in range(throttle.FAILED_LOOKUPS_ALLOWED):
        response = client.post(entry, {"code": "ABCD-EFGH-JKMN"})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response["Retry-After"] == str(throttle.WINDOW_SECONDS)
