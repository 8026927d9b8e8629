"""What the admin's modules share: who sees a named round's times, how a
respondent is named, lookups that would lead back to a person, and the
read-only audit trail."""

from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseNotAllowed
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from assessments import reports
from assessments.models import Response


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def sees_everything(request) -> bool:
    """Superusers see a named round's exact times; of an anonymous round every
    administrator sees what its managers see (``privacy``)."""
    return request.user.is_superuser


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


def refuses_lookup(lookup: str, fields: tuple[str, ...]) -> bool:
    """Whether a changelist lookup starts at one of ``fields``: ids and times
    that number or date answers in the order they came, and links to who gave
    them."""
    return lookup.split("__")[0] in fields


# --- The audit trail ----------------------------------------------------------------


class AuditedAdmin(SimpleHistoryAdmin):
    """History pages for what staff may see, read-only: a revert would skip the
    services that keep revisions, judgements and engaged flags in step.

    ``hides_rows`` marks an admin whose queryset leaves rows out for privacy:
    their history is out of reach too, superusers included."""

    hides_rows = False

    def _require_visible(self, request, object_id) -> None:
        if sees_everything(request) and not self.hides_rows:
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
