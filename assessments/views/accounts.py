"""Signing up. Logging in and out and password resets are Django's own views."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from assessments.forms import SignupForm

WELCOME = "Welcome to servicecult. Start by creating your team."


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("assessments:dashboard")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        # A new account has a password and nothing else: the model backend.
        login(request, form.save(), backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, WELCOME)
        return redirect("assessments:dashboard")
    return render(request, "registration/signup.html", {"form": form})
