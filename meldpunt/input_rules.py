"""The input rules every form applies, in one place (docs/security.md, "Input rules").

``InputRulesMixin`` is part of ``meldpunt.nlds.NLDesignFormMixin``, which
every form of the product uses, so a new field gets these rules without
anyone remembering them:

- a choice of a database row (``ModelChoiceField``) accepts only a strict id
  (``meldpunt.ids``); anything else is the field's own "not in the list"
  message, never a server error.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model

from meldpunt.ids import parse_id


def _strict_id_to_python(field: forms.ModelChoiceField):
    original = field.to_python

    def to_python(value):
        if value in field.empty_values or isinstance(value, Model):
            return original(value)
        parsed = parse_id(value if isinstance(value, str) else str(value))
        if parsed is None:
            raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice")
        return original(str(parsed))

    return to_python


class InputRulesMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # self.fields are this form's own copies, so changing them here changes no other form.
            if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
                if field.to_field_name in (None, "pk", "id"):
                    field.to_python = _strict_id_to_python(field)
