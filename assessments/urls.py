from django.urls import path

from assessments.views import codes, manager, report, rollup, survey, trends

app_name = "assessments"

ROUND = "assessments/<int:pk>/"

urlpatterns = [
    # The page every team member opens, first: it is matched before the others.
    path("r/<str:token>/", survey.survey, name="survey"),
    path("s/", codes.code_entry, name="code_entry"),
    path("", manager.dashboard, name="dashboard"),
    path("teams/new/", manager.team_create_view, name="team_create"),
    path("teams/<int:pk>/", manager.team_detail, name="team_detail"),
    path("teams/<int:pk>/rollup/", rollup.team_rollup, name="team_rollup"),
    path(
        "teams/<int:pk>/rollup/export/",
        rollup.team_rollup_export,
        name="team_rollup_export",
    ),
    path("teams/<int:pk>/trends/", trends.team_trends, name="team_trends"),
    path(
        "teams/<int:pk>/trends/export/",
        trends.team_trends_export,
        name="team_trends_export",
    ),
    path(
        "teams/<int:pk>/managers/",
        manager.team_manager_invite_view,
        name="team_manager_invite",
    ),
    path(
        "teams/<int:pk>/managers/invitations/<int:manager_invitation_pk>/withdraw/",
        manager.manager_invitation_withdraw_view,
        name="manager_invitation_withdraw",
    ),
    path(
        "team-invitations/<str:token>/",
        manager.manager_invitation,
        name="manager_invitation",
    ),
    path(
        "team-invitations/<str:token>/accept/",
        manager.manager_invitation_accept_view,
        name="manager_invitation_accept",
    ),
    path(
        "team-invitations/<str:token>/decline/",
        manager.manager_invitation_decline_view,
        name="manager_invitation_decline",
    ),
    path(
        "teams/<int:pk>/rounds/new/",
        manager.assessment_create_view,
        name="assessment_create",
    ),
    path(ROUND, manager.assessment_settings, name="assessment_settings"),
    path(f"{ROUND}open/", manager.assessment_open_view, name="assessment_open"),
    path(f"{ROUND}close/", manager.assessment_close_view, name="assessment_close"),
    path(f"{ROUND}reopen/", manager.assessment_reopen_view, name="assessment_reopen"),
    path(f"{ROUND}vision/", manager.vision, name="vision"),
    path(f"{ROUND}vision/ideas/", manager.key_ideas_view, name="key_ideas"),
    path(f"{ROUND}engagement/", manager.engagement, name="engagement"),
    path(f"{ROUND}engagement/add/", manager.invitation_add, name="invitation_add"),
    path(
        f"{ROUND}engagement/paste/", manager.invitation_paste, name="invitation_paste"
    ),
    path(
        f"{ROUND}engagement/send/",
        manager.invitations_send_view,
        name="invitations_send",
    ),
    path(
        f"{ROUND}engagement/remind/",
        manager.invitations_remind_view,
        name="invitations_remind",
    ),
    path(
        f"{ROUND}engagement/<int:invitation_pk>/reissue/",
        manager.invitation_reissue_view,
        name="invitation_reissue",
    ),
    path(
        f"{ROUND}engagement/<int:invitation_pk>/revoke/",
        manager.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path(
        f"{ROUND}engagement/codes/",
        manager.invitation_codes_create_view,
        name="invitation_codes_create",
    ),
    path(
        f"{ROUND}engagement/codes/print/",
        manager.invitation_codes,
        name="invitation_codes",
    ),
    path(
        f"{ROUND}engagement/<int:invitation_pk>/retry-email/",
        manager.invitation_email_retry_view,
        name="invitation_email_retry",
    ),
    path(
        f"{ROUND}engagement/retry-emails/",
        manager.invitations_email_retry_view,
        name="invitations_email_retry",
    ),
    path(f"{ROUND}prediction/", manager.prediction, name="prediction"),
    path(f"{ROUND}alignment/", manager.alignment, name="alignment"),
    path(f"{ROUND}commitment/", manager.commitment, name="commitment"),
    path(f"{ROUND}actions/", manager.action_create_view, name="action_create"),
    path(
        f"{ROUND}actions/<int:action_pk>/",
        manager.action_update_view,
        name="action_update",
    ),
    path(
        f"{ROUND}actions/<int:action_pk>/delete/",
        manager.action_delete_view,
        name="action_delete",
    ),
    path("assessments/<int:pk>/report/", report.readiness_report, name="report"),
    path(
        "assessments/<int:pk>/report.pdf",
        report.readiness_report_pdf,
        name="report_pdf",
    ),
    path(
        "assessments/<int:pk>/report/rescore/",
        report.assessment_rescore_view,
        name="assessment_rescore",
    ),
    path(
        "assessments/<int:pk>/report/judgements/<int:judgement_pk>/",
        report.judgement_override_view,
        name="judgement_override",
    ),
    path(
        "assessments/<int:pk>/report/judgements/<int:judgement_pk>/keep/",
        report.judgement_override_keep_view,
        name="judgement_override_keep",
    ),
    path(
        "assessments/<int:pk>/answers.csv", report.answers_export, name="answers_export"
    ),
]
