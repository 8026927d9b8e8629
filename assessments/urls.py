from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("assessments/<int:pk>/report/", views.report, name="report"),
    path("r/<str:token>/", views.survey, name="survey"),
]
