"""The report's figures in templates, written by the engine's one rounding rule
(``scoring.numbers``), so a table, a chart and a sentence agree."""

from django import template

from assessments.scoring import numbers

register = template.Library()


@register.filter
def tenths(value: float | None) -> str:
    """A mean to one decimal place, halves away from zero: 3.25 is "3.3"."""
    return "" if value is None else numbers.tenths(value)


@register.filter
def signed_tenths(value: float | None) -> str:
    """A gap with its sign: "+0.8", "-0.3"."""
    return "" if value is None else numbers.signed_tenths(value)


@register.filter
def percent(value: float | None) -> str:
    """A share from 0 to 1 as a whole percentage: "63%"."""
    return "" if value is None else numbers.percent(value)
