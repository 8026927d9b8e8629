"""The team member's survey, reached through a personal link with no account."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from assessments import links, services, throttle, tokens
from assessments.catalogue import ALIGNMENT_KEYS, ENGAGEMENT_KEYS
from assessments.forms import SurveyForm
from assessments.models import Response, alignment_questions, team_rating_field

SAVED = (
    "Thank you: your answers are saved. You can change them with the same link "
    "until the round closes."
)


class TooManyFailedLookups(Exception):
    pass


def _link_for(request: HttpRequest, token: str) -> links.SurveyLink:
    """The live link; unknown and revoked links look the same, and a client that
    keeps trying wrong links is told to wait."""
    link = links.link_lookup(token)
    if link is None:
        if throttle.failed_lookup(request):
            raise TooManyFailedLookups
        raise Http404("No survey at this address.")
    return link


def _initial_answers(response: Response | None, link: links.SurveyLink) -> dict | None:
    """What the respondent saved before, to fill the form with."""
    if response is None:
        return None
    initial = {key: response.answer_for(key) for key in ENGAGEMENT_KEYS}
    if link.team_rates_alignment:
        for key in ALIGNMENT_KEYS:
            initial[team_rating_field(key)] = response.team_rating_for(key)
    return initial


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _link_for(request, token)
    except TooManyFailedLookups:
        response = render(request, "429.html", status=429)
        response["Retry-After"] = str(throttle.WINDOW_SECONDS)
        return response
    if not link.is_open:
        return render(request, "assessments/survey_closed.html", {"link": link})
    response = None
    if link.answered:
        response = Response.objects.filter(
            respondent_key=tokens.respondent_key(token)
        ).first()
        if response is None:
            # Answered through a link that was re-issued since: in an anonymous
            # round the new link cannot reach those answers, and must not add a
            # second response for the same person.
            return render(request, "assessments/survey_answered.html", {"link": link})
    questions = (
        alignment_questions(link.catalogue_version) if link.team_rates_alignment else ()
    )
    initial = None
    if request.method == "POST":
        form = SurveyForm(request.POST, alignment_questions=questions)
        if form.is_valid():
            services.response_submit(
                link=link,
                token=token,
                answers=form.answers(),
                ratings=form.ratings(),
            )
            # Back to the same page, which confirms the answers it shows.
            return HttpResponseRedirect(f"{request.path}?saved=1")
    else:
        initial = _initial_answers(response, link)
        form = SurveyForm(initial=initial, alignment_questions=questions)
    return render(
        request,
        "assessments/survey.html",
        {
            "link": link,
            "form": form,
            "answered": initial is not None,
            "saved": SAVED if initial is not None and "saved" in request.GET else "",
        },
    )
