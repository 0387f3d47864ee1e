"""Forms for the registry pages. Every choice is limited to the admin's own organisation."""

from django import forms
from django.core.validators import validate_email
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meldpunt.nlds import NLDesignFormMixin
from meldpunt.registry import csv_import
from meldpunt.registry.models import Appointment, Category, Conflict, Person, Position, lines, today


def date_input():
    # type="date" needs ISO values; the Dutch default input format would leave the field empty.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PositionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = obj.title
        if obj.portfolio:
            label += f" ({obj.portfolio})"
        return f"{label} · {obj.code}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.email})" if obj.email else obj.name


def _short_lines(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


def _email_lines(text: str) -> str:
    """One valid e-mail address per line, or a message naming the first that is not."""
    for line in lines(text):
        try:
            validate_email(line)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("„%(value)s” is geen geldig e-mailadres. Zet één adres per regel."), params={"value": line}
            ) from None
    return "\n".join(lines(text))


def _handle_lines(text: str) -> str:
    """One account per line, without spaces ('@bramvdveld', 'linkedin.com/in/bram')."""
    for line in lines(text):
        if " " in line:
            raise forms.ValidationError(
                _("„%(value)s” bevat een spatie. Zet één account per regel, bijvoorbeeld @naam."),
                params={"value": line},
            )
    return "\n".join(lines(text))


class PersonForm(NLDesignFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "email",
            "roepnaam",
            "voornamen",
            "voorletters",
            "tussenvoegsel",
            "achternaam",
            "aliases",
            "other_emails",
            "handles",
        ]
        widgets = {"aliases": _short_lines(), "other_emails": _short_lines(), "handles": _short_lines()}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation

    def clean_aliases(self):
        return "\n".join(lines(self.cleaned_data["aliases"]))

    def clean_other_emails(self):
        return _email_lines(self.cleaned_data["other_emails"])

    def clean_handles(self):
        return _handle_lines(self.cleaned_data["handles"])


class PositionForm(NLDesignFormMixin, forms.ModelForm):
    reports_to = PositionChoiceField(
        label=gettext_lazy("Rapporteert aan"),
        queryset=Position.objects.none(),
        required=False,
        empty_label=gettext_lazy("(niemand)"),
        help_text=gettext_lazy("De functie die leiding geeft aan deze functie."),
    )
    deputy = PositionChoiceField(
        label=gettext_lazy("Plaatsvervanger"),
        queryset=Position.objects.none(),
        required=False,
        empty_label=gettext_lazy("(geen)"),
        help_text=gettext_lazy("De functie die deze functie waarneemt bij afwezigheid of een vacature."),
    )

    class Meta:
        model = Position
        fields = ["title", "code", "category", "portfolio", "unit", "email", "handles", "reports_to", "deputy"]
        widgets = {"handles": _short_lines(2)}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        others = Position.objects.filter(organisation=organisation).order_by("title", "code")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["category"].choices = [("", gettext_lazy("Kies een categorie")), *Category.choices]
        self.fields["reports_to"].queryset = others
        self.fields["deputy"].queryset = others

    def clean_code(self):
        # The form leaves "organisation" out, so Django would skip the (organisation, code) constraint.
        code = self.cleaned_data["code"].lower()
        taken = Position.objects.filter(organisation=self.instance.organisation, code__iexact=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Er is al een functie met deze code. Kies een andere code."))
        return code

    def clean_handles(self):
        return _handle_lines(self.cleaned_data["handles"])


class AppointmentForm(NLDesignFormMixin, forms.ModelForm):
    person = PersonChoiceField(label=gettext_lazy("Persoon"), queryset=Person.objects.none())

    class Meta:
        model = Appointment
        fields = ["person", "start_date", "end_date", "portfolio"]
        widgets = {"start_date": date_input(), "end_date": date_input()}
        help_texts = {
            "end_date": gettext_lazy("Laat leeg als de benoeming doorloopt."),
            "portfolio": gettext_lazy(
                "Alleen als deze bekleder een andere portefeuille heeft dan die van de functie; leeg: die van de "
                "functie."
            ),
        }

    def __init__(self, *args, position, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.position = position
        self.fields["person"].queryset = Person.objects.filter(organisation=position.organisation)


class EndAppointmentForm(NLDesignFormMixin, forms.ModelForm):
    class Meta:
        model = Appointment
        fields = ["end_date"]
        widgets = {"end_date": date_input()}
        help_texts = {"end_date": gettext_lazy("De laatste dag waarop deze persoon de functie bekleedt.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].required = True


class ImportForm(NLDesignFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV-bestand"),
        allow_empty_file=True,
        help_text=gettext_lazy("UTF-8, gescheiden door komma's of puntkomma's, met een kopregel. Hoogstens 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > csv_import.MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "Het bestand is te groot. Een importbestand mag hoogstens 2 MB zijn; "
                    "splits het in kleinere bestanden."
                )
            )
        return upload.read()


class RegistryPersonField(forms.ModelChoiceField):
    """A person of the organisation, shown with what they do today so that
    two people with the same name can be told apart."""

    def label_from_instance(self, obj):
        titles = [a.position.title for a in getattr(obj, "current_appointments", [])]
        return f"{obj.name} ({', '.join(titles)})" if titles else obj.name


def _person_field(label):
    return RegistryPersonField(
        label=label,
        queryset=Person.objects.none(),
        empty_label=gettext_lazy("Kies een persoon"),
        error_messages={
            "required": gettext_lazy("Kies een persoon."),
            # Also what someone gets who posts a person of another organisation.
            "invalid_choice": gettext_lazy("Kies een persoon uit het register van uw organisatie."),
        },
    )


class ConflictForm(NLDesignFormMixin, forms.Form):
    person = _person_field(gettext_lazy("Eerste persoon"))
    other = _person_field(gettext_lazy("Tweede persoon"))
    reason = forms.CharField(
        label=gettext_lazy("Reden"),
        max_length=200,
        help_text=gettext_lazy(
            "Kort en zakelijk, bijvoorbeeld: partners, familie, zakelijke relatie. "
            "Alleen functioneel beheerders zien de reden."
        ),
        error_messages={
            "required": gettext_lazy("Geef een reden op, bijvoorbeeld: partners, familie of zakelijke relatie."),
        },
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        current = Appointment.objects.filter(Appointment.held_on(today())).select_related("position")
        people = Person.objects.filter(organisation=organisation).prefetch_related(
            Prefetch("appointments", queryset=current, to_attr="current_appointments")
        )
        self.fields["person"].queryset = people
        self.fields["other"].queryset = people

    def clean(self):
        cleaned = super().clean()
        person, other = cleaned.get("person"), cleaned.get("other")
        if person is None or other is None:
            return cleaned
        if person == other:
            self.add_error("other", _("Kies twee verschillende personen."))
        elif Conflict.objects.filter(Q(person=person, other=other) | Q(person=other, other=person)).exists():
            raise forms.ValidationError(
                _("Voor %(a)s en %(b)s is al een belangenverstrengeling vastgelegd.")
                % {"a": person.name, "b": other.name}
            )
        return cleaned
