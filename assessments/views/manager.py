"""The manager's pages: teams, rounds and the four steps.

Every page finds its team or round through ``_team_for``, ``_assessment_for`` or
``_step_page_for``: only among those the user manages (any, for a superuser), and
a 404 otherwise, so another manager cannot even tell that a round exists. Each
step page is its own form: POST, redirect, GET with a message, so a manager can
stop anywhere.
"""

from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from assessments import reports, services, tokens, trends
from assessments.catalogue import ENGAGEMENT_QUESTIONS
from assessments.forms import (
    ActionDeleteForm,
    ActionForm,
    ActionUpdateForm,
    AlignmentForm,
    AssessmentCreateForm,
    AssessmentSettingsForm,
    CodesForm,
    CoManagerForm,
    CommitmentForm,
    KeyIdeasForm,
    MemberForm,
    MemberListForm,
    PredictionForm,
    ReopenForm,
    TeamForm,
    VisionForm,
)
from assessments.models import (
    ActionItem,
    Assessment,
    Invitation,
    MailStatus,
    ManagerInvitation,
    RoundPrediction,
    StepKey,
    Team,
    alignment_questions,
    catalogue_steps,
)
from assessments.privacy import shown_answers
from assessments.scoring import check_vision, propose_key_ideas

TEAMS_PER_PAGE = 25

TEAM_CREATED = "{team} is ready. Start its first round when you are."
MANAGER_INVITED = "We've emailed an invitation to {email}."
INVITATION_WITHDRAWN = (
    "The invitation to {email} is withdrawn: its link no longer works."
)
MANAGER_JOINED = "You now manage {team} too."
INVITATION_DECLINED = "You declined the invitation."
ROUND_CREATED = "Round started. Begin with the vision: everything saves as you go."
ROUND_STARTED_FROM = (
    "Round started from {round}: check the vision, the people and the open "
    "actions it copied, and change what has moved on, before you open it."
)
SETTINGS_SAVED = "The round's settings are saved."
ROUND_NOW_OPEN = "The round is open: team members' links work from now on."
WAITING_EMAILS_SENT = " The {count} emails that were waiting are on their way."
ROUND_NOW_CLOSED = "The round is closed: links no longer accept answers."
ROUND_NOW_REOPENED = (
    "The round is open again: team members' links accept answers until you close it."
)
VISION_SAVED = "Step 1 is saved."
KEY_IDEAS_SAVED = "The key ideas are confirmed: answers are weighed against them."
KEY_IDEAS_CLEARED = (
    "No key ideas are confirmed: answers are weighed against every specific word "
    "of the vision until you confirm some."
)
KEY_IDEAS_RESCORING = " Every answer so far will be judged again."
ALIGNMENT_SAVED = "Step 3 is saved."
PREDICTION_SAVED = (
    "Your prediction is saved. Once the team's results show, the report puts it "
    "beside them."
)
COMMITMENT_SAVED = "Step 4 is saved."
ACTION_ADDED = "Added “{title}” to the action plan."
ACTION_SAVED = "Saved “{title}”."
ACTION_DELETED = "Deleted “{title}”."
ACTION_CHANGED_MEANWHILE = (
    "Someone changed this action since you opened it: here it is as it is now. "
    "Delete it anyway, or go back to the plan."
)
LINK_REISSUED = "New link for {person}: the old one no longer works. Copy it below."
LINK_REISSUED_BY_EMAIL = (
    "Re-issuing sends the new link to {person} by email: the old one no longer works."
)
INVITATION_REVOKED = "{person} is off the round: their link no longer works."
CODES_SHOWN_ONCE = (
    "Printed codes are shown only once, when they are made: make more if a sheet "
    "was lost. The codes already handed out keep working."
)
# A service's errors about the people given, shown beside the field naming them.
PEOPLE_ERRORS = frozenset({"email_needed", "manager_address"})
EMAIL_RETRYING = "Trying the email to {person} again."


def _team_for(request: HttpRequest, pk: int) -> Team:
    """A team the user manages, or 404."""
    return get_object_or_404(
        Team.objects.for_manager(request.user).select_related("parent"), pk=pk
    )


def _assessment_for(request: HttpRequest, pk: int) -> Assessment:
    """A round of a team the user manages, or 404."""
    return get_object_or_404(
        Assessment.objects.for_manager(request.user).select_related(
            "team", "vision", "commitment"
        ),
        pk=pk,
    )


