"""Attacks on an anonymous round by those who run it, through the pages they use.

A manager or co-manager who held a working personal link could open it and see
whether its person has answered (and what); one who could invite people
without an email address, or under their own address, could answer for them
and make up the minimum group that shields one real person's answers.
"""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from assessments import links, services, tokens
from assessments.models import Invitation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/r/([\w-]+)/")
ANSWERS = {
    "vision": "Fix it on the first contact and explain it plainly.",
    "meaning": "A wrong bill is corrected before we hang up.",
    "contribution": "I read the corrected balance back to the customer.",
}


def url(name: str, round_, *args) -> str:
    return reverse(f"assessments:{name}", args=(round_.pk, *args))


def working_links(html: str) -> list[str]:
    """The tokens in a page that open a survey."""
    return [token for token in LINK.findall(html) if links.link_lookup(token)]


def people_rows(html: str) -> list[str]:
    start = html.index('aria-label="People invited"')
    listed = html[start : html.index("</ul>", start)]
    return re.findall(r"<li .*?</li>", listed, re.DOTALL)


def anonymous_row(row: str, invitation: Invitation) -> str:
    """A row of the people list with what names its person blanked out."""
    for text in (invitation.name, invitation.email, f"engagement/{invitation.pk}/"):
        row = row.replace(text, "…")
    return row


@pytest.fixture
def anonymous_round(team, manager):
    round_ = services.assessment_create(
        team=team,
        created_by=manager,
        min_group_for_scores=5,
        min_group_for_verbatims=5,
    )
    services.assessment_open(assessment=round_)
    return round_


@pytest.fixture
def co_manager_client(client, team):
    co_manager = UserFactory()
    team.managers.add(co_manager)
    client.force_login(co_manager)
    return client


