"""What the admin's modules share: who sees a named round's times, how a
respondent is named, lookups that would lead back to a person, the
read-only audit trail, and tabular inlines whose fields are named."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseNotAllowed
from django.urls import reverse
from django.utils.text import capfirst
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


class NamedFieldsFormSet(BaseInlineFormSet):
    """A tabular inline's fields, each named with its label and row: the table
    shows a label once, in its header, which assistive technology does not tie
    to the fields below it."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            label = "delete" if name == DELETION_FIELD_NAME else field.label
            # The widget a related field's wrapper draws: a copied wrapper's
            # own attributes are still those of the form class's field.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs["aria-label"] = f"{capfirst(label)}, {row}"


class TabularInline(admin.TabularInline):
    """The admin's tabular inline, with every field named (``NamedFieldsFormSet``)."""

    formset = NamedFieldsFormSet
