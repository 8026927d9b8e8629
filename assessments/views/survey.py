"""The team member's survey, reached through a personal link with no account."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from assessments import services, tokens
from assessments.forms import SurveyForm
from assessments.models import Assessment, Invitation, Response


def _invitation_for(token: str) -> Invitation:
    """The live invitation behind a link; unknown and revoked links look the same."""
    invitation = (
        Invitation.objects.select_related("assessment__team")
        .exclude(status=Invitation.Status.REVOKED)
        .filter(token_hash=tokens.invitation_hash(token))
        .first()
    )
    if invitation is None:
        raise Http404("No survey at this address.")
    return invitation


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation_for(token)
    assessment = invitation.assessment
    if assessment.status != Assessment.Status.OPEN:
        return render(
            request,
            "assessments/survey_closed.html",
            {"assessment": assessment},
            status=200,
        )
    response = Response.objects.filter(
        respondent_key=tokens.respondent_key(token)
    ).first()
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if form.is_valid():
            services.response_submit(
                invitation=invitation, token=token, answers=form.cleaned_data
            )
            messages.success(
                request,
                "Thank you: your answers are saved. You can change them with the same "
                "link until the round closes.",
            )
            return redirect("assessments:survey", token=token)
    else:
        initial = (
            {key: response.answer_for(key) for key in SurveyForm.base_fields}
            if response
            else None
        )
        form = SurveyForm(initial=initial)
    return render(
        request,
        "assessments/survey.html",
        {
            "assessment": assessment,
            "invitation": invitation,
            "form": form,
            "answered": response is not None,
        },
    )
