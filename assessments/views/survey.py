"""The team member's survey, reached through a personal link with no account."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from assessments import services, throttle, tokens
from assessments.catalogue import ALIGNMENT_KEYS, ENGAGEMENT_KEYS
from assessments.forms import SurveyForm
from assessments.models import (
    Assessment,
    Invitation,
    Response,
    alignment_questions,
    team_rating_field,
)

SAVED = (
    "Thank you: your answers are saved. You can change them with the same link "
    "until the round closes."
)


class TooManyFailedLookups(Exception):
    pass


def _invitation_for(request: HttpRequest, token: str) -> Invitation:
    """The live invitation behind a link; unknown and revoked links look the same,
    and a client that keeps trying wrong links is told to wait."""
    try:
        # token_hash is unique: get() needs no ordering, unlike first().
        return (
            Invitation.objects.select_related("assessment__team", "assessment__vision")
            .exclude(status=Invitation.Status.REVOKED)
            .get(token_hash=tokens.invitation_hash(token))
        )
    except Invitation.DoesNotExist:
        if throttle.failed_lookup(request):
            raise TooManyFailedLookups from None
        raise Http404("No survey at this address.") from None


def _initial_answers(response: Response | None, assessment: Assessment) -> dict | None:
    """What the respondent saved before, to fill the form with."""
    if response is None:
        return None
    initial = {key: response.answer_for(key) for key in ENGAGEMENT_KEYS}
    if assessment.team_rates_alignment:
        for key in ALIGNMENT_KEYS:
            initial[team_rating_field(key)] = response.team_rating_for(key)
    return initial


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = _invitation_for(request, token)
    except TooManyFailedLookups:
        response = render(request, "429.html", status=429)
        response["Retry-After"] = str(throttle.WINDOW_SECONDS)
        return response
    assessment = invitation.assessment
    if assessment.status != Assessment.Status.OPEN:
        return render(
            request, "assessments/survey_closed.html", {"assessment": assessment}
        )
    response = None
    if invitation.status == Invitation.Status.RESPONDED:
        response = Response.objects.filter(
            respondent_key=tokens.respondent_key(token)
        ).first()
        if response is None:
            # Answered through a link that was re-issued since: in an anonymous
            # round the new link cannot reach those answers, and must not add a
            # second response for the same person.
            return render(
                request, "assessments/survey_answered.html", {"assessment": assessment}
            )
    questions = (
        alignment_questions(assessment.catalogue_version)
        if assessment.team_rates_alignment
        else ()
    )
    initial = None
    if request.method == "POST":
        form = SurveyForm(request.POST, alignment_questions=questions)
        if form.is_valid():
            services.response_submit(
                invitation=invitation,
                token=token,
                answers=form.answers(),
                ratings=form.ratings(),
            )
            messages.success(request, SAVED)
            return redirect("assessments:survey", token=token)
    else:
        initial = _initial_answers(response, assessment)
        form = SurveyForm(initial=initial, alignment_questions=questions)
    return render(
        request,
        "assessments/survey.html",
        {
            "assessment": assessment,
            "invitation": invitation,
            "form": form,
            "answered": initial is not None,
        },
    )
