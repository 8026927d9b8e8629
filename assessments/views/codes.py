"""The page where someone with a printed code types it to reach their survey.

A printed code is a survey link's token, short enough to type. Wrong codes count
as failed link look-ups, so a client guessing codes is throttled as one guessing
links is.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from assessments import links, throttle
from assessments.forms import CodeEntryForm

NO_SUCH_CODE = "No survey has this code. Check each character and try again."


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def code_entry(request: HttpRequest) -> HttpResponse:
    form = CodeEntryForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        if links.link_lookup(code) is not None:
            return redirect("assessments:survey", token=code)
        if throttle.failed_lookup(request):
            response = render(request, "429.html", status=429)
            response["Retry-After"] = str(throttle.WINDOW_SECONDS)
            return response
        form.add_error("code", NO_SUCH_CODE)
    return render(request, "assessments/code_entry.html", {"form": form})
