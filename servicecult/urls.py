from django.contrib import admin
from django.urls import include, path

from assessments.views import accounts, errors

urlpatterns = [
    path("healthz", errors.healthz, name="healthz"),
    path("readyz", errors.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("assessments.urls")),
]
