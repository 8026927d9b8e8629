"""A round's stored readiness per step in the list of rounds: a column and a
badge per step, and a filter for rounds ready throughout or stuck at a step."""

from django.contrib import admin
from django.db.models import OuterRef, Q, Subquery
from django.utils.html import format_html

from assessments.models import StepKey, StepResult


def step_status(key: str) -> Subquery:
    """A round's stored status at one step, as a subquery to annotate rounds with."""
    return Subquery(
        StepResult.objects.filter(assessment=OuterRef("pk"), step__key=key).values(
            "status"
        )[:1]
    )


STEP_NAMES = dict(StepKey.choices)
STEP_NUMBERS = {key: number for number, key in enumerate(StepKey.values, start=1)}
STUCK_AT = {f"stuck-{number}": key for key, number in STEP_NUMBERS.items()}


class ReadinessFilter(admin.SimpleListFilter):
    """Rounds by their stored readiness: ready throughout, or where they stop."""

    title = "readiness"
    parameter_name = "readiness"

    def lookups(self, request, model_admin):
        return (
            ("ready", "Ready at every step"),
            *(
                (value, f"Stuck at step {STEP_NUMBERS[key]}: {STEP_NAMES[key]}")
                for value, key in STUCK_AT.items()
            ),
            ("unscored", "No report yet"),
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value == "ready":
            return queryset.filter(
                **{f"{key}_status": StepResult.Status.READY for key in STEP_NUMBERS}
            )
        if value == "unscored":
            return queryset.filter(vision_status__isnull=True)
        if value in STUCK_AT:
            # Earlier steps ready, this one not: later ones are blocked by it.
            stuck = STUCK_AT[value]
            before = list(STEP_NUMBERS)[: STEP_NUMBERS[stuck] - 1]
            return queryset.filter(
                ~Q(**{f"{stuck}_status": StepResult.Status.READY}),
                **{f"{key}_status": StepResult.Status.READY for key in before},
                **{f"{stuck}_status__isnull": False},
            )
        return queryset


def readiness_badge(key: str, status: str | None) -> str:
    name = f"{STEP_NUMBERS[key]}. {STEP_NAMES[key]}"
    if status is None:
        return format_html(
            '<span class="readiness readiness-none" title="{}: no report yet">'
            "&ndash;</span>",
            name,
        )
    label = StepResult.Status(status).label
    return format_html(
        '<span class="readiness readiness-{}" title="{}: {}">{}</span>',
        status,
        name,
        label,
        label,
    )


def readiness_column(key: str):
    """A list column with one step's badge, sorted by the step's status."""

    @admin.display(
        description=f"{STEP_NUMBERS[key]}. {STEP_NAMES[key]}",
        ordering=f"{key}_status",
    )
    def column(self, obj):
        return readiness_badge(key, getattr(obj, f"{key}_status"))

    column.__name__ = f"{key}_readiness"
    return column