def _step_page_for(request: HttpRequest, pk: int) -> Assessment:
    """A round of a team the user manages, as the four step pages read it, or 404.

    A POST that saves redirects without showing the page, so it reads the round
    alone; shown again after an error, the page reads its step results then.
    """
    if request.method != "GET":
        return _assessment_for(request, pk)
    return get_object_or_404(
        Assessment.objects.for_manager(request.user).for_steps(), pk=pk
    )


def _form_data(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _steps(assessment: Assessment, current: str) -> dict:
    """What every step page shows: the step navigation and the current step,
    with its moment of truth and the readiness last computed for it.

    ``assessment`` comes from ``Assessment.objects.for_steps()`` on a GET; a
    write that shows its page again after an error reads the results here.
    """
    stored = {result.step_id: result for result in assessment.step_results.all()}
    steps = [
        (step, stored.get(step.pk))
        for step in catalogue_steps(assessment.catalogue_version)
    ]
    # A page beside the steps (the prediction) has no current step.
    step, result = next(
        (item for item in steps if item[0].key == current), (None, None)
    )
    return {
        "assessment": assessment,
        "steps": steps,
        "step": step,
        "result": result,
    }


# --- Teams ------------------------------------------------------------------------


@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.for_dashboard(request.user)
    page = Paginator(teams, TEAMS_PER_PAGE).get_page(request.GET.get("page"))
    changes = trends.changes_since_previous([team.pk for team in page])
    for team in page:
        team.changes_since_previous = changes.get(team.pk, ())
    return render(request, "assessments/dashboard.html", {"page": page})


@never_cache
@require_http_methods(["GET", "POST"])
def team_create_view(request: HttpRequest) -> HttpResponse:
    form = TeamForm(_form_data(request), manager=request.user)
    if form.is_valid():
        team = services.team_create(manager=request.user, **form.cleaned_data)
        messages.success(request, TEAM_CREATED.format(team=team.name))
        return redirect("assessments:team_detail", pk=team.pk)
    return render(request, "assessments/team_form.html", {"form": form})


def _render_team(
    request: HttpRequest, team: Team, co_manager_form: CoManagerForm
) -> HttpResponse:
    return render(
        request,
        "assessments/team_detail.html",
        {
            "team": team,
            "managers": team.managers.order_by("email"),
            "manager_invitations": team.manager_invitations.for_team_page(),
            "rounds": team.assessments.for_team_page(),
            "co_manager_form": co_manager_form,
        },
    )


@never_cache
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_team(request, _team_for(request, pk), CoManagerForm())


@never_cache
@require_POST
def team_manager_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_for(request, pk)
    form = CoManagerForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.manager_invite(
                team=team, email=form.cleaned_data["email"], invited_by=request.user
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, MANAGER_INVITED.format(email=invitation.email))
            return redirect("assessments:team_detail", pk=team.pk)
    return _render_team(request, team, form)


@require_POST
def manager_invitation_withdraw_view(
    request: HttpRequest, pk: int, manager_invitation_pk: int
) -> HttpResponse:
    team = _team_for(request, pk)
    invitation = get_object_or_404(
        team.manager_invitations.pending(), pk=manager_invitation_pk
    )
    try:
        services.manager_invitation_withdraw(invitation=invitation)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, INVITATION_WITHDRAWN.format(email=invitation.email))
    return redirect("assessments:team_detail", pk=team.pk)


# --- An invitation to manage a team, as its recipient sees it -----------------------
# The link's token finds a pending invitation (404 otherwise); only the account
# that has proved the invited address is shown the team and may answer.


def _manager_invitation_for(token: str) -> ManagerInvitation:
    return get_object_or_404(ManagerInvitation.objects.for_invitee(token))


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "assessments/manager_invitation_refused.html",
        {"reason": reason},
        status=HTTPStatus.FORBIDDEN,
    )


@never_cache
def manager_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _manager_invitation_for(token)
    if not invitation.is_for(request.user):
        return _refused(request, services.NOT_YOUR_INVITATION)
    return render(
        request,
        "assessments/manager_invitation.html",
        {"invitation": invitation, "token": token},
    )


@require_POST
def manager_invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _manager_invitation_for(token)
    try:
        team = services.manager_invitation_accept(
            invitation=invitation, user=request.user
        )
    except ValidationError as error:
        return _refused(request, error.messages[0])
    messages.success(request, MANAGER_JOINED.format(team=team.name))
    return redirect("assessments:team_detail", pk=team.pk)


