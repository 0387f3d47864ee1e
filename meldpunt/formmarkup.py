"""Form controls marked up for screen readers, for every form in one place.

* A field is ``aria-invalid`` only while its error message is on the page.
* ``aria-describedby`` lists exactly the elements the templates render for the
  field: its description (``<id>_help``) and, when shown, its error
  (``<id>_error``); see templates/includes/field.html and choices.html.

Django marks every field with errors invalid, also on a round trip that
shows no errors (the person search), and points at ``<id>_helptext``, which
our templates do not render. ``settings.FORM_RENDERER`` gives every form the
``BoundField`` below; the templates say whether errors are shown with the
filters ``|control:show_errors`` and ``|options:show_errors`` (a template builtin).
"""

from django import template
from django.forms.boundfield import BoundField, BoundWidget
from django.forms.renderers import DjangoTemplates

register = template.Library()

SHOWN = "data-meldpunt-errors-shown"


class MeldpuntBoundField(BoundField):
    def described_by(self, errors_shown: bool) -> list[str]:
        ids = []
        if self.help_text and self.auto_id:
            ids.append(f"{self.auto_id}_help")
        if errors_shown and self.auto_id:
            ids.append(f"{self.auto_id}_error")
        return ids

    def build_widget_attrs(self, attrs, widget=None):
        attrs = dict(attrs)
        wanted = attrs.pop(SHOWN, None)
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        # Without a word from the template (a form rendered some other way),
        # Django's rule stands: errors count as shown.
        shown = bool(self.errors) and not widget.is_hidden and (wanted is None or bool(wanted))
        attrs.pop("aria-invalid", None)
        if shown:
            attrs["aria-invalid"] = "true"
        ids = self.described_by(shown)
        # False leaves the attribute out, also the one a form put on the widget.
        attrs["aria-describedby"] = " ".join(ids) if ids else False
        return attrs


class Renderer(DjangoTemplates):
    bound_field_class = MeldpuntBoundField


@register.filter
def control(bound_field, show_errors=False):
    """The field's widget, told whether the page shows the field's errors."""
    if not isinstance(bound_field, BoundField):
        return bound_field
    return bound_field.as_widget(attrs={SHOWN: bool(show_errors)})


@register.filter
def options(bound_field, show_errors=False):
    """The radio buttons or checkboxes of a field, told whether its errors are shown."""
    widget = bound_field.field.widget
    id_ = widget.attrs.get("id") or bound_field.auto_id
    attrs = bound_field.build_widget_attrs({"id": id_, SHOWN: bool(show_errors)} if id_ else {SHOWN: bool(show_errors)})
    return [
        BoundWidget(widget, data, bound_field.form.renderer)
        for data in widget.subwidgets(bound_field.html_name, bound_field.value(), attrs=attrs)
    ]
