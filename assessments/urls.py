from django.urls import path

from assessments.views import manager, report, survey

app_name = "assessments"

urlpatterns = [
    path("", manager.dashboard, name="dashboard"),
    path("assessments/<int:pk>/report/", report.readiness_report, name="report"),
    path("r/<str:token>/", survey.survey, name="survey"),
]
