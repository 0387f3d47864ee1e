"""Give Django form widgets the NL Design System (Utrecht) component classes."""

from django import forms
from django.conf import settings

from meldpunt.input_rules import InputRulesMixin

WIDGET_CLASSES = [
    (forms.Textarea, "utrecht-textarea utrecht-textarea--html-textarea"),
    # CheckboxSelectMultiple subclasses RadioSelect, which subclasses Select:
    # the most specific widget comes first.
    (forms.CheckboxSelectMultiple, "utrecht-checkbox utrecht-checkbox--html-input"),
    (forms.RadioSelect, "utrecht-radio-button utrecht-radio-button--html-input"),
    (forms.Select, "utrecht-select utrecht-select--html-select"),
    (forms.CheckboxInput, "utrecht-checkbox utrecht-checkbox--html-input"),
    (forms.FileInput, "utrecht-textbox"),
    (forms.widgets.Input, "utrecht-textbox utrecht-textbox--html-input"),
]


class NLDesignFormMixin(InputRulesMixin):
    # InputRulesMixin: the input rules every form applies (ids, control characters, lengths).
    # Required fields are checked by the server, with a message in the
    # user's language; the browser's own bubbles would differ per browser
    # and mark empty fields invalid before anything was sent.
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            for widget_type, css in WIDGET_CLASSES:
                if isinstance(field.widget, widget_type):
                    field.widget.attrs.setdefault("class", css)
                    break
            if field.help_text and isinstance(self.auto_id, str):
                field.widget.attrs.setdefault("aria-describedby", (self.auto_id % self.add_prefix(name)) + "_help")


def theme(request) -> dict:
    """Template context: which theme stylesheet, class and font stylesheets the pages use (settings.THEME_*)."""
    return {
        "theme_css": settings.THEME_CSS,
        "theme_class": settings.THEME_CLASS,
        "theme_font_css": settings.THEME_FONT_CSS,
    }
