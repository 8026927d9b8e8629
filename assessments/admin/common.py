"""What the admin's modules share: who sees everything, when an anonymous round
withholds its answers, how a respondent is named, and the read-only audit trail."""

from django.contrib.admin.utils import unquote
from django.db.models import Count, F
from django.http import Http404, HttpResponseNotAllowed
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from assessments import reports
from assessments.models import Assessment, Response


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def sees_everything(request) -> bool:
    return request.user.is_superuser


def rounds_withholding_answers():
    """Anonymous rounds with fewer respondents than they quote answers from."""
    return (
        Assessment.objects.filter(anonymous=True)
        .alias(respondents=Count("responses"))
        .filter(respondents__lt=F("min_group_for_verbatims"))
        .order_by()
        .values("pk")
    )


def withholds_answers(request, assessment: Assessment, respondents: int) -> bool:
    return (
        not sees_everything(request)
        and assessment.anonymous
        and respondents < assessment.min_group_for_verbatims
    )


def respondent_name(response: Response) -> str:
    """A named round's respondent by name; anyone else by a pseudonym."""
    name = None
    if not response.assessment.anonymous and response.invitation_id:
        name = response.invitation.name
    return reports.respondent_label(name, response.respondent_key)


def responses_url(assessment_pk: int) -> str:
    return (
        reverse("admin:assessments_response_changelist")
        + f"?assessment__id__exact={assessment_pk}"
    )


# --- The audit trail ----------------------------------------------------------------


class AuditedAdmin(SimpleHistoryAdmin):
    """History pages for what staff may see, read-only: a revert would skip the
    services that keep revisions, judgements and engaged flags in step."""

    def _require_visible(self, request, object_id) -> None:
        if sees_everything(request):
            return
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(("GET",))
        self._require_visible(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
