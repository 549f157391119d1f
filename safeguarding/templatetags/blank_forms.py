"""`{{ form|crispy_blank }}`: crispy-forms' rendering of a form nobody has filled in yet, made once per process.

A DSL's pages carry forms that are mostly left closed (adding a flag, a key person, a leaving; issue 12): crispy
renders each field through a dozen templates, and that was a fifth of the child's file's time, for the same HTML
on every request. A blank form's HTML follows from its class, its ids and its fields (names, labels, initial values,
choices, whether required, widget attributes), so it is kept by those: a form whose `__init__` changes a field for
the person asking gets its own entry. A bound form (sent back with its errors) is rendered afresh every time, and so
is a form with a field that reads its choices from the database.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms, template
from django.dispatch import receiver
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

_KEPT_AT_MOST = 256  # distinct blank forms; far more than the app has
_rendered: dict[tuple, SafeString] = {}


@register.filter
def crispy_blank(form: forms.BaseForm) -> SafeString:
    """The form as `|crispy` renders it; the HTML of a blank one is made once and kept."""
    if form.is_bound or any(isinstance(field, forms.ModelChoiceField) for field in form.fields.values()):
        return as_crispy_form(form)
    key = (type(form), form.auto_id, form.prefix, get_language(), *_fields(form))
    html = _rendered.get(key)
    if html is None:
        if len(_rendered) >= _KEPT_AT_MOST:
            _rendered.clear()
        html = _rendered[key] = as_crispy_form(form)
    return html


def _fields(form: forms.BaseForm):
    for name, field in form.fields.items():
        yield (
            name,
            str(field.label),
            repr(form.get_initial_for_field(field, name)),
            repr(list(field.choices)) if hasattr(field, "choices") else "",
            field.required,
            field.disabled,
            str(field.help_text),
            repr(field.widget.attrs),
        )


@receiver(file_changed)
def _forget_on_change(sender, file_path, **kwargs) -> None:
    """The development server reloads changed templates without restarting: the kept HTML goes with them."""
    _rendered.clear()