@require_POST
def manager_invitation_decline_view(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _manager_invitation_for(token)
    try:
        services.manager_invitation_decline(invitation=invitation, user=request.user)
    except ValidationError as error:
        return _refused(request, error.messages[0])
    messages.success(request, INVITATION_DECLINED)
    return redirect("assessments:dashboard")


# --- Rounds -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def assessment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_for(request, pk)
    previous = team.latest_opened_round()
    form = AssessmentCreateForm(_form_data(request), previous=previous)
    if form.is_valid():
        fields = dict(form.cleaned_data)
        start_from = previous if fields.pop("start_from_previous", False) else None
        assessment = services.assessment_create(
            team=team, created_by=request.user, start_from=start_from, **fields
        )
        if start_from is None:
            messages.success(request, ROUND_CREATED)
        else:
            messages.success(request, ROUND_STARTED_FROM.format(round=start_from))
        return redirect("assessments:vision", pk=assessment.pk)
    return render(
        request,
        "assessments/assessment_create.html",
        {"team": team, "form": form, "previous": previous},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def assessment_settings(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    form = AssessmentSettingsForm(_form_data(request), instance=assessment)
    if form.is_valid():
        try:
            services.assessment_update(
                assessment=assessment,
                reply_to=request.user.email,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, SETTINGS_SAVED)
            return redirect("assessments:assessment_settings", pk=pk)
    return render(
        request,
        "assessments/assessment_settings.html",
        {"assessment": assessment, "form": form},
    )


def _confirm_round(
    request: HttpRequest,
    assessment: Assessment,
    action: str,
    *,
    reopen_form: ReopenForm | None = None,
) -> HttpResponse:
    """The page that says what opening, closing or reopening the round will do,
    with the one button that does it; showing it changes nothing."""
    context = {"assessment": assessment, "action": action}
    if action == "open":
        context["waiting"] = assessment.invitations.mail_pending().count()
    elif action == "close":
        context["queued"] = assessment.invitations.filter(
            mail_status=MailStatus.QUEUED
        ).count()
    else:
        context["next_round"] = assessment.next_round()
        context["form"] = reopen_form or ReopenForm()
    return render(request, "assessments/round_confirm.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def assessment_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    if request.method == "GET":
        if assessment.status != Assessment.Status.DRAFT:
            return redirect("assessments:assessment_settings", pk=pk)
        return _confirm_round(request, assessment, "open")
    waiting = assessment.invitations.mail_pending().count()
    try:
        services.assessment_open(assessment=assessment)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("assessments:assessment_settings", pk=pk)
    message = ROUND_NOW_OPEN
    if waiting:
        message += WAITING_EMAILS_SENT.format(count=waiting)
    messages.success(request, message)
    return redirect("assessments:engagement", pk=pk)


@never_cache
@require_http_methods(["GET", "POST"])
def assessment_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    if request.method == "GET":
        if not assessment.is_open:
            return redirect("assessments:assessment_settings", pk=pk)
        return _confirm_round(request, assessment, "close")
    try:
        services.assessment_close(assessment=assessment)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, ROUND_NOW_CLOSED)
    return redirect("assessments:engagement", pk=pk)


@never_cache
@require_http_methods(["GET", "POST"])
def assessment_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A closed round opened again, with the reason; refused once the team's
    next round has opened."""
    assessment = _assessment_for(request, pk)
    if assessment.status != Assessment.Status.CLOSED:
        if request.method == "POST":
            messages.error(request, services.ROUND_NOT_CLOSED)
        return redirect("assessments:assessment_settings", pk=pk)
    if request.method == "GET":
        return _confirm_round(request, assessment, "reopen")
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_reopen(
                assessment=assessment,
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, ROUND_NOW_REOPENED)
            return redirect("assessments:engagement", pk=pk)
    return _confirm_round(request, assessment, "reopen", reopen_form=form)


# --- Step 1: vision ---------------------------------------------------------------


def _vision_form(assessment: Assessment, step, data=None) -> VisionForm:
    stored = assessment.vision
    return VisionForm(
        data,
        initial={
            "statement": stored.statement,
            "has_vision": stored.has_vision,
            "revision": stored.revision,
        },
        moment_of_truth=step.moment_of_truth,
    )


def _key_ideas_form(assessment: Assessment, *, proposals: bool) -> KeyIdeasForm:
    """The key ideas form as the page opens it: the confirmed ideas, or the
    engine's proposals when none are confirmed or the manager asks for them."""
    stored = assessment.vision
    ideas = stored.confirmed_ideas
    if proposals or not ideas:
        ideas = propose_key_ideas(stored.statement)
    return KeyIdeasForm(ideas=ideas, revision=stored.revision)


def _render_vision(
    request: HttpRequest,
    assessment: Assessment,
    *,
    form: VisionForm | None = None,
    ideas_form: KeyIdeasForm | None = None,
) -> HttpResponse:
    """Step 1 with its two forms, the vision's and its key ideas'; one sent back
    with an error is shown as it was sent, the other as stored."""
    context = _steps(assessment, StepKey.VISION)
    form = form or _vision_form(assessment, context["step"])
    proposals = "proposals" in request.GET
    ideas_form = ideas_form or _key_ideas_form(assessment, proposals=proposals)
    return render(
        request,
        "assessments/step_vision.html",
        {
            **context,
            "form": form,
            "findings": check_vision(form["statement"].value() or ""),
            "ideas_form": ideas_form,
            "showing_proposals": proposals or not assessment.vision.key_ideas,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def vision(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _step_page_for(request, pk)
    if request.method == "GET":
        return _render_vision(request, assessment)
    step = next(
        step
        for step in catalogue_steps(assessment.catalogue_version)
        if step.key == StepKey.VISION
    )
    form = _vision_form(assessment, step, request.POST)
    if form.is_valid():
        try:
            services.vision_update(
                vision=assessment.vision, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, VISION_SAVED)
            return redirect("assessments:vision", pk=pk)
    return _render_vision(request, assessment, form=form)


@never_cache
@require_POST
def key_ideas_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1's key ideas, confirmed for the vision as it is written."""
    assessment = _assessment_for(request, pk)
    stored = assessment.vision
    form = KeyIdeasForm(request.POST, ideas=(), revision=stored.revision)
    if form.is_valid():
        try:
            rescoring = services.key_ideas_confirm(
                vision=stored,
                revision=form.cleaned_data["revision"],
                ideas=form.ideas(),
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            said = KEY_IDEAS_SAVED if stored.key_ideas else KEY_IDEAS_CLEARED
            messages.success(request, said + (KEY_IDEAS_RESCORING if rescoring else ""))
            return redirect(reverse("assessments:vision", args=(pk,)) + "#key-ideas")
    return _render_vision(request, assessment, ideas_form=form)


# --- Step 2: engagement -----------------------------------------------------------


def _issued_key(assessment: Assessment) -> str:
    return f"issued-links-{assessment.pk}"


def _codes_key(assessment: Assessment) -> str:
    return f"printed-codes-{assessment.pk}"


def _remember_links(
    request: HttpRequest,
    assessment: Assessment,
    issued: list[services.IssuedInvitation],
) -> None:
    """Keep the links to hand out for the next page only: they are shown once,
    never stored. Only a named round's people without an email address have
    one: the others are emailed theirs."""
    key = _issued_key(assessment)
    request.session[key] = request.session.get(key, []) + [
        [item.invitation.pk, item.token] for item in issued if item.to_hand_out
    ]


def _render_engagement(
    request: HttpRequest,
    assessment: Assessment,
    *,
    member_form: MemberForm | None = None,
    list_form: MemberListForm | None = None,
    codes_form: CodesForm | None = None,
) -> HttpResponse:
    """Step 2. Who has answered is counted from the responses, never read off
    the people listed: in an anonymous round nothing on the page tells one
    person's state from another's, and revoking an invitation leaves the count
    of answers as it was. Printed codes are counted, not listed."""
    invitations = list(assessment.invitations.for_engagement())
    people = [i for i in invitations if i.name or i.email]
    tokens_issued = dict(request.session.pop(_issued_key(assessment), []))
    new_links = [
        (invitation, services.survey_url(tokens_issued[invitation.pk]))
        for invitation in people
        if invitation.pk in tokens_issued
    ]
    anonymous = assessment.anonymous
    return render(
        request,
        "assessments/step_engagement.html",
        {
            **_steps(assessment, StepKey.ENGAGEMENT),
            "invitations": people,
            "invited": len(invitations),
            "codes": len(invitations) - len(people),
            **_answered(assessment),
            "with_email": sum(bool(i.email) for i in invitations),
            "mail": reports.mail_progress(assessment, invitations),
            "new_links": new_links,
            "questions": ENGAGEMENT_QUESTIONS,
            "member_form": member_form or MemberForm(anonymous=anonymous),
            "list_form": list_form or MemberListForm(anonymous=anonymous),
            "codes_form": codes_form or CodesForm(),
        },
    )


def _answered(assessment: Assessment) -> dict:
    """How many have answered, and whether the manager may still predict the
    result (no answer has shown: ``privacy.shown_answers``), in one query."""
    counts = assessment.responses.aggregate(
        answered=Count("pk"), shown=Count("pk", filter=shown_answers(assessment))
    )
    return {
        "answered": counts["answered"],
        "predict_link": assessment.status != Assessment.Status.CLOSED
        and not counts["shown"],
    }


@never_cache
def engagement(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_engagement(request, _step_page_for(request, pk))


def _invite(
    request: HttpRequest, assessment: Assessment, form_name: str, form
) -> HttpResponse:
    """Invite the people a member form names, or show the form's errors."""
    if form.is_valid():
        try:
            issued = services.members_invite(
                assessment=assessment,
                invitees=form.invitees(),
                email_links=form.email_links(),
                sender=request.user,
            )
        except ValidationError as error:
            about_people = error.code in PEOPLE_ERRORS
            form.add_error(form.people_field if about_people else None, error)
        else:
            _remember_links(request, assessment, issued)
            messages.success(request, _invited_message(assessment, issued))
            return redirect("assessments:engagement", pk=assessment.pk)
    return _render_engagement(request, assessment, **{form_name: form})


def _invited_message(
    assessment: Assessment, issued: list[services.IssuedInvitation]
) -> str:
    message = ngettext(
        "Added {count} person.", "Added {count} people.", len(issued)
    ).format(count=len(issued))
    emailed = sum(item.emailed for item in issued)
    if emailed and assessment.status == Assessment.Status.DRAFT:
        message += ngettext(
            " {count} of them will be emailed their link when you open the round.",
            " {count} of them will be emailed their links when you open the round.",
            emailed,
        ).format(count=emailed)
    elif emailed:
        message += ngettext(
            " Emailing {count} of them their link: the list below shows how it goes.",
            " Emailing {count} of them their links: the list below shows how it goes.",
            emailed,
        ).format(count=emailed)
    waiting = sum(bool(item.invitation.email) and not item.emailed for item in issued)
    if waiting:
        message += ngettext(
            " {count} of them has an email address: “Send invitations” emails "
            "their link.",
            " {count} of them have an email address: “Send invitations” emails "
            "their links.",
            waiting,
        ).format(count=waiting)
    return message


@never_cache
@require_POST
def invitation_add(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    form = MemberForm(request.POST, anonymous=assessment.anonymous)
    return _invite(request, assessment, "member_form", form)


@never_cache
@require_POST
def invitation_paste(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    form = MemberListForm(request.POST, anonymous=assessment.anonymous)
    return _invite(request, assessment, "list_form", form)


def _live_invitation(assessment: Assessment, pk: int) -> Invitation:
    invitation = get_object_or_404(assessment.invitations.live(), pk=pk)
    invitation.assessment = assessment
    return invitation


@require_POST
def invitation_reissue_view(
    request: HttpRequest, pk: int, invitation_pk: int
) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    invitation = _live_invitation(assessment, invitation_pk)
    try:
        issued = services.invitation_reissue(
            invitation=invitation,
            sender=request.user,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        _remember_links(request, assessment, [issued])
        said = LINK_REISSUED if issued.to_hand_out else LINK_REISSUED_BY_EMAIL
        messages.success(request, said.format(person=invitation))
    return redirect("assessments:engagement", pk=pk)


@require_POST
def invitation_revoke_view(
    request: HttpRequest, pk: int, invitation_pk: int
) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    invitation = _live_invitation(assessment, invitation_pk)
    try:
        services.invitation_revoke(invitation=invitation)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, INVITATION_REVOKED.format(person=invitation))
    return redirect("assessments:engagement", pk=pk)


@never_cache
@require_POST
def invitation_codes_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    form = CodesForm(request.POST)
    if form.is_valid():
        try:
            codes = services.invitation_codes_create(
                assessment=assessment, count=form.cleaned_data["count"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[_codes_key(assessment)] = codes
            return redirect("assessments:invitation_codes", pk=pk)
    return _render_engagement(request, assessment, codes_form=form)


@never_cache
def invitation_codes(request: HttpRequest, pk: int) -> HttpResponse:
    """The sheet of new printed codes, shown once: only their hashes are kept."""
    assessment = _assessment_for(request, pk)
    codes = request.session.pop(_codes_key(assessment), None)
    if not codes:
        messages.info(request, CODES_SHOWN_ONCE)
        return redirect("assessments:engagement", pk=pk)
    return render(
        request,
        "assessments/invitation_codes.html",
        {
            "assessment": assessment,
            "entry_url": settings.SITE_URL + reverse("assessments:code_entry"),
            "slips": [
                (tokens.code_grouped(code), services.survey_url(code)) for code in codes
            ],
        },
    )


def _links_emailed_by(request: HttpRequest, pk: int, send, said: dict[bool, tuple]):
    """Queue links through ``send`` (a service), then say how many are going out,
    in the words ``said`` gives for a draft round (True) or an open one."""
    assessment = _assessment_for(request, pk)
    try:
        count = send(
            assessment=assessment,
            sender=request.user,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        one, many = said[assessment.status == Assessment.Status.DRAFT]
        messages.success(request, ngettext(one, many, count).format(count=count))
    return redirect("assessments:engagement", pk=pk)


@require_POST
def invitations_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _links_emailed_by(
        request,
        pk,
        services.invitations_send,
        {
            False: (
                "Emailing a link to {count} person.",
                "Emailing links to {count} people.",
            ),
            True: (
                "A link will be emailed to {count} person when you open the round.",
                "Links will be emailed to {count} people when you open the round.",
            ),
        },
    )


@require_POST
def invitations_remind_view(request: HttpRequest, pk: int) -> HttpResponse:
    reminding = (
        "Reminding {count} person who has not answered yet.",
        "Reminding {count} people who have not answered yet.",
    )
    return _links_emailed_by(
        request,
        pk,
        services.invitations_remind,
        {False: reminding, True: reminding},  # a draft is refused
    )


@require_POST
def invitation_email_retry_view(
    request: HttpRequest, pk: int, invitation_pk: int
) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    invitation = _live_invitation(assessment, invitation_pk)
    try:
        services.invitation_email_retry(invitation=invitation)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, EMAIL_RETRYING.format(person=invitation))
    return redirect("assessments:engagement", pk=pk)


@require_POST
def invitations_email_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    try:
        count = services.invitations_email_retry(assessment=assessment)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            ngettext(
                "Trying {count} failed email again.",
                "Trying {count} failed emails again.",
                count,
            ).format(count=count),
        )
    return redirect("assessments:engagement", pk=pk)


# --- The manager's prediction -------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def prediction(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager predicts the round's result before any answer shows; once one
    has, the page shows the prediction made, and a save is refused."""
    assessment = _step_page_for(request, pk)
    stored = (
        RoundPrediction.objects.select_related("updated_by")
        .filter(assessment=assessment)
        .first()
    )
    form = PredictionForm(
        _form_data(request),
        prediction=stored,
        questions=alignment_questions(assessment.catalogue_version)
        if assessment.team_rates_alignment
        else (),
    )
    if form.is_valid():
        try:
            services.prediction_save(
                assessment=assessment,
                revision=form.cleaned_data["revision"],
                values=form.values(),
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, PREDICTION_SAVED)
            return redirect("assessments:prediction", pk=pk)
    return render(
        request,
        "assessments/prediction.html",
        {
            **_steps(assessment, "prediction"),
            "form": form,
            "prediction": stored,
            "too_late": not _answered(assessment)["predict_link"],
        },
    )


# --- Step 3: alignment ------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def alignment(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _step_page_for(request, pk)
    form = AlignmentForm(
        _form_data(request),
        questions=alignment_questions(assessment.catalogue_version),
        ratings={r.question_id: r for r in assessment.alignment_ratings.all()},
    )
    if form.is_valid():
        try:
            services.alignment_update(
                assessment=assessment,
                ratings=form.ratings(),
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, ALIGNMENT_SAVED)
            return redirect("assessments:alignment", pk=pk)
    return render(
        request,
        "assessments/step_alignment.html",
        {**_steps(assessment, StepKey.ALIGNMENT), "form": form},
    )


# --- Final step: commitment -------------------------------------------------------


def _render_commitment(
    request: HttpRequest,
    assessment: Assessment,
    *,
    commitment_form: CommitmentForm | None = None,
    action_form: ActionForm | None = None,
    failed_update: ActionUpdateForm | None = None,
) -> HttpResponse:
    if commitment_form is None:
        stored = assessment.commitment
        commitment_form = CommitmentForm(instance=stored)
    actions = [
        failed_update
        if failed_update and failed_update.instance.pk == action.pk
        else ActionUpdateForm(instance=action, prefix=f"action-{action.pk}")
        # Joined: a carried-over action names the round it came from.
        for action in assessment.actions.select_related(
            "carried_from__assessment__team"
        )
    ]
    return render(
        request,
        "assessments/step_commitment.html",
        {
            **_steps(assessment, StepKey.COMMITMENT),
            "form": commitment_form,
            "action_form": action_form or ActionForm(prefix="new-action"),
            "action_forms": actions,
            "done": sum(form.instance.is_done for form in actions),
            "overdue": sum(form.instance.is_overdue for form in actions),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def commitment(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _step_page_for(request, pk)
    if request.method == "GET":
        return _render_commitment(request, assessment)
    stored = assessment.commitment
    form = CommitmentForm(request.POST, instance=stored)
    if form.is_valid():
        try:
            services.commitment_update(
                commitment=stored,
                revision=form.cleaned_data["revision"],
                user=request.user,
                **form.values(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, COMMITMENT_SAVED)
            return redirect("assessments:commitment", pk=pk)
    return _render_commitment(request, assessment, commitment_form=form)


def _action_plan(assessment: Assessment) -> str:
    return reverse("assessments:commitment", args=(assessment.pk,)) + "#actions"


@never_cache
@require_POST
def action_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    form = ActionForm(
        request.POST, instance=ActionItem(assessment=assessment), prefix="new-action"
    )
    if form.is_valid():
        action = services.action_create(action=form.instance)
        messages.success(request, ACTION_ADDED.format(title=action.title))
        return redirect(_action_plan(assessment))
    return _render_commitment(request, assessment, action_form=form)


@never_cache
@require_POST
def action_update_view(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    assessment = _assessment_for(request, pk)
    action = get_object_or_404(assessment.actions, pk=action_pk)
    form = ActionUpdateForm(request.POST, instance=action, prefix=f"action-{action.pk}")
    if form.is_valid():
        try:
            services.action_update(
                action=action,
                revision=form.cleaned_data["revision"],
                user=request.user,
                values=form.values(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, ACTION_SAVED.format(title=action.title))
            return redirect(_action_plan(assessment))
    return _render_commitment(request, assessment, failed_update=form)


def _confirm_delete(
    request: HttpRequest, assessment: Assessment, action: ActionItem, form
) -> HttpResponse:
    return render(
        request,
        "assessments/action_delete.html",
        {
            "assessment": assessment,
            "action": action,
            "form": form,
            "action_plan": _action_plan(assessment),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def action_delete_view(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """The page that asks before an action is deleted, opened from the action's
    form with the revision it shows; its button posts that revision, so an
    action someone changed meanwhile is shown again before it goes."""
    assessment = _assessment_for(request, pk)
    action = get_object_or_404(assessment.actions, pk=action_pk)
    prefix = f"action-{action.pk}"
    if request.method == "GET":
        shown = ActionDeleteForm({"revision": request.GET.get("revision")})
        revision = (
            shown.cleaned_data["revision"] if shown.is_valid() else action.revision
        )
        form = ActionDeleteForm(prefix=prefix, initial={"revision": revision})
        return _confirm_delete(request, assessment, action, form)
    opened = ActionDeleteForm(request.POST, prefix=prefix)
    try:
        if not opened.is_valid():  # sent by no form of this site
            raise ValidationError(services.STALE_REVISION, code="stale")
        services.action_delete(action=action, revision=opened.cleaned_data["revision"])
    except ValidationError:
        action.refresh_from_db()
        # Asked again, over the action as it is now.
        form = ActionDeleteForm({f"{prefix}-revision": action.revision}, prefix=prefix)
        form.is_valid()
        form.add_error(None, ACTION_CHANGED_MEANWHILE)
        return _confirm_delete(request, assessment, action, form)
    messages.success(request, ACTION_DELETED.format(title=action.title))
    return redirect(_action_plan(assessment))
