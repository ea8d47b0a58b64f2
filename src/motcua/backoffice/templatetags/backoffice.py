"""Labels of workflow codes for officer pages, in the page's language."""

from __future__ import annotations

from django import template
from django.utils import translation

from motcua.dossiers.constants import Action, Status

register = template.Library()


def _pick(label: str) -> str:
    vi, _, en = str(label).partition(" / ")
    return (en or vi) if (translation.get_language() or "vi").startswith("en") else vi


@register.filter
def action_label(value: str) -> str:
    try:
        return _pick(Action(value).label)
    except ValueError:
        return value


@register.filter
def status_label(value: str) -> str:
    try:
        return _pick(Status(value).label)
    except ValueError:
        return value
