"""The team member's survey, reached through a personal link with no account.

A named round's link finds its answers again. An anonymous round's link shows
answers only to the person who gave them: their browser holds their edit code
in a cookie for this link alone, and they were shown the code to type in
another browser. Anyone else opening a link already answered through sees that
it was used, and nothing of the answers.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from assessments import links, services, throttle, tokens
from assessments.catalogue import ALIGNMENT_KEYS, ENGAGEMENT_KEYS
from assessments.forms import EDIT_CODE_UNKNOWN, EditCodeForm, SurveyForm
from assessments.models import Response, alignment_questions, team_rating_field

SAVED = (
    "Thank you: your answers are saved. You can change them with the same link "
    "until the round closes."
)
SAVED_ANONYMOUS = (
    "Thank you: your answers are saved. You can change them until the round "
    "closes, through this link in this browser, or with your edit code."
)
# The cookie holding an anonymous respondent's edit code, sent back only to their
# own link's address; kept until the round closes, or this long without a date.
EDIT_COOKIE = "servicecult_edit_code"
EDIT_COOKIE_KEPT = timedelta(days=180)
# Pressed on the edit-code form rather than the answers' form.
OPEN_WITH_CODE = "open_with_code"


class TooManyFailedLookups(Exception):
    pass


def _link_for(request: HttpRequest, token: str) -> links.SurveyLink:
    """The live link; unknown and revoked links look the same, and a client that
    keeps trying wrong links is told to wait."""
    link = links.link_lookup(token)
    if link is None:
        _failed(request)
        raise Http404("No survey at this address.")
    return link


def _failed(request: HttpRequest) -> None:
    """Count a failed look-up (a link or an edit code) against the client."""
    if throttle.failed_lookup(request):
        raise TooManyFailedLookups


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(throttle.WINDOW_SECONDS)
    return response


def _initial_answers(response: Response | None, link: links.SurveyLink) -> dict | None:
    """What the respondent saved before, to fill the form with."""
    if response is None:
        return None
    initial = {key: response.answer_for(key) for key in ENGAGEMENT_KEYS}
    if link.team_rates_alignment:
        for key in ALIGNMENT_KEYS:
            initial[team_rating_field(key)] = response.team_rating_for(key)
    return initial


def _questions(link: links.SurveyLink):
    if link.team_rates_alignment:
        return alignment_questions(link.catalogue_version)
    return ()


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _link_for(request, token)
        if not link.is_open:
            return render(request, "assessments/survey_closed.html", {"link": link})
        if link.anonymous:
            return _anonymous_survey(request, token, link)
        return _named_survey(request, token, link)
    except TooManyFailedLookups:
        return _too_many(request)


def _named_survey(
    request: HttpRequest, token: str, link: links.SurveyLink
) -> HttpResponse:
    """A named round's survey: the link reaches the invitee's answers."""
    initial = None
    if request.method == "POST":
        form = SurveyForm(request.POST, alignment_questions=_questions(link))
        if form.is_valid():
            services.response_submit(
                link=link, token=token, answers=form.answers(), ratings=form.ratings()
            )
            # Back to the same page, which confirms the answers it shows.
            return HttpResponseRedirect(f"{request.path}?saved=1")
    else:
        response = None
        if link.answered:
            response = Response.objects.filter(
                respondent_key=tokens.respondent_key(token)
            ).first()
        initial = _initial_answers(response, link)
        form = SurveyForm(initial=initial, alignment_questions=_questions(link))
    return render(
        request,
        "assessments/survey.html",
        {
            "link": link,
            "form": form,
            "answered": initial is not None,
            "saved": SAVED if initial is not None and "saved" in request.GET else "",
            "edit_code": "",
            "code_form": None,
        },
    )


def _own_response(request: HttpRequest, link: links.SurveyLink):
    """The respondent's answers in this round, if their browser holds the edit
    code; with the code."""
    code = tokens.edit_code_normalize(request.COOKIES.get(EDIT_COOKIE, ""))
    if code is None:
        return None, None
    own = Response.objects.for_respondent(
        assessment_id=link.assessment_id, edit_code=code
    ).first()
    return own, code if own is not None else None


def _with_edit_cookie(
    response: HttpResponse, request: HttpRequest, link: links.SurveyLink, code: str
) -> HttpResponse:
    """Give the browser the edit code, for this link's address only."""
    if link.closes_on is not None:
        expires = timezone.make_aware(datetime.combine(link.closes_on, time.min))
    else:
        expires = timezone.now() + EDIT_COOKIE_KEPT
    response.set_cookie(
        EDIT_COOKIE,
        code,
        expires=expires,
        path=request.path,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )
    return response


def _used(
    request: HttpRequest,
    link: links.SurveyLink,
    *,
    code_form: EditCodeForm | None = None,
    refused: str = "",
) -> HttpResponse:
    """The page of a link already answered through, for whoever lacks the code."""
    return render(
        request,
        "assessments/survey_used.html",
        {"link": link, "code_form": code_form or EditCodeForm(), "refused": refused},
        status=409 if refused else 200,
    )


def _anonymous_survey(
    request: HttpRequest, token: str, link: links.SurveyLink
) -> HttpResponse:
    """An anonymous round's survey: answers are reached with the edit code."""
    if request.method == "POST" and OPEN_WITH_CODE in request.POST:
        return _code_entered(request, link)
    own, code = _own_response(request, link)
    if own is None and link.answered:
        if request.method == "POST":
            return _used(request, link, refused=services.LINK_USED)
        return _used(request, link)
    if request.method == "POST":
        form = SurveyForm(request.POST, alignment_questions=_questions(link))
        if form.is_valid():
            try:
                saved = services.response_submit(
                    link=link,
                    token=token,
                    answers=form.answers(),
                    ratings=form.ratings(),
                    edit_code=code,
                )
            except ValidationError as error:  # answered through meanwhile
                return _used(request, link, refused=error.messages[0])
            if saved.edit_code is None:
                return HttpResponseRedirect(f"{request.path}?saved=1")
            # The page the browser lands on shows the new code, from the cookie.
            return _with_edit_cookie(
                HttpResponseRedirect(f"{request.path}?saved=new"),
                request,
                link,
                saved.edit_code,
            )
    else:
        form = SurveyForm(
            initial=_initial_answers(own, link), alignment_questions=_questions(link)
        )
    saved = own is not None and "saved" in request.GET
    return render(
        request,
        "assessments/survey.html",
        {
            "link": link,
            "form": form,
            "answered": own is not None,
            "saved": SAVED_ANONYMOUS if saved else "",
            "edit_code": code if saved and request.GET["saved"] == "new" else "",
            # Offered on every fresh link: someone whose link was re-issued
            # reaches their answers with their code.
            "code_form": EditCodeForm() if own is None else None,
        },
    )


def _code_entered(request: HttpRequest, link: links.SurveyLink) -> HttpResponse:
    """An edit code typed on the link's page: its answers open in this browser,
    or the error is shown beside the code. Wrong codes count as failed look-ups."""
    form = EditCodeForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["edit_code"]
        if Response.objects.for_respondent(
            assessment_id=link.assessment_id, edit_code=code
        ).exists():
            return _with_edit_cookie(
                HttpResponseRedirect(request.path), request, link, code
            )
        _failed(request)
        form.add_error("edit_code", EDIT_CODE_UNKNOWN)
    if link.answered:
        return _used(request, link, code_form=form)
    return render(
        request,
        "assessments/survey.html",
        {
            "link": link,
            "form": SurveyForm(alignment_questions=_questions(link)),
            "answered": False,
            "saved": "",
            "edit_code": "",
            "code_form": form,
        },
    )