def test_a_manager_never_holds_a_working_link_in_an_anonymous_round(
    manager_client,
    anonymous_round,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    shown = []  # the links that worked on each page, as it was shown

    def visit(name, data=None, *args):
        with django_capture_on_commit_callbacks(execute=True):
            response = manager_client.post(
                url(name, anonymous_round, *args), data or {}, follow=True
            )
            shown.append(working_links(response.content.decode()))

    # "Email their link" unticked is no longer a way to be shown it.
    visit("invitation_add", {"name": "Sam Lee", "email": "sam@example.com"})
    visit("invitation_paste", {"members": "Jo Park <jo@example.com>"})
    sam = Invitation.objects.get(email="sam@example.com")
    visit("invitation_reissue", None, sam.pk)
    visit("invitations_send")
    visit("invitations_remind")
    page = manager_client.get(url("engagement", anonymous_round))
    shown.append(working_links(page.content.decode()))

    assert shown == [[]] * 6
    emailed = {email.to[0]: LINK.findall(email.body)[0] for email in mailoutbox}
    assert set(emailed) == {"sam@example.com", "jo@example.com"}
    assert all(links.link_lookup(token) for token in emailed.values())


def test_neither_reissuing_nor_reminding_tells_a_co_manager_who_has_answered(
    co_manager_client,
    anonymous_round,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """Re-issuing used to show the new link: opened, it said whether its person
    had answered. Reminders, and the list itself, must not tell either."""
    with django_capture_on_commit_callbacks(execute=True):
        co_manager_client.post(
            url("invitation_paste", anonymous_round),
            {
                "members": "Sam Lee <sam@example.com>\nJo Park <jo@example.com>",
                "email_link": "on",
            },
        )
    sam, jo = Invitation.objects.order_by("pk")
    [sams_link] = LINK.findall(mailoutbox[0].body)
    assert mailoutbox[0].to == ["sam@example.com"]
    co_manager_client.post(reverse("assessments:survey", args=(sams_link,)), ANSWERS)

    with django_capture_on_commit_callbacks(execute=True):
        co_manager_client.post(url("invitations_remind", anonymous_round))
    page = co_manager_client.get(url("engagement", anonymous_round))
    sams_row, jos_row = people_rows(page.content.decode())
    assert anonymous_row(sams_row, sam) == anonymous_row(jos_row, jo)
    assert "emind" not in sams_row + jos_row
    assert (page.context["invited"], page.context["answered"]) == (2, 1)

    for person in (sam, jo):
        with django_capture_on_commit_callbacks(execute=True):
            reissued = co_manager_client.post(
                url("invitation_reissue", anonymous_round, person.pk), follow=True
            )
        assert working_links(reissued.content.decode()) == []
    page = co_manager_client.get(url("engagement", anonymous_round))
    sams_row, jos_row = people_rows(page.content.decode())
    assert anonymous_row(sams_row, sam) == anonymous_row(jos_row, jo)
    assert [email.to for email in mailoutbox[-2:]] == [[sam.email], [jo.email]]


def test_removing_someone_does_not_tell_whether_they_had_answered(
    manager_client, team, manager, mailoutbox, django_capture_on_commit_callbacks
):
    """Two rounds alike but for who answered: removing that person, or the other,
    leaves every count on the round's pages and the team's page the same."""
    seen = []
    for answering in (0, 1):
        round_ = services.assessment_create(team=team, created_by=manager)
        services.assessment_open(assessment=round_)
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            manager_client.post(
                url("invitation_paste", round_),
                {
                    "members": "Sam Lee <sam@example.com>\nJo Park <jo@example.com>",
                    "email_link": "on",
                },
            )
        token = LINK.findall(mailoutbox[answering].body)[0]
        manager_client.post(reverse("assessments:survey", args=(token,)), ANSWERS)
        sam = round_.invitations.get(email="sam@example.com")

        page = manager_client.post(
            url("invitation_revoke", round_, sam.pk), follow=True
        )
        team_page = manager_client.get(
            reverse("assessments:team_detail", args=(team.pk,))
        )
        seen.append(
            (
                page.context["invited"],
                page.context["answered"],
                {r.pk: (r.invited, r.answered) for r in team_page.context["rounds"]}[
                    round_.pk
                ],
            )
        )

    assert seen == [(1, 1, (1, 1)), (1, 1, (1, 1))]


def test_name_only_dummies_cannot_make_up_the_minimum_group(
    manager_client, anonymous_round
):
    """Four made-up people whose links the manager holds, and one real person:
    answering the four would meet the minimum of five and leave the fifth's
    answers as the only ones not the manager's."""
    dummies = "\n".join(f"Dummy {n}" for n in range(1, 5))

    response = manager_client.post(
        url("invitation_paste", anonymous_round),
        {"members": f"{dummies}\nReal Person <real@example.com>"},
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["list_form"].errors["members"] == [
        services.EMAIL_NEEDED.format(
            names="Dummy 1, Dummy 2, Dummy 3, Dummy 4", have="have"
        )
    ]
    assert working_links(response.content.decode()) == []
    assert not Invitation.objects.exists()


def test_the_managers_own_addresses_cannot_stand_in_for_team_members(
    manager_client, anonymous_round, manager, team
):
    co_manager = UserFactory(email="co.lead@gmail.com")
    team.managers.add(co_manager)
    local, domain = manager.email.split("@")
    own = f"Dummy 1 <{local}+1@{domain.upper()}>\nDummy 2 <CoLead+2@googlemail.com>"

    response = manager_client.post(
        url("invitation_paste", anonymous_round),
        {"members": f"{own}\nReal Person <real@example.com>"},
    )

    assert response.context["list_form"].errors["members"] == [
        services.MANAGER_CANNOT_ANSWER.format(
            emails=f"{co_manager.email}, {manager.email}", manages="manage"
        )
    ]
    assert not Invitation.objects.exists()


def test_printed_codes_the_manager_holds_carry_no_address(
    manager_client, anonymous_round
):
    """Codes are the one kind of link a manager sees in an anonymous round; they
    are invitations without an address, which minimum groups do not count."""
    manager_client.post(url("invitation_codes_create", anonymous_round), {"count": 4})
    sheet = manager_client.get(url("invitation_codes", anonymous_round))
    codes = set(LINK.findall(sheet.content.decode()))

    assert len(codes) == 4
    held = Invitation.objects.filter(
        token_hash__in=[tokens.invitation_hash(code) for code in codes]
    )
    assert set(held.values_list("name", "email")) == {("", "")}


def test_one_person_cannot_be_invited_twice_under_two_spellings(
    manager_client, anonymous_round
):
    manager_client.post(
        url("invitation_add", anonymous_round), {"email": "sam.lee@gmail.com"}
    )

    response = manager_client.post(
        url("invitation_add", anonymous_round), {"email": "SamLee+2@googlemail.com"}
    )

    assert response.context["member_form"].non_field_errors() == [
        services.ALREADY_INVITED.format(emails="sam.lee@gmail.com")
    ]
    assert Invitation.objects.count() == 1


ROUND_SETTINGS = {
    "title": "Spring check-in",
    "min_group_for_scores": 3,
    "min_group_for_verbatims": 5,
    "ready_engaged_share": 0.8,
    "ready_min_respondents": 3,
    "ready_min_participation": 0.6,
}


def test_a_named_draft_with_links_handed_out_cannot_turn_anonymous(
    manager_client, team, manager
):
    """Links shown while the round was named would stay in the manager's hands
    once it is anonymous, as would the manager's own invitation."""
    named = services.assessment_create(team=team, created_by=manager, anonymous=False)
    settings = reverse("assessments:assessment_settings", args=(named.pk,))
    shown = manager_client.post(
        url("invitation_add", named), {"name": "Dummy 1"}, follow=True
    )
    assert len(working_links(shown.content.decode())) == 1

    refused = manager_client.post(settings, {**ROUND_SETTINGS, "anonymous": "True"})

    assert refused.context["form"].errors["anonymous"] == [
        services.LINKS_HANDED_OUT.format(names="Dummy 1")
    ]
    named.refresh_from_db()
    assert named.anonymous is False

    dummy = named.invitations.get()
    manager_client.post(url("invitation_revoke", named, dummy.pk))
    manager_client.post(url("invitation_add", named), {"email": manager.email})
    refused = manager_client.post(settings, {**ROUND_SETTINGS, "anonymous": "True"})
    assert refused.context["form"].errors["anonymous"] == [
        services.MANAGERS_INVITED.format(emails=manager.email)
    ]

    [invited] = named.invitations.live()
    manager_client.post(url("invitation_revoke", named, invited.pk))
    manager_client.post(url("invitation_codes_create", named), {"count": 2})
    made = manager_client.post(settings, {**ROUND_SETTINGS, "anonymous": "True"})
    assert made.status_code == HTTPStatus.FOUND
    named.refresh_from_db()
    assert named.anonymous is True
